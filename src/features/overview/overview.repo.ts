/**
 * SQL of the overview panels that read current state or small tables live (onboarding records,
 * phone numbers, privacy requests, purge runs, locked users). The sign-in and webhook series read
 * the hourly rollups (rollup.repo.ts).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';

export type OnboardingSource = 'all' | 'staff' | 'link';

const ts = (d: Date): SQL => sql`${d.toISOString()}::timestamptz`;

/** True when PostgreSQL knows the zone name (its tz database may differ from the browser's). */
export async function isKnownTimeZone(ex: Executor, tz: string): Promise<boolean> {
  const r = await ex.execute<{ ok: boolean }>(sql`SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = ${tz}) AS ok`);
  return r.rows[0]?.ok === true;
}

/**
 * The instants of local midnight that open `fromDay` and close `toDay` (both YYYY-MM-DD, inclusive)
 * in the zone, and "today" there.
 */
export async function resolveLocalDays(ex: Executor, tz: string, now: Date, days: { fromDay: string; toDay: string } | { last: number }): Promise<{ from: Date; to: Date; fromDay: string; toDay: string }> {
  const today = sql`(${ts(now)} AT TIME ZONE ${tz})::date`;
  const [fromDay, toDay] = 'last' in days ? [sql`${today} - ${days.last - 1}::int`, today] : [sql`${days.fromDay}::date`, sql`${days.toDay}::date`];
  const r = await ex.execute<{ from: string | Date; to: string | Date; from_day: string; to_day: string }>(sql`
    SELECT (d.f::timestamp AT TIME ZONE ${tz}) AS "from", ((d.t + 1)::timestamp AT TIME ZONE ${tz}) AS "to",
      to_char(d.f, 'YYYY-MM-DD') AS from_day, to_char(d.t, 'YYYY-MM-DD') AS to_day
    FROM (SELECT ${fromDay} AS f, ${toDay} AS t) d`);
  const row = r.rows[0]!;
  return { from: new Date(row.from), to: new Date(row.to), fromDay: row.from_day, toDay: row.to_day };
}

/** Every bucket label of [from, to) in the zone, so a chart has a point for empty hours or days. */
export async function listBuckets(ex: Executor, f: { from: Date; to: Date; tz: string; bucket: 'hour' | 'day' }): Promise<string[]> {
  const fmt = f.bucket === 'day' ? 'YYYY-MM-DD' : 'YYYY-MM-DD"T"HH24:00';
  const step = f.bucket === 'day' ? '1 day' : '1 hour';
  const r = await ex.execute<{ b: string }>(sql`
    SELECT DISTINCT to_char(g, ${fmt}) AS b
    FROM generate_series(date_trunc(${f.bucket}, ${ts(f.from)} AT TIME ZONE ${f.tz}), (${ts(f.to)} AT TIME ZONE ${f.tz}) - interval '1 microsecond', ${step}::interval) g
    ORDER BY 1`);
  return r.rows.map((x) => x.b);
}

const sourceCond = (s: OnboardingSource): SQL => (s === 'staff' ? sql`r.link_id IS NULL` : s === 'link' ? sql`r.link_id IS NOT NULL` : sql`true`);

export interface FunnelCounts {
  started: number;
  codeReceived: number;
  tokenVerified: number;
  subscribed: number;
  registered: number;
  connected: number;
}

/**
 * Onboarding attempts started in [from, to) and how many reached each step (in any run): the
 * code arrived (an exchange step exists), the token was verified, the WABA subscribed, the
 * number registered (or registration skipped as not needed), the record connected.
 */
export async function countFunnel(ex: Executor, f: { from: Date; to: Date; source: OnboardingSource }): Promise<FunnelCounts> {
  const step = (name: string, statuses: SQL) => sql`EXISTS (SELECT 1 FROM onboarding_steps s WHERE s.record_id = r.id AND s.step = ${name} AND ${statuses})`;
  const r = await ex.execute<{ started: number; code: number; verified: number; subscribed: number; registered: number; connected: number }>(sql`
    SELECT count(*)::int AS started,
      (count(*) FILTER (WHERE ${step('exchange', sql`true`)}))::int AS code,
      (count(*) FILTER (WHERE r.token_verified_at IS NOT NULL))::int AS verified,
      (count(*) FILTER (WHERE ${step('subscribe', sql`s.status = 'succeeded'`)}))::int AS subscribed,
      (count(*) FILTER (WHERE ${step('register', sql`s.status IN ('succeeded', 'skipped')`)}))::int AS registered,
      (count(*) FILTER (WHERE r.connected_at IS NOT NULL))::int AS connected
    FROM onboarding_records r
    WHERE r.created_at >= ${ts(f.from)} AND r.created_at < ${ts(f.to)} AND ${sourceCond(f.source)}`);
  const x = r.rows[0]!;
  return { started: x.started, codeReceived: x.code, tokenVerified: x.verified, subscribed: x.subscribed, registered: x.registered, connected: x.connected };
}

/** Attempts of [from, to) the customer abandoned, by the `current_step` Meta reported (null: not reported). */
export async function countAbandonedBySteps(ex: Executor, f: { from: Date; to: Date; source: OnboardingSource }): Promise<{ step: string | null; count: number }[]> {
  const r = await ex.execute<{ step: string | null; count: number }>(sql`
    SELECT r.abandoned_step AS step, count(*)::int AS count FROM onboarding_records r
    WHERE r.state = 'abandoned' AND r.created_at >= ${ts(f.from)} AND r.created_at < ${ts(f.to)} AND ${sourceCond(f.source)}
    GROUP BY 1 ORDER BY 2 DESC, 1 NULLS LAST`);
  return r.rows;
}

/** Failed attempts of [from, to) by Meta's error code (null: failed without a Graph error). */
export async function countFailuresByCode(ex: Executor, f: { from: Date; to: Date; source: OnboardingSource }): Promise<{ code: number | null; count: number }[]> {
  const r = await ex.execute<{ code: number | null; count: number }>(sql`
    SELECT r.error_code AS code, count(*)::int AS count FROM onboarding_records r
    WHERE r.state = 'failed' AND r.created_at >= ${ts(f.from)} AND r.created_at < ${ts(f.to)} AND ${sourceCond(f.source)}
    GROUP BY 1 ORDER BY 2 DESC, 1 NULLS LAST`);
  return r.rows;
}

/** Every onboarding record by its current state (in the states' own order). */
export async function countRecordsByState(ex: Executor): Promise<{ state: string; count: number }[]> {
  const r = await ex.execute<{ state: string; count: number }>(sql`
    SELECT state::text AS state, count(*)::int AS count FROM onboarding_records GROUP BY onboarding_records.state ORDER BY onboarding_records.state`);
  return r.rows;
}

/** Phone numbers of connected records by quality rating and by display name status (null: unknown). */
export async function countPhoneNumbers(ex: Executor): Promise<{ quality: { value: string | null; count: number }[]; nameStatus: { value: string | null; count: number }[] }> {
  const r = await ex.execute<{ dim: 'quality' | 'name'; value: string | null; count: number }>(sql`
    WITH p AS (
      SELECT p.quality_rating, p.name_status FROM onboarding_phone_numbers p
      JOIN onboarding_records r ON r.id = p.record_id WHERE r.state = 'connected'
    )
    SELECT 'quality' AS dim, quality_rating AS value, count(*)::int AS count FROM p GROUP BY 2
    UNION ALL
    SELECT 'name', name_status, count(*)::int FROM p GROUP BY 2
    ORDER BY 1, 3 DESC, 2`);
  return {
    quality: r.rows.filter((x) => x.dim === 'quality').map(({ value, count }) => ({ value, count })),
    nameStatus: r.rows.filter((x) => x.dim === 'name').map(({ value, count }) => ({ value, count })),
  };
}

/** Connected records whose token expires within [now, until), and those whose token already expired. */
export async function countExpiringTokens(ex: Executor, now: Date, until: Date): Promise<{ expiring: number; expired: number }> {
  const r = await ex.execute<{ expiring: number; expired: number }>(sql`
    SELECT (count(*) FILTER (WHERE token_expires_at >= ${ts(now)} AND token_expires_at < ${ts(until)}))::int AS expiring,
      (count(*) FILTER (WHERE token_expires_at < ${ts(now)}))::int AS expired
    FROM onboarding_records WHERE state = 'connected' AND token_expires_at IS NOT NULL`);
  return r.rows[0]!;
}

/** Accounts whose lock is in force now. */
export async function countLockedUsers(ex: Executor, now: Date): Promise<number> {
  const r = await ex.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM users WHERE locked_until > ${ts(now)}`);
  return r.rows[0]!.n;
}

/** Open privacy requests by state: overdue, due within `soonDays`, due later. */
export async function countOpenPrivacyRequests(ex: Executor, now: Date, soonDays: number): Promise<{ state: string; overdue: number; dueSoon: number; later: number }[]> {
  const soon = new Date(now.getTime() + soonDays * 86_400_000);
  const r = await ex.execute<{ state: string; overdue: number; due_soon: number; later: number }>(sql`
    SELECT state::text AS state,
      (count(*) FILTER (WHERE due_at < ${ts(now)}))::int AS overdue,
      (count(*) FILTER (WHERE due_at >= ${ts(now)} AND due_at < ${ts(soon)}))::int AS due_soon,
      (count(*) FILTER (WHERE due_at >= ${ts(soon)}))::int AS later
    FROM privacy_requests WHERE state IN ('received', 'verifying', 'in_progress')
    GROUP BY privacy_requests.state ORDER BY privacy_requests.state`);
  return r.rows.map((x) => ({ state: x.state, overdue: x.overdue, dueSoon: x.due_soon, later: x.later }));
}

/** The newest purge run that was not a dry run. */
export async function findLastPurgeRun(ex: Executor): Promise<{ startedAt: Date; finishedAt: Date | null; trigger: string; error: string | null; deleted: number } | null> {
  const r = await ex.execute<{ started_at: string | Date; finished_at: string | Date | null; trigger: string; error: string | null; deleted: string | null }>(sql`
    SELECT started_at, finished_at, trigger, error,
      (SELECT sum(v::bigint) FROM jsonb_each_text(counts) AS c(k, v) WHERE v ~ '^[0-9]+$') AS deleted
    FROM purge_runs WHERE dry_run = false ORDER BY started_at DESC, id DESC LIMIT 1`);
  const x = r.rows[0];
  if (!x) return null;
  return { startedAt: new Date(x.started_at), finishedAt: x.finished_at ? new Date(x.finished_at) : null, trigger: x.trigger, error: x.error, deleted: Number(x.deleted ?? 0) };
}
