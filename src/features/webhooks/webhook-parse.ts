/**
 * A verified delivery's bytes -> one row per `changes[]` item (src/features/webhooks/webhooks.repo.ts
 * stores them). Pure: no clock, no I/O. Anything it cannot read becomes an AppError (400/413), never
 * another exception.
 */
import { AppError } from '../../http/errors.js';
import { isContentField, isManagementField } from './webhook-fields.js';
import { sha256Hex, summariseMessages, unixTime } from './webhook-messages.js';

/** One change as stored. */
export interface WebhookRow {
  field: string;
  wabaId: string | null;
  phoneNumberId: string | null;
  eventAt: Date | null;
  sizeBytes: number;
  dedupeKey: string;
  summary: Record<string, unknown>;
  payload: Record<string, unknown> | null;
  payloadPurgeAfter: Date | null;
  /** `processed` for messages: their counters are added by the statement that stores them */
  state: 'pending' | 'processed' | 'unhandled';
  reason: string | null;
}

/** More changes than this in one POST is not Meta (which batches up to 1,000). */
export const MAX_CHANGES = 5_000;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A Meta id (digits; numbers accepted), else null. */
function metaId(v: unknown): string | null {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  if (typeof v === 'string' && /^\d{1,30}$/.test(v)) return v;
  return null;
}

/** An enum-like value Meta sends (APPROVED, PARTNER_REMOVED, TIER_2K ...), else undefined. */
function word(v: unknown): string | undefined {
  return typeof v === 'string' && /^[A-Za-z0-9_]{1,60}$/.test(v) ? v : undefined;
}

const bad = (detail: string) => new AppError('validation_failed', detail, [{ path: 'body', message: detail }]);

/** Content-free facts of a management change. */
function managementSummary(field: string, value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const event = word(value.event);
  if (event) out.event = event;
  const decision = word(value.decision);
  if (decision) out.decision = decision;
  const tier = word(value.max_daily_conversations_per_business) ?? (typeof value.max_daily_conversations_per_business === 'number' ? String(value.max_daily_conversations_per_business) : undefined);
  if (tier && (field === 'phone_number_quality_update' || field === 'business_capability_update')) out.tier = tier;
  return out;
}

/** Turns one change into its row. */
function rowOf(entry: Record<string, unknown>, change: unknown, opts: { purgeAfter: Date; onlyChangeBytes: number | null }): WebhookRow {
  const entryId = metaId(entry.id);
  const entryTime = unixTime(entry.time);
  const rawField = isObject(change) ? change.field : undefined;
  const field = typeof rawField === 'string' && rawField.length > 0 ? rawField.slice(0, 100) : '(missing)';
  const value = isObject(change) && isObject(change.value) ? change.value : null;
  // serialised only when needed (it is most of the cost of a status update): for the dedupe key of
  // anything but keyed messages, and for the size of a change that shares its delivery
  let serialised: string | undefined;
  const serialise = (): string => {
    if (serialised === undefined) {
      try {
        serialised = JSON.stringify({ field, entry: entryId, value });
      } catch {
        throw bad('A change could not be read.');
      }
    }
    return serialised;
  };
  const sizeBytes = opts.onlyChangeBytes ?? Buffer.byteLength(serialise(), 'utf8');
  const base = { field, wabaId: entryId, phoneNumberId: null, eventAt: entryTime, sizeBytes, payload: null, payloadPurgeAfter: null };
  if (!value) {
    return { ...base, dedupeKey: sha256Hex(serialise()), summary: {}, state: 'unhandled', reason: 'malformed change' };
  }
  if (field === 'messages') {
    const { summary, pairs, latest } = summariseMessages(value);
    const metadata = isObject(value.metadata) ? value.metadata : {};
    const phoneNumberId = metaId(metadata.phone_number_id);
    // a change with neither messages nor statuses (value-level errors only) is keyed by its whole value
    const dedupeKey = pairs.length > 0 ? sha256Hex(`messages\u0000${phoneNumberId ?? ''}\u0000${pairs.join('\u0001')}`) : sha256Hex(serialise());
    const facts = phoneNumberId ? { ...summary } : { ...summary, phone: 'none' };
    return { ...base, phoneNumberId, eventAt: latest ?? entryTime, dedupeKey, summary: facts, state: 'processed', reason: null };
  }
  const dedupeKey = sha256Hex(serialise());
  if (isManagementField(field)) {
    let wabaId = entryId;
    const event = word(value.event);
    if (field === 'account_update' && event?.startsWith('PARTNER_') && isObject(value.waba_info)) wabaId = metaId(value.waba_info.waba_id) ?? entryId;
    return { ...base, wabaId, dedupeKey, summary: managementSummary(field, value), payload: value, payloadPurgeAfter: opts.purgeAfter, state: 'pending', reason: null };
  }
  return { ...base, dedupeKey, summary: {}, state: 'unhandled', reason: isContentField(field) ? 'field not processed (content)' : 'unknown field' };
}

/**
 * Parses a verified delivery. Bad JSON, a body that is not Meta's envelope → 400; more than
 * MAX_CHANGES changes → 413.
 */
export function parseDelivery(raw: Buffer, opts: { now: Date; rawRetentionHours: number }): WebhookRow[] {
  try {
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw bad('The request body is not valid JSON.');
    }
    if (!isObject(body) || !Array.isArray(body.entry)) throw bad('The body is not a webhook delivery (no entry list).');
    const purgeAfter = new Date(opts.now.getTime() + opts.rawRetentionHours * 3_600_000);
    const rows: WebhookRow[] = [];
    // the usual delivery holds one change: its size is the body's
    const single = body.entry.length === 1 && isObject(body.entry[0]) && Array.isArray(body.entry[0].changes) && body.entry[0].changes.length === 1;
    const onlyChangeBytes = single ? raw.length : null;
    for (const entry of body.entry) {
      if (!isObject(entry) || !Array.isArray(entry.changes)) continue;
      for (const change of entry.changes) {
        if (rows.length >= MAX_CHANGES) throw new AppError('payload_too_large', `A delivery may carry at most ${MAX_CHANGES} changes.`);
        rows.push(rowOf(entry, change, { purgeAfter, onlyChangeBytes }));
      }
    }
    return rows;
  } catch (e) {
    if (e instanceof AppError) throw e;
    // anything unforeseen (a pathological body) is still the sender's problem, not a 500
    throw bad('The webhook body could not be read.');
  }
}
