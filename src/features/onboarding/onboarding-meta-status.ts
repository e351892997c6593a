/**
 * What Meta reported about a record, as the API shows it: onboarding_records.meta_status (written by
 * webhook processing, src/features/webhooks/process/*, and the deauthorize callback) read into a
 * typed, content-free shape; the record's history lines flattened to plain values; and the per-phone
 * message counters. meta_status is JSON written over time by several writers, so every read here is
 * defensive: an unexpected value is shown as absent, never an error.
 */
import { z } from 'zod';
import { DEAUTHORIZED_NOTE, REMOVED_ON_META } from '../meta-callbacks/deauthorize.service.js';
import { removedOnMeta } from '../webhooks/process/account-update.js';
import { MESSAGE_KINDS, SHARE_EVENTS } from '../webhooks/webhook-fields.js';
import type { RecordRow } from './onboarding.repo.js';

const nullableString = z.string().nullable();
const at = z.date();

/** `metaStatus` of the record detail. Each topic is null until Meta reported it. */
export const metaStatusSchema = z.object({
  /** DISABLED_UPDATE: Meta's ban state (DISABLE, REINSTATE, SCHEDULE_FOR_DISABLE) and its date as Meta wrote it */
  ban: z.object({ state: nullableString, date: nullableString, at }).nullable(),
  /** ACCOUNT_VIOLATION: the violation type */
  violation: z.object({ type: nullableString, at }).nullable(),
  /** account_review_update: APPROVED, REJECTED, PENDING, DEFERRED */
  review: z.object({ decision: nullableString, at }).nullable(),
  /** business_capability_update: the limits Meta set (the messaging tier among them) */
  capabilities: z
    .object({
      maxDailyConversationsPerBusiness: nullableString,
      maxDailyConversationPerPhone: nullableString,
      maxPhoneNumbersPerBusiness: nullableString,
      maxPhoneNumbersPerWaba: nullableString,
      at,
    })
    .nullable(),
  /** the latest partner event (PARTNER_ADDED ... PARTNER_REMOVED); `shared`: it shares the WABA with the app */
  partner: z.object({ event: nullableString, shared: z.boolean(), at }).nullable(),
  /** ACCOUNT_RECONNECTED */
  reconnected: z.object({ at }).nullable(),
  /**
   * The deauthorize callback named the person who connected the WABA, and the record kept working
   * (the token still works, or Meta could not be asked: `tokenChecked` false). Null once a later
   * connection superseded it.
   */
  appRemovedByConnector: z.object({ at, tokenChecked: z.boolean() }).nullable(),
  /**
   * The record is disconnected because Meta ended the app's access: `event` is the account_update
   * event (PARTNER_REMOVED, ...) or `deauthorize` (the person who connected it removed the app and
   * Meta no longer honours the token).
   */
  removedOnMeta: z.object({ event: z.string(), at: z.date().nullable() }).nullable(),
});
export type MetaStatusView = z.input<typeof metaStatusSchema>;

/** Per-phone facts Meta reported by webhook (null until reported). */
export const phoneMetaSchema = z.object({
  /** phone_number_name_update */
  name: z.object({ decision: nullableString, rejectionReason: nullableString, at }).nullable(),
  /** phone_number_quality_update: FLAGGED, UNFLAGGED, DOWNGRADE, UPGRADE and the messaging limit */
  quality: z.object({ event: nullableString, tier: nullableString, at }).nullable(),
});

/** Message counts of one phone number, by kind (webhook-fields.ts MESSAGE_KINDS), and the newest event's time. */
const count = z.number().int();
export const messageCountersSchema = z.object({
  inbound: count,
  sent: count,
  delivered: count,
  read: count,
  failed: count,
  played: count,
  other: count,
  lastEventAt: z.date().nullable(),
});
export type MessageCounters = z.input<typeof messageCountersSchema>;
type CountedKind = Exclude<keyof MessageCounters, 'lastEventAt'>;
// every kind processing counts has a key above (a compile error here means the schema is behind)
const KINDS: readonly CountedKind[] = MESSAGE_KINDS satisfies readonly CountedKind[];

/** A history value: the flat facts processing stored (event names, states, decisions). */
const historyValue = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).nullable();

/** One history line. */
export const historyItemSchema = z.object({
  id: z.number().int(),
  at: z.date(),
  /** the webhook field, or `deauthorize` */
  source: z.string(),
  /** partner, account, ban, violation, review, capabilities, state, deauthorized, name_status, messaging_limit */
  topic: z.string(),
  phoneNumberId: nullableString,
  before: historyValue,
  after: historyValue,
});
export type HistoryItem = z.input<typeof historyItemSchema>;

// --- reading meta_status -------------------------------------------------------------------------

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | null => (typeof v === 'string' ? v.slice(0, 200) : typeof v === 'number' && Number.isFinite(v) ? String(v) : null);
const date = (v: unknown): Date | null => {
  const d = typeof v === 'string' ? new Date(v) : null;
  return d && !Number.isNaN(d.getTime()) ? d : null;
};

/** A `{ value, at }` topic as written by meta-status.ts applyTopic, or null. */
function topic(status: Json, key: string): { value: Json; at: Date } | null {
  const t = status[key];
  if (!isObj(t)) return null;
  const when = date(t.at);
  return when ? { value: isObj(t.value) ? t.value : {}, at: when } : null;
}

const SHARE = new Set<string>(SHARE_EVENTS);

/** Which Meta removal disconnected the record (from the reason the writers set), or null. */
function removalOf(r: Pick<RecordRow, 'state' | 'reason' | 'disconnectedAt'>): MetaStatusView['removedOnMeta'] {
  if (r.state !== 'disconnected' || !r.reason) return null;
  if (r.reason === REMOVED_ON_META) return { event: 'deauthorize', at: r.disconnectedAt };
  const removedPrefix = removedOnMeta(''); // read here, not at load: the modules import each other's neighbours
  if (r.reason.startsWith(removedPrefix)) return { event: r.reason.slice(removedPrefix.length).slice(0, 80), at: r.disconnectedAt };
  return null;
}

/** The record's meta_status as the API shows it. */
export function presentMetaStatus(r: Pick<RecordRow, 'metaStatus' | 'state' | 'reason' | 'disconnectedAt' | 'connectedAt'>): MetaStatusView {
  const s: Json = isObj(r.metaStatus) ? r.metaStatus : {};
  const ban = topic(s, 'ban');
  const violation = topic(s, 'violation');
  const review = topic(s, 'review');
  const caps = topic(s, 'capabilities');
  const partner = topic(s, 'partner');
  const account = topic(s, 'account');
  // deauthorize.service writes { at, note } (no value): see setMetaStatusKey there
  const deauth = isObj(s.deauthorized) ? s.deauthorized : null;
  const deauthAt = deauth ? date(deauth.at) : null;
  // a connection made after the notice is a new grant: the notice no longer applies
  const deauthCurrent = deauthAt !== null && !(r.connectedAt && r.connectedAt.getTime() > deauthAt.getTime());
  const partnerEvent = partner ? text(partner.value.event) : null;
  return {
    ban: ban ? { state: text(ban.value.state), date: text(ban.value.date), at: ban.at } : null,
    violation: violation ? { type: text(violation.value.type), at: violation.at } : null,
    review: review ? { decision: text(review.value.decision), at: review.at } : null,
    capabilities: caps
      ? {
          maxDailyConversationsPerBusiness: text(caps.value.maxDailyConversationsPerBusiness),
          maxDailyConversationPerPhone: text(caps.value.maxDailyConversationPerPhone),
          maxPhoneNumbersPerBusiness: text(caps.value.maxPhoneNumbersPerBusiness),
          maxPhoneNumbersPerWaba: text(caps.value.maxPhoneNumbersPerWaba),
          at: caps.at,
        }
      : null,
    partner: partner ? { event: partnerEvent, shared: partnerEvent !== null && SHARE.has(partnerEvent), at: partner.at } : null,
    reconnected: account && text(account.value.event) === 'ACCOUNT_RECONNECTED' ? { at: account.at } : null,
    appRemovedByConnector: deauth && deauthAt && deauthCurrent ? { at: deauthAt, tokenChecked: deauth.note === DEAUTHORIZED_NOTE } : null,
    removedOnMeta: removalOf(r),
  };
}

/** A phone number's name and quality topics from the record's meta_status. */
export function presentPhoneMeta(metaStatus: unknown, phoneNumberId: string): z.input<typeof phoneMetaSchema> {
  const s: Json = isObj(metaStatus) ? metaStatus : {};
  const name = topic(s, `phone_name:${phoneNumberId}`);
  const quality = topic(s, `phone_tier:${phoneNumberId}`);
  return {
    name: name ? { decision: text(name.value.decision), rejectionReason: text(name.value.rejectionReason), at: name.at } : null,
    quality: quality ? { event: text(quality.value.event), tier: text(quality.value.tier), at: quality.at } : null,
  };
}

/** Counter rows of one phone number folded into one object (kinds not counted are 0, unknown kinds count as other). */
export function presentCounters(rows: { kind: string; count: number; lastEventAt: Date | null }[]): MessageCounters {
  const out: MessageCounters = { inbound: 0, sent: 0, delivered: 0, read: 0, failed: 0, played: 0, other: 0, lastEventAt: null };
  for (const row of rows) {
    const kind: CountedKind = (KINDS as readonly string[]).includes(row.kind) ? (row.kind as CountedKind) : 'other';
    out[kind] += Number(row.count);
    if (row.lastEventAt && (!out.lastEventAt || row.lastEventAt > out.lastEventAt)) out.lastEventAt = row.lastEventAt;
  }
  return out;
}

/** A stored before/after value as flat facts: scalars kept (strings bounded), anything nested dropped. */
function flat(v: unknown): Record<string, string | number | boolean | null> | null {
  if (v === null || v === undefined) return null;
  if (!isObj(v)) return { value: typeof v === 'string' ? v.slice(0, 200) : typeof v === 'number' || typeof v === 'boolean' ? v : null };
  const out: Record<string, string | number | boolean | null> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === 'string') out[k] = x.slice(0, 200);
    else if (typeof x === 'number' || typeof x === 'boolean' || x === null) out[k] = x;
  }
  return out;
}

/** One stored history row as the API shows it. */
export function presentHistory(h: { id: number; at: Date; source: string; topic: string; phoneNumberId: string | null; before: unknown; after: unknown }): HistoryItem {
  return { id: h.id, at: h.at, source: h.source, topic: h.topic, phoneNumberId: h.phoneNumberId, before: flat(h.before), after: flat(h.after) };
}
