/**
 * Webhooks: the subscription handshake, taking in a delivery (signature over the raw bytes first,
 * then parse, then one statement storing every change with its dedupe key, committed before the
 * 200), the event log and reprocessing a failed event.
 */
import { decodeCursor, encodeCursor } from '../../http/cursor.js';
import { AppError } from '../../http/errors.js';
import type { Db } from '../../db/client.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../logger.js';
import { webhookChanges, webhookDeliveries } from '../metrics/metrics.js';
import { rateLimitedLog } from './webhook-metrics.js';
import { parseDelivery } from './webhook-parse.js';
import { checkSignature, sameSecret } from './webhook-signature.js';
import { processBatch, type ProcessSummary } from './process/process.service.js';
import type { WebhookRow } from './webhook-parse.js';
import { findEvent, insertDeliveries, insertDelivery, listEvents, resetFailed, type WebhookState } from './webhooks.repo.js';

/** What the webhook routes need. */
export interface WebhookDeps {
  db: Db;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  appSecret: string;
  verifyToken: string | undefined;
  rawRetentionHours: number;
  /** PUBLIC_URL is https: answers carry HSTS */
  secure?: boolean;
  /** Asks for processing after a delivery committed (main.ts: the `webhooks.process` job); coalesced here. */
  scheduleProcessing?: () => Promise<void>;
  /** Stores one delivery's rows (committed when it resolves); default: its own statement (insertDelivery). */
  storeDelivery?: StoreDelivery;
}

/** Stores one delivery's rows; resolves once they are committed. */
export type StoreDelivery = (rows: WebhookRow[], receivedAt: Date) => Promise<{ id: number; state: WebhookState }[]>;

/** GET handshake: the challenge to echo, or a 403. */
export function verifySubscription(deps: Pick<WebhookDeps, 'verifyToken'>, query: Record<string, unknown>): string {
  const challenge = query['hub.challenge'];
  if (query['hub.mode'] === 'subscribe' && sameSecret(query['hub.verify_token'], deps.verifyToken) && typeof challenge === 'string' && challenge.length > 0 && challenge.length <= 200) {
    return challenge;
  }
  throw new AppError('forbidden', 'Webhook verification refused.');
}

const warnSignature = rateLimitedLog(10_000);

/** What a stored delivery came to. */
export interface IngestResult {
  stored: number;
  duplicates: number;
}

/** Verifies, parses and stores a delivery. Throws 401 (signature), 400 (body) or 413 (too many changes). */
export async function ingestDelivery(deps: WebhookDeps, raw: Buffer, signature: unknown, meta: { requestId: string }): Promise<IngestResult> {
  webhookDeliveries.inc({ result: 'received' });
  const failure = checkSignature(raw, signature, deps.appSecret);
  if (failure) {
    webhookDeliveries.inc({ result: 'rejected' });
    warnSignature((suppressed) => deps.logger.warn({ webhook: { signature: failure, bytes: raw.length, requestId: meta.requestId, suppressed } }, 'webhook delivery refused: bad signature'));
    throw new AppError('unauthenticated', 'The webhook signature is missing or does not match.');
  }
  const now = deps.clock.now();
  const rows = parseDelivery(raw, { now, rawRetentionHours: deps.rawRetentionHours });
  const stored = deps.storeDelivery ? await deps.storeDelivery(rows, now) : await insertDelivery(deps.db, rows, now);
  const duplicates = stored.filter((r) => r.state === 'duplicate').length;
  webhookDeliveries.inc({ result: 'verified' });
  webhookChanges.inc({ outcome: 'stored' }, stored.length - duplicates);
  if (duplicates > 0) webhookChanges.inc({ outcome: 'duplicate' }, duplicates);
  return { stored: stored.length, duplicates };
}

/**
 * Group commit of concurrent deliveries: a delivery goes to the database at once when fewer than
 * `statements` inserts are in flight (default 1: statements add to the same message counter rows,
 * so a second one mostly waits for the first one's lock; measured, one in flight with larger batches
 * is ~30 % faster than two and ~50 % faster than four); otherwise it waits for the next free one, which stores every
 * waiting delivery (up to `maxRows` changes) in ONE statement, hence one commit. No timer: at low
 * load each delivery is its own statement, under load the batches grow by themselves. Each promise
 * resolves only after the statement holding its rows committed (the 200 stays after the commit);
 * when a shared statement fails, its deliveries are retried one by one, so one bad delivery fails
 * alone.
 */
export function deliveryBatcher(db: Db, opts: { statements?: number; maxRows?: number } = {}): StoreDelivery {
  const statements = opts.statements ?? 1;
  const maxRows = opts.maxRows ?? 2_000;
  type Waiting = { rows: WebhookRow[]; receivedAt: Date; resolve: (v: { id: number; state: WebhookState }[]) => void; reject: (e: unknown) => void };
  let queue: Waiting[] = [];
  let running = 0;
  const pump = (): void => {
    while (running < statements && queue.length > 0) {
      let rows = 0;
      let n = 0;
      while (n < queue.length && (n === 0 || rows + queue[n]!.rows.length <= maxRows)) rows += queue[n++]!.rows.length;
      const batch = queue.slice(0, n);
      queue = queue.slice(n);
      running++;
      void store(batch).finally(() => {
        running--;
        pump();
      });
    }
  };
  const store = async (batch: Waiting[]): Promise<void> => {
    try {
      const stored = await insertDeliveries(db, batch);
      batch.forEach((w, i) => w.resolve(stored[i]!));
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
      // in order, each alone: only the delivery that cannot be stored fails
      for (const w of batch) {
        try {
          w.resolve(await insertDelivery(db, w.rows, w.receivedAt));
        } catch (e) {
          w.reject(e);
        }
      }
    }
  };
  return (rows, receivedAt) =>
    rows.length === 0
      ? Promise.resolve([])
      : new Promise((resolve, reject) => {
          queue.push({ rows, receivedAt, resolve, reject });
          pump();
        });
}

/**
 * Coalesces processing requests: at most one `schedule()` call in flight plus one queued behind it,
 * and calls at least `minIntervalMs` apart, however many deliveries arrive meanwhile (one job
 * processes every pending event; the minute sweep catches anything a lost request leaves).
 */
export function coalescedTrigger(schedule: () => Promise<void>, onError: (err: unknown) => void, minIntervalMs = 1_000): () => void {
  let running = false;
  let again = false;
  const run = (): void => {
    running = true;
    again = false;
    const started = Date.now();
    schedule()
      .catch(onError)
      .finally(() => {
        const wait = Math.max(0, minIntervalMs - (Date.now() - started));
        const next = () => {
          running = false;
          if (again) run();
        };
        if (wait === 0) next();
        else setTimeout(next, wait).unref();
      });
  };
  return () => {
    if (running) again = true;
    else run();
  };
}

/** The list query as the service takes it. */
export interface EventQuery {
  state?: WebhookState;
  field?: string;
  wabaId?: string;
  from?: Date;
  to?: Date;
  cursor?: string;
  limit: number;
}

const ID = /^\d{1,19}$/;

/** One page of the event log, newest first. */
export async function listWebhookEvents(deps: Pick<WebhookDeps, 'db'>, q: EventQuery) {
  let after: { receivedAt: Date; id: number } | undefined;
  if (q.cursor) {
    const c = decodeCursor(q.cursor, ID);
    const at = c.value ? new Date(c.value) : null;
    if (!at || Number.isNaN(at.getTime())) throw new AppError('validation_failed', 'cursor: is not a cursor from this list', [{ path: 'cursor', message: 'is not a cursor from this list' }]);
    after = { receivedAt: at, id: Number(c.id) };
  }
  const rows = await listEvents(deps.db, { state: q.state, field: q.field, wabaId: q.wabaId, from: q.from, to: q.to, after, limit: q.limit + 1 });
  const items = rows.slice(0, q.limit).map((r) => ({ ...r, summary: (r.summary ?? {}) as Record<string, unknown> }));
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > q.limit && last ? encodeCursor(last.receivedAt.toISOString(), String(last.id)) : null };
}

/** Puts a failed event back to pending and processes it at once. */
export async function reprocessEvent(deps: Pick<WebhookDeps, 'db' | 'clock' | 'logger'>, id: number): Promise<{ summary: ProcessSummary; event: NonNullable<Awaited<ReturnType<typeof findEvent>>> }> {
  const reset = await resetFailed(deps.db, id);
  if (reset === 'not_found') throw new AppError('not_found', 'No such webhook event.');
  if (reset === 'not_failed') throw new AppError('conflict', 'Only a failed webhook event can be reprocessed.');
  const summary = await processBatch(deps, { ids: [id], limit: 1 });
  const event = await findEvent(deps.db, id);
  if (!event) throw new AppError('not_found', 'No such webhook event.');
  return { summary, event };
}
