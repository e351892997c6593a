/**
 * POST /sandbox/meta/events: the simulator sends a signed webhook or app callback to this app's own
 * listener, as Meta would. Either one event spelled out (`kind`), or a scenario for an onboarding
 * record, which reads the record's WABA, phone number and Meta user id and fires what Meta would
 * send in that situation.
 */
import { z } from 'zod';
import type { Db } from '../../db/client.js';
import { fieldError } from '../../http/errors.js';
import { BAN_STATES, EventBuildError, FIELD_EVENTS, WEBHOOK_FIELDS, type Delivery, type SimulatorEvents, type WebhookSendSpec } from '../../meta-simulator/index.js';
import { OnboardingError } from '../onboarding/onboarding.types.js';
import { getOnboarding } from '../onboarding/onboarding.service.js';

export const EVENT_SCENARIOS = ['customer_removed_app', 'waba_disabled', 'quality_dropped', 'inbound_message', 'data_deletion'] as const;
export type EventScenario = (typeof EVENT_SCENARIOS)[number];

const metaId = z.string().regex(/^\d{5,20}$/, 'must be a Meta id (digits)');

/**
 * One flat object so every error names its field: `{ kind: 'webhook', field, event?, wabaId,
 * phoneNumberId?, count?, layout?, banState? }`, `{ kind: 'deauthorize' | 'data_deletion', metaUserId }`
 * or `{ scenario, recordId }`.
 */
export const eventsBody = z
  .strictObject({
    scenario: z.enum(EVENT_SCENARIOS).optional(),
    recordId: z.uuid('must be a record id').optional(),
    kind: z.enum(['webhook', 'deauthorize', 'data_deletion']).optional(),
    field: z.enum(WEBHOOK_FIELDS).optional(),
    event: z.string().max(40).optional(),
    wabaId: metaId.optional(),
    phoneNumberId: metaId.optional(),
    count: z.int().min(1).max(1000).optional(),
    layout: z.enum(['changes', 'entries']).optional(),
    banState: z.enum(BAN_STATES).optional(),
    metaUserId: z.string().regex(/^\d{1,20}$/, 'must be a Meta user id (digits)').optional(),
  })
  .superRefine((b, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (b.scenario !== undefined) {
      if (b.recordId === undefined) issue('recordId', 'is required with a scenario');
      if (b.kind !== undefined) issue('kind', 'give either a scenario or a kind, not both');
      return;
    }
    if (b.kind === undefined) return issue('kind', 'is required (webhook, deauthorize, data_deletion), or give a scenario');
    if (b.kind === 'webhook') {
      if (b.field === undefined) issue('field', 'is required for a webhook');
      if (b.wabaId === undefined) issue('wabaId', 'is required for a webhook');
      if (b.field !== undefined && b.event !== undefined && !FIELD_EVENTS[b.field].includes(b.event)) {
        issue('event', `must be one of ${FIELD_EVENTS[b.field].join(', ')} for ${b.field}`);
      }
    } else if (b.metaUserId === undefined) issue('metaUserId', `is required for ${b.kind}`);
  });
export type EventsBody = z.infer<typeof eventsBody>;

export const deliverySummary = z.object({
  id: z.string(),
  kind: z.enum(['webhook', 'deauthorize', 'data_deletion']),
  target: z.string(),
  /** the first attempt's HTTP status (null: no answer) */
  status: z.number().int().nullable(),
  attempts: z.number().int(),
  state: z.enum(['pending', 'delivered', 'gave_up', 'cancelled']),
});

export const deliveryDetail = deliverySummary.extend({
  createdAt: z.date(),
  attemptLog: z.array(z.object({ n: z.number().int(), at: z.date(), status: z.number().int().nullable(), error: z.string().nullable(), durationMs: z.number() })),
  /** data deletion callbacks: what the app answered (the status page address and code; no secrets), else null */
  answer: z.object({ url: z.string(), confirmation_code: z.string() }).nullable(),
});

/** The app's answer to a data deletion callback, read from the last response body (only url and confirmation_code). */
function deletionAnswer(d: Delivery): { url: string; confirmation_code: string } | null {
  if (d.kind !== 'data_deletion' || !d.lastResponse) return null;
  try {
    const body = JSON.parse(d.lastResponse) as unknown;
    if (body && typeof body === 'object' && 'url' in body && 'confirmation_code' in body && typeof body.url === 'string' && typeof body.confirmation_code === 'string') {
      return { url: body.url, confirmation_code: body.confirmation_code };
    }
  } catch {
    /* not JSON: no answer to show */
  }
  return null;
}

export function summarise(d: Delivery): z.infer<typeof deliverySummary> {
  return { id: d.id, kind: d.kind, target: d.target, status: d.attempts[0]?.status ?? null, attempts: d.attempts.length, state: d.state };
}

export function detail(d: Delivery): z.infer<typeof deliveryDetail> {
  return { ...summarise(d), createdAt: d.createdAt, attemptLog: d.attempts.map((a) => ({ ...a })), answer: deletionAnswer(d) };
}

/** Where Meta would post: the app's own listener. */
export interface EventTargets {
  webhook: string;
  deauthorize: string;
  data_deletion: string;
}

export function targetsOf(base: string): EventTargets {
  return { webhook: `${base}/webhooks/whatsapp`, deauthorize: `${base}/meta/deauthorize`, data_deletion: `${base}/meta/data-deletion` };
}

type Step = { kind: 'webhook'; spec: WebhookSendSpec } | { kind: 'deauthorize' | 'data_deletion'; userId: string };

/** What a scenario sends for a record (the record's ids read with the onboarding service). */
async function scenarioSteps(db: Db, scenario: EventScenario, recordId: string): Promise<Step[]> {
  let view;
  try {
    view = await getOnboarding({ db }, recordId);
  } catch (err) {
    if (err instanceof OnboardingError && err.kind === 'not_found') throw fieldError('recordId', 'no such onboarding record');
    throw err;
  }
  const r = view.record;
  const wabaId = r.wabaId;
  const phoneNumberId = r.phoneNumberId ?? view.phoneNumbers[0]?.phoneNumberId ?? undefined;
  const userId = r.metaUserId ?? r.tokenUserId;
  const needWaba = () => {
    if (!wabaId) throw fieldError('recordId', 'the record has no WABA yet');
    return wabaId;
  };
  const phone = phoneNumberId ? { phoneNumberId } : {};
  switch (scenario) {
    case 'customer_removed_app':
      return [
        { kind: 'webhook', spec: { field: 'account_update', event: 'PARTNER_APP_UNINSTALLED', wabaId: needWaba() } },
        ...(userId ? [{ kind: 'deauthorize' as const, userId }] : []),
      ];
    case 'waba_disabled':
      return [{ kind: 'webhook', spec: { field: 'account_update', event: 'DISABLED_UPDATE', banState: 'DISABLE', wabaId: needWaba() } }];
    case 'quality_dropped':
      return [{ kind: 'webhook', spec: { field: 'phone_number_quality_update', event: 'FLAGGED', quality: 'RED', wabaId: needWaba(), ...phone } }];
    case 'inbound_message':
      return [{ kind: 'webhook', spec: { field: 'messages', event: 'text', wabaId: needWaba(), ...phone } }];
    case 'data_deletion':
      if (!userId) throw fieldError('recordId', 'the record has no Meta user id');
      return [{ kind: 'data_deletion', userId }];
  }
}

function explicitSteps(b: EventsBody): Step[] {
  if (b.kind === 'webhook') {
    const spec: WebhookSendSpec = { field: b.field!, wabaId: b.wabaId! };
    if (b.event !== undefined) spec.event = b.event;
    if (b.phoneNumberId !== undefined) spec.phoneNumberId = b.phoneNumberId;
    if (b.count !== undefined) spec.count = b.count;
    if (b.layout !== undefined) spec.layout = b.layout;
    if (b.banState !== undefined) spec.banState = b.banState;
    return [{ kind: 'webhook', spec }];
  }
  return [{ kind: b.kind!, userId: b.metaUserId! }];
}

/** Sends what the body asks for, one after the other; resolves after each one's first attempt. */
export async function sendEvents(deps: { db: Db; events: SimulatorEvents; targets: EventTargets }, b: EventsBody): Promise<Delivery[]> {
  const steps = b.scenario !== undefined ? await scenarioSteps(deps.db, b.scenario, b.recordId!) : explicitSteps(b);
  // Build every webhook body first so a bad id fails the request before anything is sent.
  for (const s of steps) {
    if (s.kind !== 'webhook') continue;
    try {
      deps.events.build(s.spec);
    } catch (err) {
      if (err instanceof EventBuildError) throw fieldError(b.scenario !== undefined ? 'recordId' : err.field, b.scenario !== undefined ? `the record's ${err.message}` : err.message.replace(`${err.field}: `, ''));
      throw err;
    }
  }
  const out: Delivery[] = [];
  for (const s of steps) {
    out.push(s.kind === 'webhook' ? await deps.events.webhook(deps.targets.webhook, s.spec) : await deps.events.callback(deps.targets[s.kind], s.kind, s.userId));
  }
  return out;
}
