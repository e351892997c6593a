/**
 * The webhook event log's SQL: storing a delivery (events and dedupe keys in one statement),
 * claiming pending events, settling them, the list, and retention.
 */
import { and, desc, eq, gte, inArray, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { webhookDedupeKeys, webhookEvents } from '../../db/schema.js';
import type { WebhookRow } from './webhook-parse.js';

export type WebhookEventRow = typeof webhookEvents.$inferSelect;
export type WebhookState = WebhookEventRow['state'];

/**
 * Stores every row of a delivery in one statement: ids drawn first, the dedupe keys inserted
 * (ON CONFLICT DO NOTHING RETURNING), then all events in one multi-row INSERT, those whose key was
 * already known (or repeated earlier in the same delivery) as `duplicate`, and the `messages`
 * changes that are new added to phone_message_counters (they arrive `processed`: counting is all
 * their processing, and doing it here spares a second write of each row). One statement is one
 * transaction: events, keys and counts commit together or not at all.
 */
export async function insertDelivery(ex: Executor, rows: WebhookRow[], receivedAt: Date): Promise<{ id: number; state: WebhookState }[]> {
  return (await insertDeliveries(ex, [{ rows, receivedAt }]))[0]!;
}

/** One delivery's rows and when it was received. */
export interface DeliveryRows {
  rows: WebhookRow[];
  receivedAt: Date;
}

/**
 * Stores several deliveries in ONE statement (so one commit), in the given order: a change is a
 * duplicate of a known key or of the same key earlier in this call (an earlier delivery, or earlier
 * in its own), exactly as if the deliveries had been stored one after the other. Returns each
 * delivery's stored rows (id and state), in its row order.
 */
export async function insertDeliveries(ex: Executor, deliveries: DeliveryRows[]): Promise<{ id: number; state: WebhookState }[][]> {
  const out = deliveries.map(() => [] as { id: number; state: WebhookState }[]);
  const input: Record<string, unknown>[] = [];
  const owner: [number, number][] = [];
  deliveries.forEach((d, di) => {
    const at = d.receivedAt.toISOString();
    d.rows.forEach((r, ri) => {
      owner.push([di, ri]);
      input.push({
        ord: input.length,
        received_at: at,
        field: r.field,
        waba_id: r.wabaId,
        phone_number_id: r.phoneNumberId,
        dedupe_key: r.dedupeKey,
        event_at: r.eventAt?.toISOString() ?? null,
        state: r.state,
        reason: r.reason,
        size_bytes: r.sizeBytes,
        summary: r.summary,
        payload: r.payload,
        payload_purge_after: r.payloadPurgeAfter?.toISOString() ?? null,
      });
    });
  });
  if (input.length === 0) return out;
  const res = await ex.execute<{ ord: number; id: number; state: WebhookState }>(sql`
    WITH input AS MATERIALIZED (
      SELECT nextval('webhook_events_id_seq'::regclass) AS id, r.*
      FROM jsonb_to_recordset(${JSON.stringify(input)}::jsonb) AS r(ord int, received_at timestamptz, field text, waba_id text, phone_number_id text, dedupe_key text,
        event_at timestamptz, state webhook_event_state, reason text, size_bytes int, summary jsonb, payload jsonb, payload_purge_after timestamptz)
    ),
    keys AS (
      INSERT INTO webhook_dedupe_keys (key, first_event_id, seen_at)
      SELECT DISTINCT ON (dedupe_key) dedupe_key, id, received_at FROM input ORDER BY dedupe_key, ord
      ON CONFLICT (key) DO NOTHING
      RETURNING key, first_event_id
    ),
    ins AS (
      INSERT INTO webhook_events (id, received_at, field, waba_id, phone_number_id, dedupe_key, event_at, state, reason, size_bytes, summary, payload, payload_purge_after, processed_at)
      SELECT i.id, i.received_at, i.field, i.waba_id, i.phone_number_id, i.dedupe_key, i.event_at,
        CASE WHEN k.first_event_id IS NULL THEN 'duplicate'::webhook_event_state ELSE i.state END,
        CASE WHEN k.first_event_id IS NULL THEN 'already received' ELSE i.reason END,
        i.size_bytes, i.summary,
        CASE WHEN k.first_event_id IS NULL THEN NULL ELSE i.payload END,
        CASE WHEN k.first_event_id IS NULL THEN NULL ELSE i.payload_purge_after END,
        CASE WHEN k.first_event_id IS NOT NULL AND i.state = 'processed' THEN i.received_at END
      FROM input i LEFT JOIN keys k ON k.first_event_id = i.id
      ORDER BY i.ord
      RETURNING id, state
    ),
    counted AS (
      -- sorted, so concurrent statements lock counter rows in the same order (no deadlock)
      INSERT INTO phone_message_counters (phone_number_id, kind, count, last_event_at)
      SELECT i.phone_number_id, c.key, sum(c.value::bigint), max(i.event_at)
      FROM input i JOIN keys k ON k.first_event_id = i.id
        CROSS JOIN LATERAL jsonb_each_text(COALESCE(i.summary->'kinds', '{}'::jsonb)) AS c
      WHERE i.field = 'messages' AND i.state = 'processed' AND i.phone_number_id IS NOT NULL
      GROUP BY i.phone_number_id, c.key
      ORDER BY i.phone_number_id, c.key
      ON CONFLICT (phone_number_id, kind) DO UPDATE SET
        count = phone_message_counters.count + excluded.count,
        last_event_at = GREATEST(phone_message_counters.last_event_at, excluded.last_event_at)
    )
    SELECT i.ord, ins.id, ins.state FROM ins JOIN input i ON i.id = ins.id ORDER BY i.ord`);
  if (res.rows.length !== input.length) throw new Error(`stored ${res.rows.length} of ${input.length} webhook events`);
  for (const r of res.rows) {
    const [di, ri] = owner[r.ord]!;
    out[di]![ri] = { id: r.id, state: r.state };
  }
  return out;
}

/** Locks up to `limit` pending events (oldest first), skipping those another worker holds. */
export async function claimPending(ex: Executor, limit: number, ids?: number[]): Promise<WebhookEventRow[]> {
  return ex
    .select()
    .from(webhookEvents)
    .where(and(eq(webhookEvents.state, 'pending'), ids ? inArray(webhookEvents.id, ids) : undefined))
    .orderBy(webhookEvents.id)
    .limit(limit)
    .for('update', { skipLocked: true });
}

/** One settled event. */
export interface Settled {
  id: number;
  state: 'processed' | 'failed';
  reason: string | null;
  recordId: string | null;
  /** merged into the stored summary (processing facts: no record, ignored event ...) */
  note: Record<string, unknown> | null;
}

/** Settles events in one statement: processed (processedAt) or failed (attempts + 1). */
export async function settleEvents(ex: Executor, settled: Settled[], at: Date): Promise<void> {
  if (settled.length === 0) return;
  const input = JSON.stringify(settled.map((s) => ({ id: s.id, state: s.state, reason: s.reason, record_id: s.recordId, note: s.note })));
  await ex.execute(sql`
    UPDATE webhook_events e SET
      state = s.state,
      reason = s.reason,
      record_id = COALESCE(s.record_id, e.record_id),
      summary = CASE WHEN s.note IS NULL THEN e.summary ELSE e.summary || s.note END,
      processed_at = CASE WHEN s.state = 'processed' THEN ${at.toISOString()}::timestamptz ELSE e.processed_at END,
      attempts = e.attempts + CASE WHEN s.state = 'failed' THEN 1 ELSE 0 END
    FROM jsonb_to_recordset(${input}::jsonb) AS s(id bigint, state webhook_event_state, reason text, record_id uuid, note jsonb)
    WHERE e.id = s.id`);
}

/** Puts a failed event back to pending; false when there is no failed event with that id. */
export async function resetFailed(ex: Executor, id: number): Promise<'reset' | 'not_found' | 'not_failed'> {
  const rows = await ex.update(webhookEvents).set({ state: 'pending' }).where(and(eq(webhookEvents.id, id), eq(webhookEvents.state, 'failed'))).returning({ id: webhookEvents.id });
  if (rows.length > 0) return 'reset';
  const found = await ex.select({ id: webhookEvents.id }).from(webhookEvents).where(eq(webhookEvents.id, id));
  return found.length > 0 ? 'not_failed' : 'not_found';
}

/** One event by id. */
export async function findEvent(ex: Executor, id: number): Promise<WebhookEventRow | null> {
  const rows = await ex.select().from(webhookEvents).where(eq(webhookEvents.id, id));
  return rows[0] ?? null;
}

/** List filters; `after` is the keyset position (receivedAt, id) of the previous page's last row. */
export interface EventFilter {
  state?: WebhookState;
  field?: string;
  wabaId?: string;
  from?: Date;
  to?: Date;
  after?: { receivedAt: Date; id: number };
  limit: number;
}

/** Events newest first, without the payload. */
export async function listEvents(ex: Executor, f: EventFilter) {
  const conds: (SQL | undefined)[] = [
    f.state ? eq(webhookEvents.state, f.state) : undefined,
    f.field ? eq(webhookEvents.field, f.field) : undefined,
    f.wabaId ? eq(webhookEvents.wabaId, f.wabaId) : undefined,
    f.from ? gte(webhookEvents.receivedAt, f.from) : undefined,
    f.to ? lte(webhookEvents.receivedAt, f.to) : undefined,
    f.after
      ? or(lt(webhookEvents.receivedAt, f.after.receivedAt), and(eq(webhookEvents.receivedAt, f.after.receivedAt), lt(webhookEvents.id, f.after.id)))
      : undefined,
  ];
  return ex
    .select({
      id: webhookEvents.id,
      receivedAt: webhookEvents.receivedAt,
      field: webhookEvents.field,
      wabaId: webhookEvents.wabaId,
      phoneNumberId: webhookEvents.phoneNumberId,
      eventAt: webhookEvents.eventAt,
      state: webhookEvents.state,
      reason: webhookEvents.reason,
      attempts: webhookEvents.attempts,
      summary: webhookEvents.summary,
      recordId: webhookEvents.recordId,
    })
    .from(webhookEvents)
    .where(and(...conds))
    .orderBy(desc(webhookEvents.receivedAt), desc(webhookEvents.id))
    .limit(f.limit);
}
