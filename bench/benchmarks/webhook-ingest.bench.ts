/**
 * Webhook ingest of the BUILT server (node dist/server/main.js, sandbox mode with a known
 * META_APP_SECRET) on durable storage: the embedded PostgreSQL in a temporary DATA_DIR (fsync on), or
 * a fresh database of BENCH_DATABASE_URL. All load comes from separate processes over loopback and
 * replays distinct pre-signed deliveries (70 % message statuses, 20 % inbound messages, 10 %
 * management fields, as Meta serialises them: ~170 B-2.9 kB).
 *
 * - value: sustained 200 answers/s of POST /webhooks/whatsapp under closed-loop load (wrk, 1 thread,
 *   CONNECTIONS connections, replaying through bench/lib/webhook-replay.lua; without wrk, the Node
 *   generator bench/lib/webhook-load-gen.ts in closed mode). Every 200 means the delivery committed.
 * - baseline: the same load against a bare Fastify process that only checks the signature and answers
 *   200 (bench/lib/webhook-bare-server.ts); ratio = value / baseline.
 * - latency: the Node generator in open mode, clock-driven at OPEN_RATE POST/s for OPEN_S s, latency
 *   from each request's scheduled send time (p50_ms, p99_ms) and its own CPU (generator_cpu, a
 *   fraction of one core).
 * - fsync / synchronous_commit: read from the app's database during the run; both must be 'on'.
 *
 * Goal: ratio >= 0.5 and p99 <= 50 ms (with fsync and synchronous_commit on).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { EMBEDDED_DATABASE } from '../../src/db/connect.js';
import { planLayout } from '../../src/db/embedded/layout.js';
import { signedDeliveries } from '../../src/features/webhooks/test-fixtures/webhook-mix.js';
import { ROOT, SERVER_ENTRY, ensureBuiltServer } from '../lib/build.js';
import { type BenchEnv, prepareBenchEnv } from '../lib/database.js';
import { freePort, waitFor200 } from '../lib/http.js';
import { type Spawned, alive, processesMatching, spawnCaptured, stopProcess, waitGone } from '../lib/proc.js';
import { note, round } from '../lib/stats.js';
import type { Benchmark, Result } from '../lib/types.js';

const DELIVERIES = 60_000;
const CONNECTIONS = 64;
const WARMUP_S = 2;
const MEASURE_S = 10;
const OPEN_RATE = 3_000;
const OPEN_S = 10;
/** after the last scheduled send, how long the answers may take before they count as unanswered */
const OPEN_DRAIN_S = 5;
const GOAL_RATIO = 0.5;
const GOAL_P99_MS = 50;
const APP_SECRET = 'bench-webhook-app-secret-0123456789abcdef';
const LUA = path.join(ROOT, 'bench', 'lib', 'webhook-replay.lua');
const GENERATOR = path.join(ROOT, 'bench', 'lib', 'webhook-load-gen.ts');
const BARE_SERVER = path.join(ROOT, 'bench', 'lib', 'webhook-bare-server.ts');

/** The basics of our environment only (no stray DATABASE_URL, META_APP_ID ...). */
function baseEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR'].flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : [])));
}

interface Throughput {
  rps: number;
  ok: number;
  failed: number;
  wraps: number;
  tool: 'wrk' | 'node';
  generator_cpu?: number;
}

const hasWrk = (): boolean => spawnSync('sh', ['-c', 'command -v wrk'], { stdio: 'ignore' }).status === 0;

/** Runs a child to completion and returns its last stdout line as JSON. */
async function runJson(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Record<string, number>> {
  const p = spawnCaptured(cmd, args, { cwd: ROOT, env });
  const timer = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs);
  const { code, signal } = await p.exit;
  clearTimeout(timer);
  const lines = p.output().trimEnd().split('\n');
  const last = [...lines].reverse().find((l) => l.startsWith('{'));
  if (code !== 0 || !last) throw new Error(`${path.basename(cmd)} ${args.join(' ')} ended with ${code ?? signal}:\n${p.output()}`);
  return JSON.parse(last) as Record<string, number>;
}

/** Closed-loop load for `seconds` from `offset` in the file: wrk when installed, else the Node generator. */
async function closedLoad(port: number, file: string, offset: number, seconds: number): Promise<Throughput> {
  if (hasWrk()) {
    const r = await runJson('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--timeout', '10s', '-s', LUA, `http://127.0.0.1:${port}`, '--', file, String(offset), '1'], baseEnv(), (seconds + 30) * 1000);
    const failed = r.status_errors! + r.connect_errors! + r.read_errors! + r.write_errors! + r.timeouts!;
    return { rps: (r.requests! - r.status_errors!) / (r.duration_us! / 1e6), ok: r.requests! - r.status_errors!, failed, wraps: r.wraps!, tool: 'wrk' };
  }
  const r = await runJson(process.execPath, ['--import', 'tsx', GENERATOR], { ...baseEnv(), PORT: String(port), FILE: file, OFFSET: String(offset), MODE: 'closed', CONNECTIONS: String(CONNECTIONS), DURATION_S: String(seconds) }, (seconds + 60) * 1000);
  return { rps: r.rps!, ok: r.ok!, failed: r.other_status! + r.errors!, wraps: r.wraps!, tool: 'node', generator_cpu: r.generator_cpu! };
}

/** A client on the app's database (the embedded server's socket, or BENCH_DATABASE_URL's database). */
async function appDatabase(env: BenchEnv): Promise<pg.Client> {
  const url = env.appEnv.DATABASE_URL;
  let c: pg.Client;
  if (url) c = new pg.Client({ connectionString: url });
  else {
    const l = planLayout(env.dataDir);
    c = new pg.Client({ host: l.sockDir, port: l.port, user: 'postgres', password: readFileSync(l.passwordFile, 'utf8').trim(), database: EMBEDDED_DATABASE });
  }
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

/** SIGTERM (SIGKILL after 30 s), then no PostgreSQL of the DATA_DIR may be left. */
async function stopApp(env: BenchEnv, p: Spawned, postmaster: number | null): Promise<void> {
  const res = await stopProcess(p, 30_000);
  const leftovers = () => {
    const pids = processesMatching(env.dataDir, postmaster ? [postmaster] : []);
    if (postmaster && alive(postmaster) && !pids.includes(postmaster)) pids.push(postmaster);
    return pids;
  };
  for (const pid of await waitGone(leftovers, 5_000)) process.kill(pid, 'SIGKILL');
  if (res.killed || res.code !== 0) note(`webhook-ingest: the app did not stop cleanly (${res.code ?? res.signal}${res.killed ? ', killed' : ''})`);
}

const benchmark: Benchmark = {
  name: 'webhook-ingest',
  async run(): Promise<Result> {
    const started = performance.now();
    ensureBuiltServer();
    const env = await prepareBenchEnv('webhook-ingest');
    try {
      const t = performance.now();
      const deliveries = signedDeliveries(DELIVERIES, { appSecret: APP_SECRET, seed: 1 });
      const file = path.join(env.dataDir, 'deliveries.tsv');
      writeFileSync(file, deliveries.map((d) => `${d.signature}\t${d.body}\n`).join(''));
      const kinds = { status: 0, inbound: 0, management: 0 };
      let bytes = 0;
      for (const d of deliveries) {
        kinds[d.kind]++;
        bytes += d.body.length;
      }
      note(`webhook-ingest: ${DELIVERIES} signed deliveries (${kinds.status} status, ${kinds.inbound} inbound, ${kinds.management} management; mean ${Math.round(bytes / DELIVERIES)} B) in ${Math.round(performance.now() - t)} ms; load by ${hasWrk() ? 'wrk' : 'the Node generator (wrk not installed)'}`);

      // --- the app ------------------------------------------------------------------------------
      const port = await freePort();
      const appEnv = { ...baseEnv(), PORT: String(port), HOST: '127.0.0.1', DATA_DIR: env.dataDir, LOG_LEVEL: 'warn', META_APP_SECRET: APP_SECRET, ...env.appEnv };
      const app = spawnCaptured(process.execPath, [SERVER_ENTRY], { cwd: ROOT, env: appEnv });
      let postmaster: number | null = null;
      let offset = 0;
      let appLoad: Throughput;
      let open: Record<string, number>;
      let settings: { fsync: string; synchronous_commit: string };
      let stored = 0;
      try {
        await waitFor200(port, '/readyz', { intervalMs: 50, timeoutMs: 60_000, abort: app.exited });
        if (env.mode === 'embedded') postmaster = Number(readFileSync(path.join(env.dataDir, 'pg', 'pgdata', 'postmaster.pid'), 'utf8').split('\n')[0]);
        const db = await appDatabase(env);
        try {
          const warm = await closedLoad(port, file, offset, WARMUP_S);
          offset += warm.ok + warm.failed + CONNECTIONS;
          appLoad = await closedLoad(port, file, offset, MEASURE_S);
          offset += appLoad.ok + appLoad.failed + CONNECTIONS;
          note(`webhook-ingest: app ${Math.round(appLoad.rps)} POST/s (${appLoad.ok} ok, ${appLoad.failed} failed)`);
          const openRun = runJson(process.execPath, ['--import', 'tsx', GENERATOR], { ...baseEnv(), PORT: String(port), FILE: file, OFFSET: String(offset), MODE: 'open', RATE: String(OPEN_RATE), DURATION_S: String(OPEN_S), DRAIN_S: String(OPEN_DRAIN_S) }, (OPEN_S + 60) * 1000);
          // read mid-run, from the database the app writes to
          await new Promise((r) => setTimeout(r, (OPEN_S * 1000) / 2));
          const s = await db.query<{ fsync: string; synchronous_commit: string }>("SELECT current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS synchronous_commit");
          settings = s.rows[0]!;
          open = await openRun;
          note(`webhook-ingest: open loop ${OPEN_RATE}/s: p50 ${open.p50_ms!.toFixed(2)} ms, p99 ${open.p99_ms!.toFixed(2)} ms, generator cpu ${open.generator_cpu!.toFixed(2)}`);
          stored = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM webhook_events')).rows[0]!.n);
        } finally {
          await db.end().catch(() => undefined);
        }
      } finally {
        await stopApp(env, app, postmaster);
      }

      // --- the baseline: bare Fastify, signature check only ---------------------------------------
      const barePort = await freePort();
      const bare = spawnCaptured(process.execPath, ['--import', 'tsx', BARE_SERVER], { cwd: ROOT, env: { ...baseEnv(), PORT: String(barePort), META_APP_SECRET: APP_SECRET } });
      let bareLoad: Throughput;
      try {
        await waitFor200(barePort, '/readyz', { intervalMs: 50, timeoutMs: 30_000, abort: bare.exited });
        await closedLoad(barePort, file, 0, WARMUP_S);
        bareLoad = await closedLoad(barePort, file, 0, MEASURE_S);
      } finally {
        await stopProcess(bare, 5_000);
      }
      note(`webhook-ingest: bare Fastify ${Math.round(bareLoad.rps)} POST/s (${bareLoad.failed} failed)`);

      const value = appLoad.rps;
      const baseline = bareLoad.rps;
      const ratio = value / baseline;
      const durable = settings.fsync === 'on' && settings.synchronous_commit === 'on';
      const clean = appLoad.failed === 0 && bareLoad.failed === 0 && open.other_status === 0 && open.errors === 0 && open.unfinished === 0 && appLoad.wraps === 0;
      const notes: string[] = [];
      if (!durable) notes.push(`not durable: fsync=${settings.fsync}, synchronous_commit=${settings.synchronous_commit}`);
      if (!clean) notes.push(`not clean: app_failed=${appLoad.failed}, baseline_failed=${bareLoad.failed}, open failed=${open.other_status! + open.errors!}, open unanswered ${OPEN_DRAIN_S} s after the last send=${open.unfinished}, body file wrapped=${appLoad.wraps}`);
      return {
        name: 'webhook-ingest',
        value: round(value, 0),
        unit: 'POST/s',
        baseline: round(baseline, 0),
        ratio: round(ratio, 3),
        goal: `ratio >= ${GOAL_RATIO} and p99 <= ${GOAL_P99_MS} ms at ${OPEN_RATE}/s, fsync and synchronous_commit on`,
        met: durable && clean && ratio >= GOAL_RATIO && open.p99_ms! <= GOAL_P99_MS,
        p50_ms: round(open.p50_ms!, 2),
        p99_ms: round(open.p99_ms!, 2),
        max_ms: round(open.max_ms!, 2),
        open_rate: OPEN_RATE,
        open_sent: open.sent!,
        open_ok: open.ok!,
        open_failed: open.other_status! + open.errors!,
        open_unfinished: open.unfinished!,
        open_max_send_lag_ms: round(open.max_send_lag_ms!, 2),
        generator_cpu: round(open.generator_cpu!, 3),
        fsync: settings.fsync,
        synchronous_commit: settings.synchronous_commit,
        app_ok: appLoad.ok,
        app_failed: appLoad.failed,
        baseline_failed: bareLoad.failed,
        stored_events: stored,
        load_tool: appLoad.tool,
        connections: CONNECTIONS,
        measure_s: MEASURE_S,
        database: env.mode,
        cpus: os.availableParallelism(),
        loadavg_1m: round(os.loadavg()[0] ?? 0, 2),
        total_s: round((performance.now() - started) / 1000, 1),
        ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
      };
    } finally {
      await env.cleanup();
    }
  },
};
export default benchmark;
