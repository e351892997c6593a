/**
 * Builders of the bodies Meta sends to an app: webhook envelopes for the fields the onboarding
 * lifecycle reads (platform reference §7.3-7.4), Meta-like serialisation (non-ASCII as lower-case
 * `\uXXXX`, `/` as `\/`), the `X-Hub-Signature-256` header, and the `signed_request` of the
 * deauthorize and data deletion callbacks (§8.1). Pure functions: no HTTP, no world mutation.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { SimPhoneNumber, SimWaba, SimWorld } from './types.js';

/** The webhook fields the simulator can send. */
export const WEBHOOK_FIELDS = [
  'account_update',
  'account_review_update',
  'phone_number_name_update',
  'phone_number_quality_update',
  'business_capability_update',
  'messages',
] as const;
export type WebhookField = (typeof WEBHOOK_FIELDS)[number];

export const ACCOUNT_UPDATE_EVENTS = [
  'PARTNER_ADDED',
  'PARTNER_APP_UNINSTALLED',
  'PARTNER_REMOVED',
  'ACCOUNT_DELETED',
  'DISABLED_UPDATE',
  'ACCOUNT_VIOLATION',
] as const;
export type AccountUpdateEvent = (typeof ACCOUNT_UPDATE_EVENTS)[number];

export const REVIEW_DECISIONS = ['APPROVED', 'REJECTED', 'PENDING', 'DEFERRED'] as const;
export const NAME_DECISIONS = ['APPROVED', 'DEFERRED', 'PENDING', 'REJECTED'] as const;
/** Quality events: the current ones and the older names (still seen; see the reference). */
export const QUALITY_EVENTS = ['FLAGGED', 'DOWNGRADE', 'UPGRADE', 'UNFLAGGED', 'ONBOARDING', 'THROUGHPUT_UPGRADE'] as const;
/** `messages`: an inbound text, or one outbound status. */
export const MESSAGE_EVENTS = ['text', 'sent', 'delivered', 'read', 'failed'] as const;
export const BAN_STATES = ['DISABLE', 'REINSTATE', 'SCHEDULE_FOR_DISABLE'] as const;
export type BanState = (typeof BAN_STATES)[number];

/** The `event` values each field takes (the first is the default). */
export const FIELD_EVENTS: Record<WebhookField, readonly string[]> = {
  account_update: ACCOUNT_UPDATE_EVENTS,
  account_review_update: REVIEW_DECISIONS,
  phone_number_name_update: NAME_DECISIONS,
  phone_number_quality_update: QUALITY_EVENTS,
  business_capability_update: ['CAPABILITY'],
  messages: MESSAGE_EVENTS,
};

/**
 * The business id Meta puts in `entry[].id` of `PARTNER_*` events: the solution partner's (the app
 * owner's) business, not the customer's. The sandbox stand-in app has this one.
 */
export const SIM_PARTNER_BUSINESS_ID = '300000000000003';

/** One `changes[]` item. */
export interface WebhookChange {
  field: WebhookField;
  value: Record<string, unknown>;
}

/** One `entry[]` item; `time` is absent on `messages`. */
export interface WebhookEntry {
  id: string;
  time?: number;
  changes: WebhookChange[];
}

/** The envelope of every WhatsApp webhook POST. */
export interface WebhookBody {
  object: 'whatsapp_business_account';
  entry: WebhookEntry[];
}

/** What the builders read: the world (names, numbers), the time, and the partner business. */
export interface BuildContext {
  world: SimWorld;
  now: Date;
  partnerBusinessId?: string;
  appId?: string;
}

/** What to build: one field's event about a WABA (and, where it applies, one of its numbers). */
export interface EventSpec {
  field: WebhookField;
  /** the field's event / decision / message kind (FIELD_EVENTS); default the first */
  event?: string;
  wabaId: string;
  phoneNumberId?: string;
  /** DISABLED_UPDATE: the ban state (default DISABLE) */
  banState?: BanState;
  /** ACCOUNT_VIOLATION: the violation type (default SCAM) */
  violationType?: string;
  /** how many changes (or, with layout 'entries', entries) the body carries (default 1) */
  count?: number;
  /** batching: many changes in one entry (Meta's usual), or one entry per change */
  layout?: 'changes' | 'entries';
}

/** Bad input to a builder (unknown WABA, number, event): the sandbox route maps it to a 400 naming `field`. */
export class EventBuildError extends Error {
  override name = 'EventBuildError';
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
  }
}

const unix = (d: Date) => Math.floor(d.getTime() / 1000);

/** E.164 digits without '+' or separators: how Meta writes numbers in webhooks ("15550783881"). */
export function webhookDigits(displayPhoneNumber: string): string {
  return displayPhoneNumber.replace(/\D/g, '');
}

/** A message id shaped like Meta's (`wamid.` + base64 of an opaque id). */
export function wamid(): string {
  return `wamid.${Buffer.from(`HBgL${randomBytes(24).toString('hex').toUpperCase()}`).toString('base64')}`;
}

function wabaOf(ctx: BuildContext, wabaId: string): SimWaba {
  const waba = ctx.world.wabas.get(wabaId);
  if (!waba) throw new EventBuildError('wabaId', 'no such WABA in the simulator');
  return waba;
}

/** The named number of the WABA, or its first number. */
export function phoneOf(ctx: Pick<BuildContext, 'world'>, wabaId: string, phoneNumberId?: string): SimPhoneNumber {
  if (phoneNumberId !== undefined) {
    const p = ctx.world.phoneNumbers.get(phoneNumberId);
    if (!p || p.wabaId !== wabaId) throw new EventBuildError('phoneNumberId', 'no such phone number in that WABA');
    return p;
  }
  const first = [...ctx.world.phoneNumbers.values()].find((p) => p.wabaId === wabaId);
  if (!first) throw new EventBuildError('phoneNumberId', 'the WABA has no phone number');
  return first;
}

function eventOf(spec: EventSpec): string {
  const allowed = FIELD_EVENTS[spec.field];
  const event = spec.event ?? allowed[0]!;
  if (!allowed.includes(event)) throw new EventBuildError('event', `must be one of ${allowed.join(', ')} for ${spec.field}`);
  return event;
}

// --- values, one per field --------------------------------------------------------------------------

/** `account_update` value (and the entry id Meta uses for it). */
export function accountUpdateValue(ctx: BuildContext, waba: SimWaba, event: AccountUpdateEvent, o: Pick<EventSpec, 'banState' | 'violationType'> = {}): { entryId: string; value: Record<string, unknown> } {
  const wabaInfo = { waba_id: waba.id, owner_business_id: waba.businessId };
  switch (event) {
    case 'PARTNER_ADDED':
      return {
        entryId: ctx.partnerBusinessId ?? SIM_PARTNER_BUSINESS_ID,
        value: { event, waba_info: wabaInfo },
      };
    case 'PARTNER_APP_UNINSTALLED':
    case 'PARTNER_REMOVED':
      return {
        entryId: ctx.partnerBusinessId ?? SIM_PARTNER_BUSINESS_ID,
        value: { event, waba_info: ctx.appId && event === 'PARTNER_APP_UNINSTALLED' ? { ...wabaInfo, partner_app_id: ctx.appId } : wabaInfo },
      };
    case 'ACCOUNT_DELETED':
      return { entryId: waba.id, value: { event } };
    case 'DISABLED_UPDATE': {
      // Meta writes the date in words, in English ("April 17, 2025").
      const date = ctx.now.toLocaleDateString('en-US', { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });
      return { entryId: waba.id, value: { event, ban_info: { waba_ban_state: o.banState ?? 'DISABLE', waba_ban_date: date } } };
    }
    case 'ACCOUNT_VIOLATION':
      return { entryId: waba.id, value: { event, violation_info: { violation_type: o.violationType ?? 'SCAM' } } };
  }
}

/** `phone_number_quality_update` value for a number (its display number as Meta writes it). */
export function qualityUpdateValue(phone: SimPhoneNumber, event: string): Record<string, unknown> {
  const limit = phone.messagingLimit || 'TIER_250';
  return {
    display_phone_number: webhookDigits(phone.displayPhoneNumber),
    event,
    current_limit: limit,
    max_daily_conversations_per_business: limit,
  };
}

/** An inbound text from a customer, with the contact block Meta sends beside it. */
export function inboundTextValue(ctx: BuildContext, phone: SimPhoneNumber, i = 0): Record<string, unknown> {
  const from = `4915123456${String(100 + (i % 900)).padStart(3, '0')}`;
  return {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: webhookDigits(phone.displayPhoneNumber), phone_number_id: phone.id },
    contacts: [{ profile: { name: 'Zoë Müller' }, wa_id: from }],
    messages: [
      {
        from,
        id: wamid(),
        timestamp: String(unix(ctx.now)),
        type: 'text',
        text: { body: 'Grüße! Gibt es den Strauch auch in Größe L? 🌿 https://example.com/p/42' },
      },
    ],
  };
}

/** One status of an outbound message (sent, delivered, read, or failed with Meta's error). */
export function statusValue(ctx: BuildContext, phone: SimPhoneNumber, status: 'sent' | 'delivered' | 'read' | 'failed', i = 0): Record<string, unknown> {
  const item: Record<string, unknown> = {
    id: wamid(),
    status,
    timestamp: String(unix(ctx.now)),
    recipient_id: `4915123456${String(100 + (i % 900)).padStart(3, '0')}`,
  };
  if (status === 'failed') {
    item.errors = [
      {
        code: 131026,
        title: 'Message undeliverable',
        message: 'Message undeliverable',
        error_data: { details: 'Message Undeliverable.' },
        href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
      },
    ];
  } else {
    item.pricing = { billable: true, pricing_model: 'PMP', type: 'regular', category: 'utility' };
  }
  return {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: webhookDigits(phone.displayPhoneNumber), phone_number_id: phone.id },
    statuses: [item],
  };
}

/** One change (and its entry id and time) for a spec; `i` numbers the items of a batch. */
export function buildChange(ctx: BuildContext, spec: EventSpec, i = 0): { entryId: string; time: number | undefined; change: WebhookChange } {
  const waba = wabaOf(ctx, spec.wabaId);
  const event = eventOf(spec);
  const time = unix(ctx.now);
  const make = (value: Record<string, unknown>, entryId = waba.id) => ({ entryId, time: spec.field === 'messages' ? undefined : time, change: { field: spec.field, value } });
  switch (spec.field) {
    case 'account_update': {
      const { entryId, value } = accountUpdateValue(ctx, waba, event as AccountUpdateEvent, spec);
      return make(value, entryId);
    }
    case 'account_review_update':
      return make({ decision: event });
    case 'phone_number_name_update': {
      const phone = phoneOf(ctx, waba.id, spec.phoneNumberId);
      return make({
        display_phone_number: webhookDigits(phone.displayPhoneNumber),
        decision: event,
        requested_verified_name: phone.verifiedName,
        rejection_reason: event === 'REJECTED' ? 'NAME_FORMAT_UNACCEPTABLE' : null,
      });
    }
    case 'phone_number_quality_update':
      return make(qualityUpdateValue(phoneOf(ctx, waba.id, spec.phoneNumberId), event));
    case 'business_capability_update':
      return make({ max_daily_conversation_per_phone: 250, max_phone_numbers_per_business: 2, max_daily_conversations_per_business: 'TIER_250' });
    case 'messages': {
      const phone = phoneOf(ctx, waba.id, spec.phoneNumberId);
      return make(event === 'text' ? inboundTextValue(ctx, phone, i) : statusValue(ctx, phone, event as 'sent' | 'delivered' | 'read' | 'failed', i));
    }
  }
}

/** The whole envelope: `count` changes of the spec, in one entry per entry id (or one entry each). */
export function buildWebhookBody(ctx: BuildContext, spec: EventSpec): WebhookBody {
  const count = spec.count ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > 1000) throw new EventBuildError('count', 'must be an integer from 1 to 1000');
  const entries: WebhookEntry[] = [];
  for (let i = 0; i < count; i++) {
    const { entryId, time, change } = buildChange(ctx, spec, i);
    const last = entries[entries.length - 1];
    if (spec.layout !== 'entries' && last && last.id === entryId) last.changes.push(change);
    else entries.push({ id: entryId, ...(time !== undefined ? { time } : {}), changes: [change] });
  }
  return { object: 'whatsapp_business_account', entry: entries };
}

/** Several bodies as one delivery (Meta may batch updates of different WABAs and fields). */
export function mergeWebhookBodies(bodies: readonly WebhookBody[]): WebhookBody {
  return { object: 'whatsapp_business_account', entry: bodies.flatMap((b) => b.entry) };
}

// --- bytes and signatures -------------------------------------------------------------------------

/**
 * JSON as Meta signs it: every non-ASCII UTF-16 unit as `\uXXXX` (lower-case hex; characters
 * outside the BMP become their surrogate pair) and every `/` as `\/`. `/` only occurs inside
 * strings in JSON, so escaping it everywhere is safe.
 */
export function metaJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/\//g, '\\/');
}

/** `sha256=` + lower-case hex HMAC-SHA256 of the exact body bytes with the app secret. */
export function hubSignature(appSecret: string, body: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

/** The payload of a deauthorize or data deletion callback. */
export interface SignedRequestPayload {
  algorithm: 'HMAC-SHA256';
  issued_at: number;
  user_id: string;
  expires?: number;
  [k: string]: unknown;
}

/** `base64url(HMAC-SHA256(secret, payloadSegment)) + '.' + payloadSegment`, unpadded as Meta sends it. */
export function signedRequest(appSecret: string, payload: SignedRequestPayload): string {
  const segment = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const sig = createHmac('sha256', appSecret).update(segment).digest('base64url');
  return `${sig}.${segment}`;
}

/** The payload Meta sends for a user: deauthorize carries algorithm/issued_at/user_id, data deletion adds expires. */
export function callbackPayload(kind: 'deauthorize' | 'data_deletion', userId: string, now: Date): SignedRequestPayload {
  const issuedAt = unix(now);
  return kind === 'data_deletion'
    ? { algorithm: 'HMAC-SHA256', expires: issuedAt + 3600, issued_at: issuedAt, user_id: userId }
    : { algorithm: 'HMAC-SHA256', issued_at: issuedAt, user_id: userId };
}
