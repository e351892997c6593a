/**
 * The audit log viewer (GET /api/v1/audit/events) over real HTTP as a signed-in admin, against
 * 1,000,000 audit events seeded in one INSERT ... SELECT generate_series (bench/lib/audit-seed.ts).
 * The measured request is the issue's: a filtered keyset page, actor + a 30-day range, limit 50 —
 * its first page and a page five pages in (with the cursor), interleaved round-robin with an
 * unfiltered first page, a free-text page (actor + range + q) and GET /healthz.
 * value = the larger p95 of the two filtered pages; baseline = p95 of GET /healthz on the same client
 * (the floor of an HTTP round trip). Afterwards the exact SQL of each kind (captured through a
 * logging drizzle instance calling the repo's listAuditEvents) runs under EXPLAIN (ANALYZE, BUFFERS);
 * plans go to stderr and their scan nodes into the result (an index scan, no sort, is expected).
 */
import http from 'node:http';
import os from 'node:os';
import { drizzle } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import * as schema from '../../src/db/schema.js';
import { hashPassword } from '../../src/features/access/passwords.js';
import { insertUser } from '../../src/features/access/users.repo.js';
import { listAuditEvents, type AuditKey } from '../../src/features/audit/log/audit-log.repo.js';
import type { AuditFilters } from '../../src/features/audit/log/audit-log.schemas.js';
import { decodeCursor } from '../../src/http/cursor.js';
import type { Runtime } from '../../src/runtime.js';
import { withBenchApp } from '../lib/app.js';
import { busiestActor, seedAuditEvents } from '../lib/audit-seed.js';
import { request } from '../lib/http.js';
import { median, note, quantile, round } from '../lib/stats.js';
import type { Benchmark, Result } from '../lib/types.js';

const EVENTS = 1_000_000;
const SAMPLES = 200;
const WARMUP = 20;
const LIMIT = 50;
const RANGE_DAYS = 30;
const DEEP_PAGES = 5;
const GOAL_MS = 20;
const EMAIL = 'bench.audit.admin@example.test';
const PASSWORD = 'bench correct horse battery 42';

const benchmark: Benchmark = {
  name: 'audit-query',
  async run(): Promise<Result> {
    let seedSeconds = 0;
    const seed = async (rt: Runtime) => {
      await insertUser(rt.database.db, { email: EMAIL, displayName: 'Bench Admin', role: 'admin', status: 'active', passwordHash: await hashPassword(PASSWORD), at: new Date() });
      seedSeconds = await seedAuditEvents(rt.database.pool, EVENTS);
    };
    return withBenchApp('audit-query', { seed }, ({ port, config, rt, env }) => measure(port, config.publicUrl.origin, rt.database.pool, env.mode, seedSeconds));
  },
};
export default benchmark;

interface Page {
  items: { id: number; actor: { id: string | null } }[];
  nextCursor: string | null;
}

async function measure(port: number, origin: string, pool: pg.Pool, mode: string, seedSeconds: number): Promise<Result> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const cookie = await signIn(port, origin, agent);
    const headers = { cookie, accept: 'application/json', 'user-agent': 'crm-bench/1' };
    const get = async (p: string): Promise<{ ms: number; body: string }> => {
      const t0 = performance.now();
      const res = await request(port, { path: p, headers, agent });
      const ms = performance.now() - t0;
      if (res.status !== 200) throw new Error(`GET ${p} answered ${res.status}: ${res.body.slice(0, 500)}`);
      return { ms, body: res.body };
    };

    const actor = await busiestActor(pool);
    const to = new Date(Date.now() - 60 * 86_400_000);
    const from = new Date(to.getTime() - RANGE_DAYS * 86_400_000);
    const filters: AuditFilters = { actor: actor.id, from, to };
    const { rows: inRange } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events WHERE actor_id = $1 AND at >= $2 AND at < $3', [actor.id, from, to]);
    note(`audit-query: actor ${actor.id} has ${actor.events} events, ${inRange[0]!.n} in the ${RANGE_DAYS}-day range`);
    const base = `/api/v1/audit/events?actor=${actor.id}&from=${from.toISOString()}&to=${to.toISOString()}&limit=${LIMIT}`;

    // the cursor DEEP_PAGES pages in, checked: every item is the actor's and no id repeats
    let cursor: string | null = null;
    const seen = new Set<number>();
    for (let i = 0; i < DEEP_PAGES; i++) {
      const p: string = cursor ? `${base}&cursor=${encodeURIComponent(cursor)}` : base;
      const page = JSON.parse((await get(p)).body) as Page;
      if (page.items.length !== LIMIT || !page.nextCursor) throw new Error(`${p}: ${page.items.length} items`);
      for (const it of page.items) {
        if (it.actor.id !== actor.id) throw new Error(`${p}: an item of another actor`);
        seen.add(it.id);
      }
      cursor = page.nextCursor;
    }
    const paginationOk = seen.size === DEEP_PAGES * LIMIT;
    const deepCursor = cursor!;
    const deepPath = `${base}&cursor=${encodeURIComponent(deepCursor)}`;
    const searchPath = `${base}&q=displayName`;
    const kinds = {
      filtered: base,
      filtered_deep: deepPath,
      unfiltered: `/api/v1/audit/events?limit=${LIMIT}`,
      search: searchPath,
      healthz: '/healthz',
    } as const;
    const order = Object.keys(kinds) as (keyof typeof kinds)[];
    const samples = Object.fromEntries(order.map((k) => [k, [] as number[]])) as Record<keyof typeof kinds, number[]>;
    note(`audit-query: warm-up ${WARMUP} + ${SAMPLES} interleaved samples of ${order.join(', ')}`);
    for (let i = 0; i < WARMUP + SAMPLES; i++) {
      for (let k = 0; k < order.length; k++) {
        const kind = order[(i + k) % order.length]!;
        const { ms } = await get(kinds[kind]);
        if (i >= WARMUP) samples[kind].push(ms);
      }
    }

    const after = decodeCursor(deepCursor, /^\d+$/);
    const explain = {
      filtered: await explainPage(pool, 'filtered first page', filters),
      filtered_deep: await explainPage(pool, 'filtered deep page', filters, { at: after.value!, id: Number(after.id) }),
      unfiltered: await explainPage(pool, 'unfiltered first page', {}),
      search: await explainPage(pool, 'free-text page', { ...filters, q: 'displayName' }),
    };
    const p95 = (k: keyof typeof kinds) => quantile(samples[k], 0.95);
    const value = Math.max(p95('filtered'), p95('filtered_deep'));
    const baseline = p95('healthz');
    const sorts = Object.values(explain).filter((e) => e.sorts).length;
    return {
      name: 'audit-query',
      value: round(value),
      unit: 'ms',
      baseline: round(baseline),
      ratio: round(value / baseline),
      goal: `<= ${GOAL_MS} ms`,
      met: value <= GOAL_MS,
      filtered_p95_ms: round(p95('filtered')),
      filtered_deep_p95_ms: round(p95('filtered_deep')),
      unfiltered_p95_ms: round(p95('unfiltered')),
      search_p95_ms: round(p95('search')),
      healthz_p95_ms: round(baseline),
      filtered_median_ms: round(median(samples.filtered)),
      filtered_sql_ms: explain.filtered.ms,
      filtered_deep_sql_ms: explain.filtered_deep.ms,
      unfiltered_sql_ms: explain.unfiltered.ms,
      search_sql_ms: explain.search.ms,
      filtered_plan: explain.filtered.summary,
      filtered_deep_plan: explain.filtered_deep.summary,
      unfiltered_plan: explain.unfiltered.summary,
      search_plan: explain.search.summary,
      plans_with_sort: sorts,
      pagination_ok: paginationOk,
      events: EVENTS,
      actor_events: actor.events,
      range_events: inRange[0]!.n,
      seed_s: round(seedSeconds, 1),
      samples: SAMPLES,
      loadavg_1m: round(os.loadavg()[0] ?? 0, 2),
      database: mode,
    };
  } finally {
    agent.destroy();
  }
}

/** Signs the admin in over HTTP; returns the Cookie header to send back. */
async function signIn(port: number, origin: string, agent: http.Agent): Promise<string> {
  const res = await request(port, {
    method: 'POST',
    path: '/api/v1/auth/sign-in',
    headers: { origin, 'x-csrf-protection': '1', 'content-type': 'application/json', 'user-agent': 'crm-bench/1' },
    body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
    agent,
  });
  if (res.status !== 200) throw new Error(`sign-in answered ${res.status}: ${res.body}`);
  const cookies = [res.headers['set-cookie'] ?? []].flat().map((c) => c.split(';')[0]!);
  if (cookies.length === 0) throw new Error('sign-in set no cookie');
  return cookies.join('; ');
}

/** Runs the repo's listAuditEvents (the service's limit + 1) with its SQL captured, then EXPLAIN (ANALYZE, BUFFERS) of it. */
async function explainPage(pool: pg.Pool, label: string, f: AuditFilters, after?: AuditKey): Promise<{ ms: number; summary: string; sorts: boolean }> {
  let captured: { sql: string; params: unknown[] } | null = null;
  const db = drizzle(pool, { schema, logger: { logQuery: (sql, params) => void (captured ??= { sql, params }) } });
  await listAuditEvents(db, f, { after, limit: LIMIT + 1 });
  const q = captured as { sql: string; params: unknown[] } | null;
  if (!q) throw new Error(`no SQL captured for ${label}`);
  const { rows } = await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${q.sql}`, q.params);
  const plan = rows.map((r) => r['QUERY PLAN']);
  process.stderr.write(`[bench] audit-query: EXPLAIN ${label}\n  SQL: ${q.sql}\n  params: ${JSON.stringify(q.params)}\n${plan.map((l) => `  | ${l}`).join('\n')}\n`);
  const exec = /Execution Time: ([\d.]+) ms/.exec(plan.join('\n'));
  const scans = plan.flatMap((l) => {
    const m = /(Seq Scan|Parallel Seq Scan|Index Only Scan Backward|Index Only Scan|Index Scan Backward|Index Scan|Bitmap Index Scan)(?: using| on) (\S+)/.exec(l);
    return m ? [`${m[1]} ${m[1]!.includes('Index') ? 'using' : 'on'} ${m[2]}`] : [];
  });
  return { ms: exec ? round(Number(exec[1])) : Number.NaN, summary: scans.join(' + ') || 'no scan node', sorts: plan.some((l) => /\bSort\b/.test(l)) };
}
