/**
 * The overview (GET /api/v1/overview) over real HTTP as a signed-in owner (every panel), for a
 * 90-day period in Europe/Berlin, against a year of data (bench/lib/overview-seed.ts: 1,000
 * onboarding attempts, 1,000,000 sign-in records, 10,000,000 webhook events; OVERVIEW_BENCH_WEBHOOKS
 * scales the last down for a quick run). The hourly `overview.rollup` job is run once first, as it
 * runs in production (its backfill time is reported). Requests interleave round-robin with
 * GET /healthz. value = p95 ms of the overview; baseline = p95 of GET /healthz on the same client.
 */
import http from 'node:http';
import { hashPassword } from '../../src/features/access/passwords.js';
import { insertUser } from '../../src/features/access/users.repo.js';
import { runRollups } from '../../src/features/overview/rollup.service.js';
import { systemClock } from '../../src/lib/clock.js';
import type { Runtime } from '../../src/runtime.js';
import { withBenchApp } from '../lib/app.js';
import { request } from '../lib/http.js';
import { seedOverviewYear } from '../lib/overview-seed.js';
import { note, quantile, round } from '../lib/stats.js';
import type { Benchmark, Result } from '../lib/types.js';

const WEBHOOKS = Number(process.env.OVERVIEW_BENCH_WEBHOOKS ?? 10_000_000);
const SIGN_INS = 1_000_000;
const SAMPLES = 100;
const WARMUP = 10;
const GOAL_MS = 100;
const EMAIL = 'bench.overview.owner@example.test';
const PASSWORD = 'bench correct horse battery 42';
const PATH = '/api/v1/overview?period=90&tz=Europe%2FBerlin';

const benchmark: Benchmark = {
  name: 'overview',
  async run(): Promise<Result> {
    let seedSeconds = 0;
    let rollupSeconds = 0;
    const seed = async (rt: Runtime) => {
      await insertUser(rt.database.db, { email: EMAIL, displayName: 'Bench Owner', role: 'owner', status: 'active', passwordHash: await hashPassword(PASSWORD), at: new Date() });
      seedSeconds = await seedOverviewYear(rt.database.db, { now: new Date(), signIns: SIGN_INS, webhooks: WEBHOOKS });
      const t0 = performance.now();
      await runRollups({ db: rt.database.db, clock: systemClock });
      rollupSeconds = (performance.now() - t0) / 1000;
    };
    return withBenchApp('overview', { seed }, async ({ port, config }) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const signIn = await request(port, {
          method: 'POST',
          path: '/api/v1/auth/sign-in',
          headers: { origin: config.publicUrl.origin, 'x-csrf-protection': '1', 'content-type': 'application/json', 'user-agent': 'crm-bench/1' },
          body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
          agent,
        });
        if (signIn.status !== 200) throw new Error(`sign-in answered ${signIn.status}: ${signIn.body}`);
        const cookie = [signIn.headers['set-cookie'] ?? []].flat().map((c) => c.split(';')[0]!).join('; ');
        const headers = { cookie, accept: 'application/json', 'user-agent': 'crm-bench/1' };
        const time = async (path: string): Promise<number> => {
          const t0 = performance.now();
          const res = await request(port, { path, headers, agent });
          const ms = performance.now() - t0;
          if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${res.body.slice(0, 300)}`);
          return ms;
        };
        const overview: number[] = [];
        const health: number[] = [];
        for (let i = 0; i < WARMUP + SAMPLES; i++) {
          const a = await time(PATH);
          const b = await time('/healthz');
          if (i >= WARMUP) {
            overview.push(a);
            health.push(b);
          }
        }
        const value = round(quantile(overview, 0.95), 1);
        const baseline = round(quantile(health, 0.95), 2);
        note(`overview: seeded in ${round(seedSeconds, 1)} s (${SIGN_INS} sign-ins, ${WEBHOOKS} webhook events), rollup backfill ${round(rollupSeconds, 1)} s; p50 ${round(quantile(overview, 0.5), 1)} ms, p95 ${value} ms`);
        return {
          name: 'overview',
          value,
          unit: 'ms (p95, 90-day overview, owner)',
          baseline,
          ratio: round(value / baseline, 1),
          goal: `p95 <= ${GOAL_MS} ms`,
          met: value <= GOAL_MS,
          p50_ms: round(quantile(overview, 0.5), 1),
          seed_seconds: round(seedSeconds, 1),
          rollup_backfill_seconds: round(rollupSeconds, 1),
          webhook_events: WEBHOOKS,
        };
      } finally {
        agent.destroy();
      }
    });
  },
};
export default benchmark;
