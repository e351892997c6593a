/**
 * Scale-out: what a second instance costs. The BUILT server (node dist/server/main.js, sandbox mode
 * with a known META_APP_SECRET), first one instance, then two on the same PostgreSQL database (the
 * same DATABASE_URL, ENCRYPTION_KEY and PUBLIC_URL, as docs/OPERATIONS.md deploys them), in the same
 * run and on the same data, under the same open-loop load at a fixed total rate (clock driven, from
 * a separate process: bench/lib/scale-out-load-gen.ts), split round-robin over the instances in the
 * second configuration. The rate is what one instance answers comfortably at the time: once the
 * fresh instance has calmed down after start-up, a 4 s closed-loop warm-up, then a 4 s closed-loop
 * probe against it (16 connections), halved, within 20..600 req/s (these machines are shared; a
 * fixed figure would overload a busy box and idle a quiet one). The second instance gets a 4 s
 * closed-loop warm-up of its own before its phase. After the load, both instances are watched idle
 * for a few seconds (idle_app_cpu_ms_per_s: what a second instance costs whatever the load). The mix, per ten requests: 3 signed webhook deliveries
 * (POST /webhooks/whatsapp), 3 record views (GET /api/v1/onboarding/<id>), 2 user lists
 * (GET /api/v1/users?limit=50) and 2 audit pages (GET /api/v1/audit/events?limit=50) as a
 * signed-in owner.
 *
 * PostgreSQL: with BENCH_DATABASE_URL a fresh database on that server (dropped afterwards);
 * otherwise an embedded server of our own in a temporary directory (fsync ON: not ephemeral), which
 * the apps reach through its socket URL. Seeded once: ~300 users, 300 onboarding records with their
 * steps, phone numbers and history, 20,000 audit events (sealed into the chain before any app
 * starts, so no instance spends the measured phases sealing the seed).
 *
 * CPU: utime + stime of the app processes from /proc/<pid>/stat, read by the generator right before
 * its first request and by this process once the phase has settled (every request answered and no
 * webhook event left pending, so the asynchronous processing of the phase's deliveries counts in
 * it); the same for the embedded postmaster and its children (exited backends through its
 * cutime/cstime). With an external server the database CPU is not measured.
 *
 * value = app CPU ms per request with two instances; baseline = with one; ratio = value / baseline.
 * Goal: ratio <= 1.15 with no failed or unanswered request (a second instance adds little cost per
 * request). Throughput cannot double on a 2-core machine: see the note in the result.
 *
 * BENCH_SCALE_OUT_RATE=N skips the probe's choice and offers N req/s. BENCH_SCALE_OUT_PER_KIND=1 adds
 * (~20 s) each kind's app CPU per request, alone in a closed loop on the first instance.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { runMigrations } from '../../src/db/migrate.js';
import { signedDeliveries } from '../../src/features/webhooks/test-fixtures/webhook-mix.js';
import { ROOT, ensureBuiltServer } from '../lib/build.js';
import { freePort, request, waitFor200 } from '../lib/http.js';
import { type Spawned, spawnCaptured, stopProcess } from '../lib/proc.js';
import { processCpuMs, processTreeCpuMs } from '../lib/proc-cpu.js';
import type { GenConfig } from '../lib/scale-out-load-gen.js';
import { APP_SECRET, baseEnv, type Db, openDb, seed, signIn, startApp } from '../lib/seeded-app.js';
import { note, round } from '../lib/stats.js';
import type { Benchmark, Result } from '../lib/types.js';

/** the fixed rate, when set; otherwise RATE_SHARE of what the probe saw one instance answer, within RATE_MIN..RATE_MAX */
const RATE_OVERRIDE = process.env.BENCH_SCALE_OUT_RATE ? Number(process.env.BENCH_SCALE_OUT_RATE) : null;
const RATE_SHARE = 0.5;
const RATE_MIN = 20;
const RATE_MAX = 600;
const PROBE_S = 4;
const PROBE_CONNECTIONS = 16;
const WARMUP_S = 3;
const MEASURE_S = 15;
/** a fresh instance counts as settled after a second under these CPU ms (app / PostgreSQL) */
const QUIET_APP_MS = 60;
const QUIET_DB_MS = 100;
const QUIET_MAX_S = 20;
/** seconds an instance is watched doing nothing (its background loops: pg-boss, the audit sealer) */
const IDLE_S = 3;
const DRAIN_S = 5;
/** longest wait, after the load, for the phase's webhook deliveries to be processed */
const SETTLE_MAX_S = 15;
const GOAL_RATIO = 1.15;
const AUDIT_EVENTS = 20_000;
const EXTRA_USERS = 100; // besides audit-seed's 200 staff and the owner
const RECORDS = 300;
const AUDIT_PATH = '/api/v1/audit/events?limit=50';
/** the stand-in when the audit log route is not there (404) */
const AUDIT_FALLBACK_PATH = '/api/v1/webhooks/events?limit=50';
const GENERATOR = path.join(ROOT, 'bench', 'lib', 'scale-out-load-gen.ts');
/** 3 of every 10 requests are webhooks; 4 load runs (warm-up + measured, twice) at most RATE_MAX, and three closed-loop runs */
const DELIVERIES = Math.ceil(RATE_MAX * (WARMUP_S + MEASURE_S) * 2 * 0.3) + 8_000;

/** Runs the generator to completion; returns its JSON line. */
async function runGenerator(dir: string, cfg: GenConfig, label: string): Promise<Record<string, number | string | number[] | null>> {
  const file = path.join(dir, `gen-${label}.json`);
  await writeFile(file, JSON.stringify(cfg), { mode: 0o600 });
  const p = spawnCaptured(process.execPath, ['--import', 'tsx', GENERATOR], { cwd: ROOT, env: { ...baseEnv(), CONFIG: file } });
  const timer = setTimeout(() => p.child.kill('SIGKILL'), (cfg.durationS + cfg.drainS + 60) * 1000);
  const { code, signal } = await p.exit;
  clearTimeout(timer);
  const last = p.output().trimEnd().split('\n').reverse().find((l) => l.startsWith('{'));
  if (code !== 0 || !last) throw new Error(`load generator (${label}) ended with ${code ?? signal}:\n${p.output()}`);
  return JSON.parse(last) as Record<string, number | string | number[] | null>;
}

/** Waits until no webhook event is pending (the phase's deliveries processed); returns seconds waited and what is left. */
async function settle(pool: pg.Pool): Promise<{ s: number; pending: number }> {
  const t0 = performance.now();
  for (;;) {
    const { rows } = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM webhook_events WHERE state = 'pending'");
    const waited = (performance.now() - t0) / 1000;
    if (rows[0]!.n === 0 || waited > SETTLE_MAX_S) return { s: waited, pending: rows[0]!.n };
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Waits (up to QUIET_MAX_S) until a fresh instance and PostgreSQL have calmed down after start-up
 * and seeding (one second under QUIET_APP_MS / QUIET_DB_MS of CPU), so the probe and the phases do
 * not measure start-up work; returns what each second cost, for the log.
 */
async function waitQuiet(appPid: number, dbPid: number | null): Promise<string> {
  const seen: string[] = [];
  for (let i = 0; i < QUIET_MAX_S; i++) {
    const a0 = processCpuMs(appPid);
    const d0 = dbPid ? processTreeCpuMs(dbPid) : 0;
    await new Promise((r) => setTimeout(r, 1000));
    const app = processCpuMs(appPid) - a0;
    const db = dbPid ? processTreeCpuMs(dbPid) - d0 : 0;
    seen.push(`${Math.round(app)}/${Math.round(db)}`);
    if (app < QUIET_APP_MS && db < QUIET_DB_MS) break;
  }
  return seen.join(' ');
}

/** A closed-loop run against one instance (the rate probe, warm-ups, the per-kind cost): answered req/s and the app's CPU ms per answered request. */
async function closedRun(
  dir: string,
  base: Pick<GenConfig, 'cookie' | 'recordIds' | 'auditPath' | 'deliveriesFile' | 'dbPid'>,
  app: { port: number; pid: number },
  offset: { next: number },
  only?: GenConfig['only'],
): Promise<{ rps: number; cpuMsPerReq: number }> {
  const r = await runGenerator(
    dir,
    { ...base, rate: 0, drainS: DRAIN_S, ports: [app.port], durationS: PROBE_S, offset: offset.next, appPids: [app.pid], mode: 'closed', connections: PROBE_CONNECTIONS, ...(only ? { only } : {}) },
    `probe-${app.port}-${only ?? 'mix'}`,
  );
  offset.next += Number(r.webhooks_sent);
  if (Number(r.failed) > 0) throw new Error(`the closed-loop run on :${app.port} saw ${r.failed} failed requests (first: ${r.first_other})`);
  return { rps: Number(r.answered_rps), cpuMsPerReq: (r.cpu_app_ms as number[])[0]! / Number(r.ok) };
}

interface Phase {
  instances: number;
  sent: number;
  ok: number;
  failed: number;
  unfinished: number;
  firstFailure: string;
  rps: number;
  p50: number;
  p99: number;
  appCpuMs: number;
  dbCpuMs: number | null;
  perKindP99: string;
  generatorCpu: number;
  settleS: number;
  leftPending: number;
  sendLagMs: number;
}

async function phase(dir: string, pool: pg.Pool, apps: { port: number; pid: number }[], db: Db, base: Omit<GenConfig, 'ports' | 'durationS' | 'offset' | 'appPids' | 'dbPid'>, offset: { next: number }): Promise<Phase> {
  const label = `${apps.length}x`;
  const cfg = (durationS: number): GenConfig => ({ ...base, ports: apps.map((a) => a.port), durationS, offset: offset.next, appPids: apps.map((a) => a.pid), dbPid: db.postmaster });
  // warm-up at the same rate (JIT, pools, caches), not measured
  const warm = await runGenerator(dir, cfg(WARMUP_S), `${label}-warm`);
  offset.next += Number(warm.webhooks_sent);
  await settle(pool);
  const r = await runGenerator(dir, cfg(MEASURE_S), `${label}-measure`);
  offset.next += Number(r.webhooks_sent);
  const settled = await settle(pool);
  const app1 = apps.map((a) => processCpuMs(a.pid));
  const db1 = db.postmaster ? processTreeCpuMs(db.postmaster) : null;
  const app0 = r.cpu_app0_ms as number[];
  const appCpuMs = app1.reduce((s, v, i) => s + v - app0[i]!, 0);
  const dbCpuMs = db1 !== null && r.cpu_db0_ms !== null ? db1 - (r.cpu_db0_ms as number) : null;
  const kinds = ['webhook', 'users', 'record', 'audit'];
  const out: Phase = {
    instances: apps.length,
    sent: Number(r.sent),
    ok: Number(r.ok),
    failed: Number(r.other_status) + Number(r.errors) + Number(warm.other_status) + Number(warm.errors),
    unfinished: Number(r.unfinished) + Number(warm.unfinished),
    firstFailure: String(r.first_other || warm.first_other || ''),
    rps: Number(r.answered_rps),
    p50: Number(r.p50_ms),
    p99: Number(r.p99_ms),
    appCpuMs,
    dbCpuMs,
    perKindP99: kinds.map((k) => `${k} ${round(Number(r[`${k}_p99_ms`]), 1)}`).join(', '),
    generatorCpu: Number(r.generator_cpu),
    settleS: settled.s,
    leftPending: settled.pending,
    sendLagMs: Number(r.max_send_lag_ms),
  };
  note(
    `scale-out: ${label}: ${out.ok}/${out.sent} ok at ${round(out.rps, 1)} req/s, p50 ${round(out.p50, 2)} ms, p99 ${round(out.p99, 2)} ms (p99 per kind: ${out.perKindP99}); ` +
      `app CPU ${Math.round(appCpuMs)} ms (${round(appCpuMs / out.sent, 3)} ms/req)` +
      (dbCpuMs !== null ? `, PostgreSQL CPU ${Math.round(dbCpuMs)} ms (${round(dbCpuMs / out.sent, 3)} ms/req)` : '') +
      `; generator ${round(out.generatorCpu, 2)} core; settled in ${round(settled.s, 1)} s${settled.pending ? ` (${settled.pending} still pending)` : ''}` +
      (out.failed ? `; FAILED ${out.failed}: ${out.firstFailure}` : ''),
  );
  return out;
}

const benchmark: Benchmark = {
  name: 'scale-out',
  async run(): Promise<Result> {
    const started = performance.now();
    ensureBuiltServer();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'crm-bench-scale-out-'));
    const apps: Spawned[] = [];
    let db: Db | null = null;
    let pool: pg.Pool | null = null;
    try {
      db = await openDb();
      pool = new pg.Pool({ connectionString: db.url, max: 2 });
      pool.on('error', () => undefined);
      await runMigrations(pool);
      note(`scale-out: database ${db.mode} ready and migrated after ${((performance.now() - started) / 1000).toFixed(1)} s`);
      const recordIds = await seed(pool, { auditEvents: AUDIT_EVENTS, extraUsers: EXTRA_USERS, records: RECORDS }, 'scale-out');
      const deliveriesFile = path.join(dir, 'deliveries.tsv');
      await writeFile(deliveriesFile, signedDeliveries(DELIVERIES, { appSecret: APP_SECRET, seed: 3 }).map((d) => `${d.signature}\t${d.body}\n`).join(''));

      // both instances share DATA_DIR, DATABASE_URL, ENCRYPTION_KEY and PUBLIC_URL, as deployed
      const appDir = path.join(dir, 'app');
      await mkdir(appDir);
      const key = randomBytes(32).toString('base64');
      const portA = await freePort();
      const a = startApp(portA, appDir, db, key);
      apps.push(a);
      await waitFor200(portA, '/readyz', { intervalMs: 50, timeoutMs: 60_000, abort: a.exited });
      const cookie = await signIn(portA);
      note(`scale-out: instance A ready after ${((performance.now() - started) / 1000).toFixed(1)} s`);

      // every route of the mix must answer 200 before we measure; the audit log falls back when absent
      const get = (p: string) => request(portA, { path: p, headers: { cookie, accept: 'application/json' }, timeoutMs: 15_000 });
      let auditPath = AUDIT_PATH;
      const notes: string[] = [];
      const audit = await get(AUDIT_PATH);
      if (audit.status === 404) {
        auditPath = AUDIT_FALLBACK_PATH;
        notes.push(`GET ${AUDIT_PATH} answered 404: the audit page of the mix is GET ${AUDIT_FALLBACK_PATH} instead`);
        note(`scale-out: ${notes[0]}`);
      }
      for (const p of [auditPath, '/api/v1/users?limit=50', `/api/v1/onboarding/${recordIds[0]}`]) {
        const res = await get(p);
        if (res.status !== 200) throw new Error(`GET ${p} answered ${res.status}: ${res.body.slice(0, 300)}`);
      }

      const offset = { next: 0 };
      // The rate: what one instance answers comfortably right now (the box is shared, so it is probed,
      // not assumed): once A is quiet after start-up, a closed-loop warm-up, then a closed-loop probe; half of that.
      const gen = { cookie, recordIds, auditPath, deliveriesFile, dbPid: db.postmaster };
      note(`scale-out: A settling after start-up, CPU ms app/PostgreSQL per second: ${await waitQuiet(a.pid, db.postmaster)}`);
      await closedRun(dir, gen, { port: portA, pid: a.pid }, offset); // warm-up: a cold instance would understate its rate
      const probeRps = (await closedRun(dir, gen, { port: portA, pid: a.pid }, offset)).rps;
      const rate = RATE_OVERRIDE ?? Math.min(RATE_MAX, Math.max(RATE_MIN, Math.round((probeRps * RATE_SHARE) / 10) * 10));
      const base = { rate, drainS: DRAIN_S, cookie, recordIds, auditPath, deliveriesFile };
      note(`scale-out: one instance answered ${round(probeRps, 1)} req/s closed-loop (${PROBE_CONNECTIONS} connections); measuring at ${rate} req/s open loop${RATE_OVERRIDE ? ' (BENCH_SCALE_OUT_RATE)' : ''}, ${WARMUP_S} s warm-up + ${MEASURE_S} s measured per configuration; database ${db.mode}`);
      const one = await phase(dir, pool, [{ port: portA, pid: a.pid }], db, base, offset);

      const portB = await freePort();
      const b = startApp(portB, appDir, db, key);
      apps.push(b);
      await waitFor200(portB, '/readyz', { intervalMs: 50, timeoutMs: 60_000, abort: b.exited });
      // a closed-loop run like A's, so B is warm (JIT, pools) when measured
      note(`scale-out: B settling after start-up, CPU ms app/PostgreSQL per second: ${await waitQuiet(b.pid, db.postmaster)}`);
      const probeB = (await closedRun(dir, gen, { port: portB, pid: b.pid }, offset)).rps;
      note(`scale-out: instance B answered ${round(probeB, 1)} req/s closed-loop (warm-up)`);
      await settle(pool);
      const two = await phase(dir, pool, [{ port: portA, pid: a.pid }, { port: portB, pid: b.pid }], db, base, offset);

      // what an instance costs doing nothing (both warm, nothing pending): a second one adds this whatever the load
      const idle0 = [a.pid, b.pid].map(processCpuMs);
      await new Promise((r) => setTimeout(r, IDLE_S * 1000));
      const idleMsPerS = [a.pid, b.pid].reduce((sum, pid, i) => sum + processCpuMs(pid) - idle0[i]!, 0) / 2 / IDLE_S;
      note(`scale-out: an idle instance uses ${round(idleMsPerS, 1)} CPU ms/s (mean of the two over ${IDLE_S} s after the load)`);

      // BENCH_SCALE_OUT_PER_KIND=1: what each kind of request costs the app alone (closed loop on A)
      const perKind: Record<string, number> = {};
      if (process.env.BENCH_SCALE_OUT_PER_KIND === '1') {
        for (const k of ['webhook', 'users', 'record', 'audit'] as const) {
          await settle(pool);
          const r = await closedRun(dir, gen, { port: portA, pid: a.pid }, offset, k);
          perKind[`${k}_app_cpu_ms`] = round(r.cpuMsPerReq, 3);
          perKind[`${k}_closed_rps`] = round(r.rps, 1);
        }
        note(`scale-out: per kind (closed loop on A): ${JSON.stringify(perKind)}`);
      }

      const value = two.appCpuMs / two.sent;
      const baseline = one.appCpuMs / one.sent;
      const ratio = value / baseline;
      const dbPerReq = (p: Phase) => (p.dbCpuMs === null ? null : p.dbCpuMs / p.sent);
      const db1 = dbPerReq(one);
      const db2 = dbPerReq(two);
      const errors = one.failed + two.failed;
      const unfinished = one.unfinished + two.unfinished;
      const cpus = os.availableParallelism();
      // what one request costs in CPU all told (app + PostgreSQL + the generator's share) bounds what this box can answer
      const genMsPerReq = (two.generatorCpu * MEASURE_S * 1000) / two.sent;
      const costPerReq = value + (db2 ?? 0) + genMsPerReq;
      const ceiling = (cpus * 1000) / costPerReq;
      notes.push(
        `On this ${cpus}-core machine both instances, PostgreSQL and the load generator share the same ${cpus} cores (and other work on the box), so a second instance adds no cores: ` +
          `throughput cannot double. The rate is fixed (${rate} req/s offered to both configurations, ${RATE_OVERRIDE ? 'set by BENCH_SCALE_OUT_RATE' : `half of the ${Math.round(probeRps)} req/s one instance answered closed-loop at the start`}), so the comparison is CPU per request. ` +
          `All told a request costs ~${round(costPerReq, 2)} CPU ms (app ${round(value, 2)}${db2 !== null ? ` + PostgreSQL ${round(db2, 2)}` : ' + PostgreSQL not measured (external server)'} + generator ${round(genMsPerReq, 2)}), ` +
          `so ${cpus} idle cores could answer at most ~${Math.round(ceiling)} req/s whatever the number of instances; PostgreSQL's share (commits with fsync on for every webhook) is the part more app instances cannot spread. ` +
          `What a second instance does add is its idle cost (~${round(idleMsPerS, 1)} CPU ms/s here: pg-boss polling, the audit sealer loop), ~${round(idleMsPerS / rate, 2)} ms per request at this rate, less at a higher one`,
      );
      if (errors > 0 || unfinished > 0) notes.push(`not clean: ${errors} failed, ${unfinished} unanswered ${DRAIN_S} s after the last send (first: ${one.firstFailure || two.firstFailure})`);
      if (one.leftPending > 0 || two.leftPending > 0) notes.push(`webhook events still pending ${SETTLE_MAX_S} s after the load: ${one.leftPending} (1 instance), ${two.leftPending} (2 instances)`);

      return {
        name: 'scale-out',
        value: round(value, 3),
        unit: 'app CPU ms/request (2 instances)',
        baseline: round(baseline, 3),
        ratio: round(ratio, 3),
        goal: `ratio <= ${GOAL_RATIO} with 0 errors`,
        met: ratio <= GOAL_RATIO && errors === 0 && unfinished === 0,
        rate,
        probe_1_instance_rps: round(probeRps, 1),
        probe_b_rps: round(probeB, 1),
        idle_app_cpu_ms_per_s: round(idleMsPerS, 1),
        throughput_1_rps: round(one.rps, 1),
        throughput_2_rps: round(two.rps, 1),
        p50_1_ms: round(one.p50, 2),
        p99_1_ms: round(one.p99, 2),
        p50_2_ms: round(two.p50, 2),
        p99_2_ms: round(two.p99, 2),
        p99_per_kind_1_ms: one.perKindP99,
        p99_per_kind_2_ms: two.perKindP99,
        ...(db1 !== null && db2 !== null ? { db_cpu_ms_per_req_1: round(db1, 3), db_cpu_ms_per_req_2: round(db2, 3), db_ratio: round(db2 / db1, 3) } : {}),
        requests_1: one.sent,
        requests_2: two.sent,
        errors,
        unfinished,
        max_send_lag_ms: round(Math.max(one.sendLagMs, two.sendLagMs), 1),
        generator_cpu: round(Math.max(one.generatorCpu, two.generatorCpu), 3),
        audit_path: auditPath,
        ...perKind,
        measure_s: MEASURE_S,
        database: db.mode,
        cpus,
        loadavg_1m: round(os.loadavg()[0] ?? 0, 2),
        total_s: round((performance.now() - started) / 1000, 1),
        note: notes.join('; '),
      };
    } finally {
      for (const p of apps.reverse()) {
        const res = await stopProcess(p, 30_000);
        if (res.killed || res.code !== 0) note(`scale-out: an app did not stop cleanly (${res.code ?? res.signal}${res.killed ? ', killed' : ''}):\n${p.output().slice(-2000)}`);
      }
      await pool?.end().catch(() => undefined);
      await db?.close().catch((err: unknown) => note(`scale-out: database teardown failed: ${(err as Error).message}`));
      await rm(dir, { recursive: true, force: true });
    }
  },
};
export default benchmark;
