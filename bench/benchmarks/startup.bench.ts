/**
 * Warm start of the BUILT server (node dist/server/main.js) until /readyz answers 200, with the
 * database already initialised and the owner created by one untimed start. Median of 3 timed
 * starts, each interleaved with a bare Node HTTP server start (the baseline). rss_mb = the app
 * process's VmRSS ~2 s after ready. Every stop is SIGTERM and must exit 0 within 30 s, leaving
 * no PostgreSQL process for the DATA_DIR behind.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openDatabase } from '../../src/db/client.js';
import { hashPassword } from '../../src/features/access/passwords.js';
import { insertUser } from '../../src/features/access/users.repo.js';
import { ROOT, SERVER_ENTRY, ensureBuiltServer } from '../lib/build.js';
import { type BenchEnv, prepareBenchEnv } from '../lib/database.js';
import { freePort, request, waitFor200 } from '../lib/http.js';
import { type Spawned, alive, processesMatching, rssMb, spawnCaptured, stopProcess, waitGone } from '../lib/proc.js';
import { median, note, round } from '../lib/stats.js';
import type { Benchmark, Result } from '../lib/types.js';

const RUNS = 3;
const POLL_MS = 10;
const IDLE_WAIT_MS = 2_000;
const STOP_TIMEOUT_MS = 30_000;
const GOAL_S = 2;
const GOAL_RSS_MB = 150;
const OWNER = { email: 'bench.owner@example.test', displayName: 'Bench Owner', password: 'bench correct horse battery 42' };
const BARE_SERVER = "require('http').createServer((q,s)=>s.end('ok')).listen(+process.env.PORT,'127.0.0.1',()=>console.log('up'))";

/** The environment the server sees: nothing from ours but the basics, so no stray DATABASE_URL etc. */
function serverEnv(env: BenchEnv, port: number): NodeJS.ProcessEnv {
  const pass = ['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR'].flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : []));
  return { ...Object.fromEntries(pass), PORT: String(port), HOST: '127.0.0.1', DATA_DIR: env.dataDir, LOG_LEVEL: 'warn', ...env.appEnv };
}

function postmasterPid(env: BenchEnv): number | null {
  if (env.mode !== 'embedded') return null;
  const first = readFileSync(path.join(env.dataDir, 'pg', 'pgdata', 'postmaster.pid'), 'utf8').split('\n')[0];
  return Number(first);
}

/** Spawns the built server and waits for /readyz; returns the handle and seconds taken. */
async function startServer(env: BenchEnv): Promise<{ p: Spawned; port: number; seconds: number; postmaster: number | null }> {
  const port = await freePort();
  const t0 = performance.now();
  const p = spawnCaptured(process.execPath, [SERVER_ENTRY], { cwd: ROOT, env: serverEnv(env, port) });
  try {
    await waitFor200(port, '/readyz', { intervalMs: POLL_MS, timeoutMs: 120_000, abort: p.exited });
  } catch (err) {
    await stopServer(env, p, null).catch(() => undefined);
    throw err;
  }
  const seconds = (performance.now() - t0) / 1000;
  return { p, port, seconds, postmaster: postmasterPid(env) };
}

/** SIGTERM; the app must exit 0 in time and take its embedded PostgreSQL with it. */
async function stopServer(env: BenchEnv, p: Spawned, postmaster: number | null): Promise<void> {
  const res = await stopProcess(p, STOP_TIMEOUT_MS);
  const leftovers = () => {
    const pids = processesMatching(env.dataDir, postmaster ? [postmaster] : []);
    if (postmaster && alive(postmaster) && !pids.includes(postmaster)) pids.push(postmaster);
    return pids;
  };
  const orphans = await waitGone(leftovers, 5_000);
  for (const pid of orphans) process.kill(pid, 'SIGKILL');
  if (res.killed) throw new Error(`server did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM (killed):\n${p.output()}`);
  if (orphans.length > 0) throw new Error(`server exited but left PostgreSQL processes ${orphans.join(', ')} for ${env.dataDir} (killed them)`);
  if (res.code !== 0) throw new Error(`server exited with ${res.code ?? res.signal} after SIGTERM:\n${p.output()}`);
}

/** Creates the owner: through the printed setup link (embedded) or directly in the database (external). */
async function createOwner(env: BenchEnv, p: Spawned, port: number): Promise<void> {
  const url = env.appEnv.DATABASE_URL;
  if (url) {
    const database = openDatabase(url, { max: 1 });
    try {
      const passwordHash = await hashPassword(OWNER.password);
      await insertUser(database.db, { email: OWNER.email, displayName: OWNER.displayName, role: 'owner', status: 'active', passwordHash, at: new Date() });
    } finally {
      await database.close();
    }
    return;
  }
  let token: string | undefined;
  for (let i = 0; i < 200 && !token; i++) {
    token = /\/setup#token=([A-Za-z0-9_-]+)/.exec(p.output())?.[1];
    if (!token) await sleep(50);
  }
  if (!token) throw new Error(`first start printed no setup link:\n${p.output()}`);
  const res = await request(port, {
    method: 'POST',
    path: '/api/v1/setup',
    headers: { origin: `http://127.0.0.1:${port}`, 'x-csrf-protection': '1', 'content-type': 'application/json' },
    body: JSON.stringify({ token, ...OWNER }),
  });
  if (res.status !== 201) throw new Error(`owner setup answered ${res.status}: ${res.body}`);
}

/** Seconds for a bare Node HTTP server to answer its first request (same polling). */
async function bareStart(): Promise<number> {
  const port = await freePort();
  const pass = process.env.PATH ? { PATH: process.env.PATH } : {};
  const t0 = performance.now();
  const p = spawnCaptured(process.execPath, ['-e', BARE_SERVER], { cwd: ROOT, env: { ...pass, PORT: String(port) } });
  try {
    await waitFor200(port, '/', { intervalMs: POLL_MS, timeoutMs: 30_000, abort: p.exited });
    return (performance.now() - t0) / 1000;
  } finally {
    await stopProcess(p, 5_000);
  }
}

const benchmark: Benchmark = {
  name: 'startup',
  async run(): Promise<Result> {
    ensureBuiltServer();
    const env = await prepareBenchEnv('startup');
    try {
      note(`startup: first (untimed) start in ${env.dataDir} (${env.mode} database)`);
      const first = await startServer(env);
      await createOwner(env, first.p, first.port);
      await stopServer(env, first.p, first.postmaster);

      const app: number[] = [];
      const bare: number[] = [];
      const rss: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        bare.push(await bareStart());
        const s = await startServer(env);
        try {
          await sleep(IDLE_WAIT_MS);
          rss.push(rssMb(s.p.pid));
        } finally {
          await stopServer(env, s.p, s.postmaster);
        }
        app.push(s.seconds);
        note(`startup: run ${i + 1}: ready in ${s.seconds.toFixed(3)} s, rss ${rss.at(-1)?.toFixed(1)} MB (bare node ${bare.at(-1)?.toFixed(3)} s)`);
      }
      const value = median(app);
      const baseline = median(bare);
      const rssMedian = median(rss);
      return {
        name: 'startup',
        value: round(value),
        unit: 's',
        baseline: round(baseline),
        ratio: round(value / baseline, 2),
        goal: `<= ${GOAL_S} s to /readyz and rss_mb <= ${GOAL_RSS_MB}`,
        met: value <= GOAL_S && rssMedian <= GOAL_RSS_MB,
        rss_mb: round(rssMedian, 1),
        max_s: round(Math.max(...app)),
        rss_max_mb: round(Math.max(...rss), 1),
        samples: RUNS,
        database: env.mode,
        loadavg_1m: round(os.loadavg()[0] ?? 0, 2),
      };
    } finally {
      await env.cleanup();
    }
  },
};
export default benchmark;
