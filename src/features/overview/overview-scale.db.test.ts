/**
 * The overview at a year of data (1,000 onboarding attempts, 1,000,000 sign-in records, 10,000,000
 * webhook events): the API's time before and after the hourly rollup, and EXPLAIN ANALYZE of the
 * rollup read. Slow (minutes, mostly generating rows): runs only with OVERVIEW_SCALE=1, e.g.
 *   OVERVIEW_SCALE=1 npx vitest run --project db src/features/overview/overview-scale.db.test.ts
 * Smaller runs: OVERVIEW_SCALE_WEBHOOKS=1000000.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedOverviewYear } from '../../../bench/lib/overview-seed.js';
import { buildTestApp, createUser, signInCookie, type TestApp } from '../../test-support/test-app.js';
import { useTestDatabase } from '../../test-support/test-db.js';
import { countFunnel, listBuckets } from './overview.repo.js';
import { readBucketed } from './rollup.repo.js';
import { runRollups } from './rollup.service.js';

const enabled = process.env.OVERVIEW_SCALE === '1';
const WEBHOOKS = Number(process.env.OVERVIEW_SCALE_WEBHOOKS ?? 10_000_000);
const SIGN_INS = 1_000_000;
const tdb = useTestDatabase();
let t: TestApp;
let cookie = '';

async function timeRequests(url: string, n: number): Promise<{ p50: number; p95: number; max: number }> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    const res = await t.app.inject({ method: 'GET', url, headers: { cookie } });
    times.push(performance.now() - start);
    expect(res.statusCode, res.body).toBe(200);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))]!);
  return { p50: at(0.5), p95: at(0.95), max: at(1) };
}

describe.skipIf(!enabled)('overview at a year of data', () => {
  beforeAll(async () => {
    t = await buildTestApp(tdb.current.database);
    const owner = await createUser(tdb.current.database, 'owner');
    cookie = await signInCookie(t, owner.email);
    const seconds = await seedOverviewYear(tdb.current.database.db, { now: t.clock.now(), signIns: SIGN_INS, webhooks: WEBHOOKS });
    console.log(`generated in ${Math.round(seconds)} s: ${SIGN_INS} sign-ins, ${WEBHOOKS} webhook events`);
  }, 3_600_000);
  afterAll(async () => {
    await t?.app.close();
  });

  it('measures the API live, the rollup backfill, and the API on the rollup', async () => {
    const db = tdb.current.database.db;
    const live90 = await timeRequests('/api/v1/overview?period=90&tz=Europe/Berlin', 3);
    console.log(`live (no rollup yet), 90 days: p50 ${live90.p50} ms, max ${live90.max} ms`);
    let start = performance.now();
    const rows = await runRollups({ db, clock: t.clock });
    console.log(`rollup backfill of a year: ${Math.round(performance.now() - start)} ms, rows ${JSON.stringify(rows)}`);
    start = performance.now();
    await runRollups({ db, clock: t.clock });
    console.log(`hourly rollup run (recount 24 hours): ${Math.round(performance.now() - start)} ms`);
    for (const period of ['7', '30', '90']) {
      const r = await timeRequests(`/api/v1/overview?period=${period}&tz=Europe/Berlin`, 30);
      console.log(`with rollup, ${period} days: p50 ${r.p50} ms, p95 ${r.p95} ms, max ${r.max} ms`);
    }
    const range = { from: new Date(t.clock.now().getTime() - 90 * 86_400_000), to: t.clock.now(), tz: 'Europe/Berlin', bucket: 'day' as const };
    const timed = async (label: string, f: () => Promise<unknown>) => {
      const s0 = performance.now();
      await f();
      console.log(`  ${label}: ${Math.round(performance.now() - s0)} ms`);
    };
    await timed('sign-in series, 90 days', () => readBucketed(db, 'sign_in', range));
    await timed('webhook series, 90 days', () => readBucketed(db, 'webhook', range));
    await timed('webhook series, 7 days by hour', () => readBucketed(db, 'webhook', { ...range, from: new Date(t.clock.now().getTime() - 7 * 86_400_000), bucket: 'hour' }));
    await timed('funnel, 90 days', () => countFunnel(db, { from: range.from, to: range.to, source: 'all' }));
    await timed('bucket labels, 90 days', () => listBuckets(db, range));
    const plan = await db.execute<{ 'QUERY PLAN': string }>(sql`EXPLAIN (ANALYZE, BUFFERS)
      SELECT to_char(date_trunc('day', hour AT TIME ZONE 'Europe/Berlin'), 'YYYY-MM-DD'), k1, sum(count)
      FROM overview_hourly WHERE kind = 'webhook' AND hour >= ${t.clock.now().toISOString()}::timestamptz - interval '90 days' GROUP BY 1, 2`);
    console.log(plan.rows.map((r) => r['QUERY PLAN']).join('\n'));
    const livePlan = await db.execute<{ 'QUERY PLAN': string }>(sql`EXPLAIN (ANALYZE, BUFFERS)
      SELECT date_trunc('hour', received_at), field, state, count(*) FROM webhook_events
      WHERE received_at >= ${t.clock.now().toISOString()}::timestamptz - interval '90 days' GROUP BY 1, 2, 3`);
    console.log(livePlan.rows.map((r) => r['QUERY PLAN']).join('\n'));
  }, 3_600_000);
});
