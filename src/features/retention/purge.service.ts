/**
 * The retention purge: one function for the daily job, the CLI and the owners' "Run purge now".
 * Each kind is purged past its period in bounded batches (each statement its own short transaction,
 * so no huge transaction holds locks or bloats WAL), skipping subjects under legal hold. Audit events
 * go through the audit chain's purge, which anchors the chain at the cut. A real run leaves a
 * purge_runs row and ONE 'retention.purged' audit event with the counts; a dry run changes nothing.
 */
import type { Pool } from 'pg';
import type { Logger } from '../../logger.js';
import { AppError } from '../../http/errors.js';
import { recordAudit } from '../audit/audit.service.js';
import { messages } from '../notifications/messages.js';
import { notify } from '../notifications/notify.js';
import type { AuditContext } from '../audit/audit.types.js';
import { purgeAuditEvents } from '../audit/chain/audit-purge.js';
import { periodMs, RETENTION_KINDS, type RetentionKind } from './retention-kinds.js';
import type { RetentionDeps } from './retention.deps.js';
import { closeInterruptedRuns, finishPurgeRun, insertPurgeRun } from './retention.repo.js';
import { effectivePeriods } from './retention.service.js';
import { KIND_PURGES, type Cut } from './purge.repo.js';

export type PurgeTrigger = 'schedule' | 'cli' | 'manual';

export interface PurgeResult {
  /** null for a dry run (nothing is recorded) */
  runId: number | null;
  dryRun: boolean;
  /** rows deleted or erased per kind (dry run: that would be) */
  counts: Record<RetentionKind, number>;
  /** the audit chain anchor written at the cut (null on a dry run, or when the chain wrote none) */
  anchorId: number | null;
  /** each kind's cut: data older than this was due */
  cutoffs: Record<RetentionKind, Date>;
}

export const DEFAULT_BATCH = 5_000;

/** Only one purge at a time across instances (a manual run during the scheduled one waits for nothing: it is refused). */
const PURGE_LOCK = 0x7265_7465; // 'rete'

/** Runs the purge; `actor` defaults from the trigger (system for schedule, cli for the CLI). */
export async function runPurge(
  deps: RetentionDeps & { logger?: Pick<Logger, 'info'> },
  opts: { dryRun: boolean; trigger: PurgeTrigger; actor?: AuditContext },
): Promise<PurgeResult> {
  const periods = await effectivePeriods(deps);
  const now = deps.clock.now();
  const cutoffs = Object.fromEntries(RETENTION_KINDS.map((k) => [k, new Date(now.getTime() - periodMs(k, periods[k]))])) as Record<RetentionKind, Date>;
  const counts = Object.fromEntries(RETENTION_KINDS.map((k) => [k, 0])) as Record<RetentionKind, number>;

  if (opts.dryRun) {
    for (const kind of RETENTION_KINDS) {
      if (kind === 'audit_events') {
        counts[kind] = (await purgeAuditEvents(deps.db, deps, cutoffs[kind], { dryRun: true })).events;
      } else {
        counts[kind] = await KIND_PURGES[kind].count(deps.db, cut(deps, now, cutoffs[kind]));
      }
    }
    return { runId: null, dryRun: true, counts, anchorId: null, cutoffs };
  }

  // a session-level advisory lock on one pooled connection, held for the whole run
  // (drizzle keeps the pool it was built on as $client; Db's type does not spell it out)
  const lockClient = await (deps.db as unknown as { $client: Pool }).$client.connect();
  try {
    const got = await lockClient.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [PURGE_LOCK]);
    if (!got.rows[0]?.ok) throw new AppError('conflict', 'a purge is already running; try again when it has finished');
    try {
      return await purgeLocked(deps, opts, now, cutoffs, counts);
    } finally {
      await lockClient.query('SELECT pg_advisory_unlock($1)', [PURGE_LOCK]);
    }
  } finally {
    lockClient.release();
  }
}

async function purgeLocked(
  deps: RetentionDeps & { logger?: Pick<Logger, 'info'> },
  opts: { trigger: PurgeTrigger; actor?: AuditContext },
  now: Date,
  cutoffs: Record<RetentionKind, Date>,
  counts: Record<RetentionKind, number>,
): Promise<PurgeResult> {
  const limit = deps.batchSize ?? DEFAULT_BATCH;
  await closeInterruptedRuns(deps.db, now);
  const runId = await insertPurgeRun(deps.db, { startedAt: now, trigger: opts.trigger });
  let anchorId: number | null = null;
  try {
    for (const kind of RETENTION_KINDS) {
      if (kind === 'audit_events') continue;
      const purge = KIND_PURGES[kind];
      const c = cut(deps, now, cutoffs[kind]);
      // until a statement finds nothing: each is one short transaction of at most `limit` rows
      for (;;) {
        const n = await purge.batch(deps.db, c, limit);
        deps.onBatch?.(kind, n);
        if (n === 0) break;
        counts[kind] += n;
      }
    }
    // last, so the anchor is written after everything else this run changed; called even when no
    // event is due, so every run anchors the chain at its cut
    const audit = await purgeAuditEvents(deps.db, deps, cutoffs.audit_events, { dryRun: false });
    counts.audit_events = audit.events;
    anchorId = audit.anchorId;
  } catch (err) {
    const error = err instanceof Error ? err.message.slice(0, 500) : 'purge failed';
    await deps.db.transaction(async (tx) => {
      await finishPurgeRun(tx, runId, { finishedAt: deps.clock.now(), counts, anchorId, error });
      await notify(tx, deps.clock.now(), messages.purgeFailed(runId, error));
    });
    throw err;
  }
  const actor = opts.actor ?? { actorType: opts.trigger === 'cli' ? 'cli' : 'system', actorId: null, requestId: null };
  await deps.db.transaction(async (tx) => {
    await finishPurgeRun(tx, runId, { finishedAt: deps.clock.now(), counts, anchorId, error: null });
    await recordAudit(tx, deps.clock, actor, { action: 'retention.purged', details: { runId, trigger: opts.trigger, counts, anchorId } });
  });
  deps.logger?.info({ purgeRun: runId, trigger: opts.trigger, counts, anchorId }, 'retention purge finished');
  return { runId, dryRun: false, counts, anchorId, cutoffs };
}

function cut(deps: Pick<RetentionDeps, 'sessionIdleMs'>, now: Date, cutoff: Date): Cut {
  return { now, cutoff, sessionIdleMs: deps.sessionIdleMs };
}
