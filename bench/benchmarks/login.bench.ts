/**
 * Sign-in over real HTTP against the in-process app (fresh migrated database, one active user)
 * versus a bare argon2id verify with the same parameters, interleaved in the same run.
 * value = median(login) - median(verify): what the app adds on top of the password hash
 * (routing, validation, DB lookups, lock transaction, session + login_activity writes, HTTP).
 */
import http from 'node:http';
import os from 'node:os';
import { verify } from '@node-rs/argon2';
import type pg from 'pg';
import { hashPassword } from '../../src/features/access/passwords.js';
import { insertUser } from '../../src/features/access/users.repo.js';
import type { Runtime } from '../../src/runtime.js';
import { withBenchApp } from '../lib/app.js';
import { request } from '../lib/http.js';
import { median, note, quantile, round } from '../lib/stats.js';
import type { Benchmark, Result } from '../lib/types.js';

const SAMPLES = 200;
const WARMUP = 20;
const GOAL_MS = 3;
const EMAIL = 'bench.owner@example.test';
const PASSWORD = 'bench correct horse battery 42';

const benchmark: Benchmark = {
  name: 'login',
  async run(): Promise<Result> {
    let passwordHash = '';
    const seed = async (rt: Runtime) => {
      passwordHash = await hashPassword(PASSWORD);
      await insertUser(rt.database.db, { email: EMAIL, displayName: 'Bench Owner', role: 'owner', status: 'active', passwordHash, at: new Date() });
    };
    return withBenchApp('login', { seed, signInRateLimit: { max: 1_000_000, timeWindowMs: 60_000 } }, async ({ port, config, rt, env }) => {
      const probe = await commitProbe(rt.database.pool);
      try {
        return await measure(port, config.publicUrl.origin, passwordHash, env.mode, probe.run);
      } finally {
        await probe.drop();
      }
    });
  },
};
export default benchmark;

/**
 * A one-row autocommit INSERT into a throwaway table: the cost of one durable commit (WAL flush)
 * on this disk right now. A sign-in commits twice, so this explains much of the overhead.
 */
async function commitProbe(pool: pg.Pool): Promise<{ run(): Promise<number>; drop(): Promise<void> }> {
  await pool.query('CREATE TABLE bench_commit_probe (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())');
  return {
    async run() {
      const t0 = performance.now();
      await pool.query('INSERT INTO bench_commit_probe DEFAULT VALUES');
      return performance.now() - t0;
    },
    async drop() {
      await pool.query('DROP TABLE bench_commit_probe');
    },
  };
}

async function measure(port: number, origin: string, passwordHash: string, mode: string, commit: () => Promise<number>): Promise<Result> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const body = JSON.stringify({ email: EMAIL, password: PASSWORD });
  const headers = { origin, 'x-csrf-protection': '1', 'content-type': 'application/json', 'user-agent': 'crm-bench/1' };

  const login = async (): Promise<number> => {
    const t0 = performance.now();
    const res = await request(port, { method: 'POST', path: '/api/v1/auth/sign-in', headers, body, agent });
    const ms = performance.now() - t0;
    if (res.status !== 200) throw new Error(`sign-in answered ${res.status}: ${res.body}`);
    return ms;
  };
  const bare = async (): Promise<number> => {
    const t0 = performance.now();
    const ok = await verify(passwordHash, PASSWORD);
    const ms = performance.now() - t0;
    if (!ok) throw new Error('bare verify returned false');
    return ms;
  };

  note(`login: warm-up ${WARMUP} + ${SAMPLES} interleaved samples of each`);
  for (let i = 0; i < WARMUP; i++) {
    await login();
    await bare();
  }
  const logins: number[] = [];
  const verifies: number[] = [];
  const commits: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    // Alternate which goes first so neither always follows the other.
    if (i % 2 === 0) {
      logins.push(await login());
      verifies.push(await bare());
    } else {
      verifies.push(await bare());
      logins.push(await login());
    }
    commits.push(await commit());
  }
  agent.destroy();

  const loginMedian = median(logins);
  const verifyMedian = median(verifies);
  const overhead = loginMedian - verifyMedian;
  return {
    name: 'login',
    value: round(overhead),
    unit: 'ms',
    baseline: round(verifyMedian),
    ratio: round(loginMedian / verifyMedian),
    goal: `<= ${GOAL_MS} ms overhead`,
    met: overhead <= GOAL_MS,
    login_median_ms: round(loginMedian),
    verify_median_ms: round(verifyMedian),
    login_p95_ms: round(quantile(logins, 0.95)),
    verify_p95_ms: round(quantile(verifies, 0.95)),
    commit_median_ms: round(median(commits)),
    samples: SAMPLES,
    loadavg_1m: round(os.loadavg()[0] ?? 0, 2),
    database: mode,
  };
}
