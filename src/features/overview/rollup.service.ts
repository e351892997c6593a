/**
 * Keeps overview_hourly current: each run recounts the last 24 complete hours (webhook events
 * change state after arrival: pending -> processed or failed) and everything since the previous
 * mark, then moves the mark to the start of the current hour. The first run backfills all history.
 */
import type { Db } from '../../db/client.js';
import type { Clock } from '../../lib/clock.js';
import { readRollupMark, rewriteRollup, ROLLUP_KINDS, type RollupKind } from './rollup.repo.js';

const HOUR = 3_600_000;
/** Complete hours recounted on every run. */
export const RECOUNT_HOURS = 24;

/** Rolls up every kind; returns the rows written per kind. */
export async function runRollups(deps: { db: Db; clock: Clock }): Promise<Record<RollupKind, number>> {
  const now = deps.clock.now();
  const until = new Date(Math.floor(now.getTime() / HOUR) * HOUR);
  const out = {} as Record<RollupKind, number>;
  for (const kind of ROLLUP_KINDS) {
    out[kind] = await deps.db.transaction(async (tx) => {
      const mark = await readRollupMark(tx, kind);
      const recount = new Date(until.getTime() - RECOUNT_HOURS * HOUR);
      const since = mark === null ? null : new Date(Math.min(mark.getTime(), recount.getTime()));
      return rewriteRollup(tx, kind, since, until, now);
    });
  }
  return out;
}
