/**
 * Processing of stored webhook events: batches of up to 1,000 pending events locked with
 * FOR UPDATE SKIP LOCKED (several workers never take the same event), each management event applied
 * in its own savepoint (one failure fails that event only), the batch's messages summed into the
 * counters in one statement, then every event settled in one statement: processed, or failed with a
 * short reason and attempts + 1.
 */
import type { Tx } from '../../../db/client.js';
import { claimPending, settleEvents, type Settled, type WebhookEventRow } from '../webhooks.repo.js';
import { applyAccountUpdate } from './account-update.js';
import { applyBusinessStatus } from './business-status.js';
import { applyMessages } from './messages.js';
import { applyPhoneNumberUpdate } from './phone-numbers.js';
import type { Outcome, ProcessDeps } from './process.types.js';
import { webhookProcessed } from '../../metrics/metrics.js';
import { errorSummary } from '../../../lib/loggable-error.js';

export const BATCH_SIZE = 1_000;

/** What a processing run did. */
export interface ProcessSummary {
  claimed: number;
  processed: number;
  failed: number;
}

type Handler = (tx: Tx, deps: ProcessDeps, ev: WebhookEventRow) => Promise<Outcome>;

const HANDLERS: Record<string, Handler> = {
  account_update: applyAccountUpdate,
  account_review_update: applyBusinessStatus,
  business_capability_update: applyBusinessStatus,
  phone_number_name_update: applyPhoneNumberUpdate,
  phone_number_quality_update: applyPhoneNumberUpdate,
};

const byTime = (a: WebhookEventRow, b: WebhookEventRow) => (a.eventAt?.getTime() ?? 0) - (b.eventAt?.getTime() ?? 0) || a.id - b.id;

/** Processes one batch (or the given pending events). */
export async function processBatch(deps: ProcessDeps, opts: { limit?: number; ids?: number[] } = {}): Promise<ProcessSummary> {
  const summary = await deps.db.transaction(async (tx) => {
    const rows = await claimPending(tx, opts.limit ?? BATCH_SIZE, opts.ids);
    const settled: Settled[] = [];
    const messages = rows.filter((r) => r.field === 'messages');
    // management events in the order of their own time, so one batch already applies forward
    for (const ev of rows.filter((r) => r.field !== 'messages').sort(byTime)) {
      const handler = HANDLERS[ev.field];
      if (!handler) {
        // kept for the log (template status, account alerts): nothing on the record follows from them
        settled.push({ id: ev.id, state: 'processed', reason: null, recordId: null, note: { applied: 'nothing (logged only)' } });
        continue;
      }
      try {
        const out = await tx.transaction((sp) => handler(sp, deps, ev));
        settled.push({ id: ev.id, state: 'processed', reason: null, recordId: out.recordId, note: out.note });
      } catch (e) {
        deps.logger.error({ webhook: { eventId: ev.id, field: ev.field }, reason: errorSummary(e) }, 'webhook event processing failed');
        settled.push({ id: ev.id, state: 'failed', reason: errorSummary(e), recordId: null, note: null });
      }
    }
    if (messages.length > 0) {
      try {
        await tx.transaction((sp) => applyMessages(sp, messages));
        for (const ev of messages) settled.push({ id: ev.id, state: 'processed', reason: null, recordId: null, note: ev.phoneNumberId ? null : { phone: 'none' } });
      } catch (e) {
        deps.logger.error({ webhook: { events: messages.length, field: 'messages' }, reason: errorSummary(e) }, 'webhook messages processing failed');
        for (const ev of messages) settled.push({ id: ev.id, state: 'failed', reason: errorSummary(e), recordId: null, note: null });
      }
    }
    await settleEvents(tx, settled, deps.clock.now());
    return { claimed: rows.length, processed: settled.filter((s) => s.state === 'processed').length, failed: settled.filter((s) => s.state === 'failed').length };
  });
  // counted once committed
  if (summary.processed > 0) webhookProcessed.inc({ result: 'processed' }, summary.processed);
  if (summary.failed > 0) webhookProcessed.inc({ result: 'failed' }, summary.failed);
  return summary;
}

/** Processes batches until none is full (at most `maxBatches`, so one job run stays bounded). */
export async function processPending(deps: ProcessDeps, maxBatches = 50): Promise<ProcessSummary> {
  const total: ProcessSummary = { claimed: 0, processed: 0, failed: 0 };
  for (let i = 0; i < maxBatches; i++) {
    const s = await processBatch(deps);
    total.claimed += s.claimed;
    total.processed += s.processed;
    total.failed += s.failed;
    if (s.claimed < BATCH_SIZE) break;
  }
  return total;
}
