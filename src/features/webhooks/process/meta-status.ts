/**
 * Meta's reports about a record, applied by the reports' own timestamps: meta_status holds
 * `{ value, at }` per topic, and an event older than the stored one changes nothing (deliveries
 * arrive out of order). Each applied change leaves a history line.
 */
import type { Tx } from '../../../db/client.js';
import { insertHistory, setMetaStatus, type RecordState } from './process.repo.js';

/** The event being applied: its id, field and own time. */
export interface EventRef {
  id: number;
  field: string;
  at: Date;
}

/** The stored time of a topic, or null. */
export function topicTime(rec: RecordState, topic: string): Date | null {
  const t = rec.metaStatus[topic];
  if (typeof t !== 'object' || t === null) return null;
  const at = (t as { at?: unknown }).at;
  const d = typeof at === 'string' ? new Date(at) : null;
  return d && !Number.isNaN(d.getTime()) ? d : null;
}

/** True when an event at `at` is not older than what the record holds for `topic`. */
export function isCurrent(rec: RecordState, topic: string, at: Date): boolean {
  const stored = topicTime(rec, topic);
  return stored === null || stored.getTime() <= at.getTime();
}

/**
 * Sets `topic` to `value` when the event is not older than the stored one, with a history line.
 * Returns false (nothing written) for an older event.
 */
export async function applyTopic(
  tx: Tx,
  rec: RecordState,
  topic: string,
  value: unknown,
  ev: EventRef,
  now: Date,
  opts: { phoneNumberId?: string | null; historyTopic?: string } = {},
): Promise<boolean> {
  if (!isCurrent(rec, topic, ev.at)) return false;
  const before = (rec.metaStatus[topic] as { value?: unknown } | undefined)?.value ?? null;
  rec.metaStatus = { ...rec.metaStatus, [topic]: { value, at: ev.at.toISOString() } };
  await setMetaStatus(tx, rec.id, rec.metaStatus, now);
  await insertHistory(tx, {
    recordId: rec.id,
    phoneNumberId: opts.phoneNumberId ?? null,
    at: ev.at,
    source: ev.field,
    topic: opts.historyTopic ?? topic,
    before,
    after: value,
    webhookEventId: ev.id,
  });
  return true;
}
