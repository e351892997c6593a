/**
 * `messages`: the summaries of a batch summed per (phone number id, kind) and added to
 * phone_message_counters in one statement; last_event_at only moves forward.
 */
import type { Tx } from '../../../db/client.js';
import type { WebhookEventRow } from '../webhooks.repo.js';
import { addToCounters, type CounterDelta } from './process.repo.js';

/** The per-(phone, kind) sums of a batch of messages events (pure). */
export function counterDeltas(rows: Pick<WebhookEventRow, 'phoneNumberId' | 'eventAt' | 'summary'>[]): CounterDelta[] {
  const sums = new Map<string, CounterDelta>();
  for (const r of rows) {
    if (!r.phoneNumberId) continue;
    const kinds = (r.summary as { kinds?: Record<string, unknown> }).kinds ?? {};
    for (const [kind, n] of Object.entries(kinds)) {
      if (typeof n !== 'number' || n <= 0) continue;
      const key = `${r.phoneNumberId}\u0000${kind}`;
      const d = sums.get(key) ?? { phoneNumberId: r.phoneNumberId, kind, count: 0, lastEventAt: null };
      d.count += n;
      if (r.eventAt && (!d.lastEventAt || r.eventAt > d.lastEventAt)) d.lastEventAt = r.eventAt;
      sums.set(key, d);
    }
  }
  return [...sums.values()];
}

/** Adds a batch's messages events to the counters. */
export async function applyMessages(tx: Tx, rows: WebhookEventRow[]): Promise<void> {
  await addToCounters(tx, counterDeltas(rows));
}
