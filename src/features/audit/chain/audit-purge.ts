/**
 * The retention purge of old audit events: the only path that deletes audit rows. It goes through
 * the SQL function audit_purge (migration audit_append_only), which deletes a prefix of the chain —
 * links and their events (their personal values go by cascade) — below the first link whose event
 * is at or after `cutoff`, always keeping the head link so the chain continues from it. In the same
 * transaction it records a 'purge' anchor with purged_below = that cut: verification then starts
 * there and everything after it still verifies.
 */
import type { Db } from '../../../db/client.js';
import type { Clock } from '../../../lib/clock.js';
import type { Logger } from '../../../logger.js';
import type { KeyRing } from '../../vault/keyring.js';
import { anchorInTx, type AnchorResult } from './anchor.js';
import { callAuditPurge, lockChain } from './chain.repo.js';
import { sealInTx } from './sealer.js';

export interface AuditPurgeResult {
  /** events deleted (dry run: events that would be deleted now) */
  events: number;
  /** the purge anchor recorded (null on a dry run or when nothing was deleted) */
  anchorId: number | null;
}

/**
 * Deletes audit events older than `cutoff` (a chain prefix, see above). Events written but not yet
 * chained are sealed first, so the count is exact; on a dry run nothing is written and events still
 * waiting for the sealer are not counted.
 */
export async function purgeAuditEvents(
  db: Db,
  deps: { clock: Clock; keyring: KeyRing; logger?: Pick<Logger, 'info'> },
  cutoff: Date,
  opts: { dryRun: boolean },
): Promise<AuditPurgeResult> {
  if (opts.dryRun) {
    const r = await db.transaction(async (tx) => callAuditPurge(tx, cutoff, true));
    return { events: r.events, anchorId: null };
  }
  let anchor: AnchorResult | null = null;
  const events = await db.transaction(async (tx) => {
    await lockChain(tx);
    await sealInTx(tx, deps.clock);
    const r = await callAuditPurge(tx, cutoff, false);
    // every purge run anchors the head at its cut, also when nothing was old enough to go
    anchor = await anchorInTx(tx, deps, 'purge', r.events > 0 ? r.purgedBelow : null);
    return r.events;
  });
  const a = anchor as AnchorResult | null;
  if (a) {
    deps.logger?.info(
      { auditAnchor: { id: a.anchorId, position: a.position, headHash: a.headHash, at: a.at.toISOString(), reason: a.reason, purgedBelow: a.purgedBelow }, purgedEvents: events },
      'audit events purged and chain anchored',
    );
  }
  return { events, anchorId: a?.anchorId ?? null };
}
