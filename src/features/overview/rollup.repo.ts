/**
 * SQL of the hourly rollups (overview_hourly): the per-hour counts of sign-in results and webhook
 * events. The same SELECT feeds the rollup job's INSERT and the overview's live read of the hours
 * the job has not rolled up yet, so both paths count alike.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';

export type RollupKind = 'sign_in' | 'webhook';
export const ROLLUP_KINDS: readonly RollupKind[] = ['sign_in', 'webhook'];

/**
 * Hourly rows (hour, k1, k2, count, lag_ms_sum, lag_count, lag_ms_max) of one kind for
 * [since, until). Hours are truncated in UTC whatever the session's TimeZone, so they line up with
 * the job's hour boundaries. `since` and `until` are SQL expressions so a read can bound them by the mark.
 */
export function hourlySelect(kind: RollupKind, since: SQL, until: SQL): SQL {
  if (kind === 'webhook') {
    // lag: from the delivery being stored to its processing, for events that were processed
    const lag = sql`(extract(epoch FROM e.processed_at - e.received_at) * 1000)`;
    const done = sql`e.state = 'processed' AND e.processed_at IS NOT NULL`;
    return sql`
      SELECT date_trunc('hour', e.received_at, 'UTC') AS hour, e.field AS k1, e.state::text AS k2, count(*)::int AS count,
        coalesce(sum(${lag}) FILTER (WHERE ${done}), 0)::bigint AS lag_ms_sum,
        (count(*) FILTER (WHERE ${done}))::int AS lag_count,
        coalesce(max(${lag}) FILTER (WHERE ${done}), 0)::bigint AS lag_ms_max
      FROM webhook_events e
      WHERE e.received_at >= ${since} AND e.received_at < ${until}
      GROUP BY 1, 2, 3`;
  }
  // A "new device" sign-in: the account's first success from this browser (user agent). Sign-ins
  // carry no device id in login_activity, so the user agent stands in for it.
  return sql`
    SELECT date_trunc('hour', a.at, 'UTC') AS hour,
      CASE WHEN a.result = 'success' THEN 'success' ELSE coalesce(a.reason::text, 'unknown') END AS k1,
      '' AS k2, count(*)::int AS count, 0::bigint AS lag_ms_sum, 0 AS lag_count, 0::bigint AS lag_ms_max
    FROM login_activity a
    WHERE a.at >= ${since} AND a.at < ${until}
    GROUP BY 1, 2
    UNION ALL
    SELECT date_trunc('hour', a.at, 'UTC'), 'new_device', '', count(*)::int, 0::bigint, 0, 0::bigint
    FROM login_activity a
    WHERE a.at >= ${since} AND a.at < ${until} AND a.result = 'success' AND a.user_id IS NOT NULL
      AND NOT EXISTS (
        SELECT 1 FROM login_activity b
        WHERE b.user_id = a.user_id AND b.at < a.at AND b.result = 'success' AND b.user_agent IS NOT DISTINCT FROM a.user_agent
      )
    GROUP BY 1`;
}

/** The hour before which a kind's rollup is complete; null before the first run. */
export async function readRollupMark(ex: Executor, kind: RollupKind): Promise<Date | null> {
  const r = await ex.execute<{ until: Date | string }>(sql`SELECT rolled_until AS until FROM overview_rollup_marks WHERE kind = ${kind}`);
  const v = r.rows[0]?.until;
  return v === undefined ? null : new Date(v);
}

/**
 * Replaces the rollup rows of [since, until) with fresh counts and moves the mark to `until`, in
 * the caller's transaction. `since` null: everything before `until` (first run, backfill).
 */
export async function rewriteRollup(ex: Executor, kind: RollupKind, since: Date | null, until: Date, now: Date): Promise<number> {
  const lower = since ? sql`${since.toISOString()}::timestamptz` : sql`'-infinity'::timestamptz`;
  const upper = sql`${until.toISOString()}::timestamptz`;
  await ex.execute(sql`DELETE FROM overview_hourly WHERE kind = ${kind} AND hour >= ${lower} AND hour < ${upper}`);
  const r = await ex.execute(sql`
    INSERT INTO overview_hourly (kind, hour, k1, k2, count, lag_ms_sum, lag_count, lag_ms_max)
    SELECT ${kind}, h.hour, h.k1, h.k2, h.count, h.lag_ms_sum, h.lag_count, h.lag_ms_max FROM (${hourlySelect(kind, lower, upper)}) h`);
  await ex.execute(sql`
    INSERT INTO overview_rollup_marks (kind, rolled_until, updated_at) VALUES (${kind}, ${upper}, ${now.toISOString()}::timestamptz)
    ON CONFLICT (kind) DO UPDATE SET rolled_until = excluded.rolled_until, updated_at = excluded.updated_at`);
  return r.rowCount ?? 0;
}

export interface HourlyBucketRow {
  bucket: string;
  k1: string;
  k2: string;
  count: number;
  lagMsSum: number;
  lagCount: number;
  lagMsMax: number;
}

/**
 * Counts of one kind in [from, to) grouped by bucket (the viewer's local hour or day, as text
 * `YYYY-MM-DD` or `YYYY-MM-DDTHH24:00`), k1 and k2: rolled-up hours before the mark, live rows
 * after it. The mark is read first and passed as a value, so the planner sees the live range's
 * real bounds and walks the time index (a bound it cannot estimate made it scan the whole table).
 * Rollup rows are whole UTC hours, so a zone with a half-hour offset sees hour-granular edges.
 */
export async function readBucketed(
  ex: Executor,
  kind: RollupKind,
  f: { from: Date; to: Date; tz: string; bucket: 'hour' | 'day' },
): Promise<HourlyBucketRow[]> {
  const mark = await readRollupMark(ex, kind);
  const at = (d: Date) => sql`${d.toISOString()}::timestamptz`;
  const rolledUntil = mark === null ? null : new Date(Math.min(mark.getTime(), f.to.getTime()));
  const liveFrom = mark === null ? f.from : new Date(Math.max(mark.getTime(), f.from.getTime()));
  const rolled =
    rolledUntil !== null && rolledUntil > f.from
      ? sql`SELECT h.hour, h.k1, h.k2, h.count, h.lag_ms_sum, h.lag_count, h.lag_ms_max FROM overview_hourly h
          WHERE h.kind = ${kind} AND h.hour >= ${at(f.from)} AND h.hour < ${at(rolledUntil)}`
      : null;
  const live = liveFrom < f.to ? hourlySelect(kind, at(liveFrom), at(f.to)) : null;
  const parts = [rolled, live].filter((p): p is SQL => p !== null);
  if (parts.length === 0) return [];
  const fmt = f.bucket === 'day' ? 'YYYY-MM-DD' : 'YYYY-MM-DD"T"HH24:00';
  const r = await ex.execute<{ bucket: string; k1: string; k2: string; count: number; lag_ms_sum: string; lag_count: number; lag_ms_max: string }>(sql`
    WITH rows AS (${sql.join(parts, sql` UNION ALL `)})
    -- group on the local timestamp first and format only the grouped rows: to_char per rollup row
    -- (hours x fields x states) was most of the cost; no join, so no plan to go wrong
    SELECT to_char(g.b, ${fmt}) AS bucket, g.k1, g.k2, g.count, g.lag_ms_sum, g.lag_count, g.lag_ms_max
    FROM (
      SELECT date_trunc(${f.bucket}, hour AT TIME ZONE ${f.tz}) AS b, k1, k2,
        sum(count)::int AS count, sum(lag_ms_sum)::bigint AS lag_ms_sum, sum(lag_count)::int AS lag_count, max(lag_ms_max)::bigint AS lag_ms_max
      FROM rows
      GROUP BY 1, 2, 3
    ) g
    ORDER BY 1, 2, 3`);
  return r.rows.map((x) => ({
    bucket: x.bucket,
    k1: x.k1,
    k2: x.k2,
    count: x.count,
    lagMsSum: Number(x.lag_ms_sum),
    lagCount: x.lag_count,
    lagMsMax: Number(x.lag_ms_max),
  }));
}
