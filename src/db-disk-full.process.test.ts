/**
 * The embedded database's disk fills up, or its volume turns read-only (issue #11, faults). The real
 * server (tsx src/main.ts) runs on the EMBEDDED database with DATA_DIR on a small tmpfs this test
 * mounts (root only: skipped with the reason otherwise).
 *
 * - Full while running: signed webhook deliveries (writes) are answered fast with a 503 problem
 *   `storage_full` (never a 500, never a hang), session reads still work, /readyz says 503 with the
 *   reason and the log says so in one line. Once the filler file is gone the app recovers by itself,
 *   every acknowledged delivery is stored, and amcheck (heap and every btree index) plus the audit
 *   chain check (`npm run cli -- verify-audit`) find no damage.
 * - Full or read-only at start: the server exits non-zero with one line naming the cause (no stack
 *   trace) and starts normally once the volume is writable again.
 * - Full with no room for the next WAL segment: PostgreSQL PANICs and stops, the app stops with the
 *   cause, and after space returns a restart recovers everything.
 * - Read-only while running: tmpfs refuses that while files are open (EBUSY), so this case runs on an
 *   ext4 image on a loop device whose kernel error switch (errors=remount-ro) is triggered; skipped
 *   with the reason where loop devices are missing.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { planLayout } from './db/embedded/layout.js';
import { connectionUrl } from './db/embedded/server.js';
import { faultProbe, type Answer } from './test-support/fault-probe.js';
import { freePort, spawnServer, waitReady, type ServerProcess } from './test-support/server-process.js';

const APP_SECRET = randomBytes(24).toString('hex');
const KEY = randomBytes(32).toString('base64');
/** Fail fast: an answer while the disk is full must come well inside this. */
const FAST_MS = 5_000;
const mountPoint = mkdtempSync(path.join(os.tmpdir(), 'crm-diskfull-'));
const filler = path.join(mountPoint, 'filler');
/** the DATA_DIR the server runs on: the tmpfs, and in the last test an ext4 volume */
let dataDir = mountPoint;
/** an ext4 image on a loop device: unlike tmpfs it can be switched read-only under open files */
const ext4Image = `${mountPoint}.img`;
const ext4Mount = `${mountPoint}-ext4`;
const children: ChildProcess[] = [];
let app: ServerProcess | undefined;

/** Mounts a 128 MiB tmpfs on the DATA_DIR; the reason when that is not possible (not root, EPERM). */
function mountTmpfs(): string | null {
  const res = process.getuid?.() === 0 ? spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=128m,mode=0755', 'tmpfs', mountPoint], { encoding: 'utf8', timeout: 10_000 }) : null;
  if (res?.status === 0) return null;
  rmSync(mountPoint, { recursive: true, force: true }); // vitest runs no hooks when every test is skipped
  return res ? `mount -t tmpfs failed: ${(res.stderr || res.error?.message || '').trim()}` : 'needs root to mount a tmpfs';
}
const skipReason = mountTmpfs();
if (skipReason) console.warn(`db-disk-full: skipped, ${skipReason}`);

function mount(...opts: string[]): void {
  const res = spawnSync('mount', ['-o', opts.join(','), mountPoint], { encoding: 'utf8', timeout: 10_000 });
  if (res.status !== 0) throw new Error(`mount -o ${opts.join(',')}: ${res.stderr}`);
}

/** Fills the volume to the last byte (1 MiB writes, then 4 KiB ones) with one file. */
function fillDisk(): void {
  const fd = openSync(filler, 'w');
  try {
    for (const size of [1 << 20, 4096]) {
      const chunk = Buffer.alloc(size, 1);
      for (;;) {
        try {
          writeSync(fd, chunk);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw e;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}

function serverEnv(port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', META_APP_SECRET: APP_SECRET, ENCRYPTION_KEY: KEY };
  for (const k of ['DATABASE_URL', 'META_APP_ID', 'TEST_DATABASE_URL', 'ENCRYPTION_KEYS', 'PUBLIC_URL', 'SANDBOX']) delete env[k];
  return env;
}
async function startServer(): Promise<ServerProcess> {
  const port = await freePort();
  return spawnServer(port, serverEnv(port), children, 400_000);
}

/** SIGTERM stops the embedded server in order; SIGKILL (which would orphan it) only as a last resort. */
async function stopServer(p: ServerProcess): Promise<number | null> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return p.child.exitCode;
  p.child.kill('SIGTERM');
  const code = await Promise.race([p.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 25_000))]);
  if (code !== 'timeout') return code;
  p.child.kill('SIGKILL');
  return p.exited;
}

/** A superuser connection to the app's database on the embedded server (the test reads its password). */
async function superuser(): Promise<pg.Client> {
  const layout = planLayout(dataDir);
  const password = readFileSync(layout.passwordFile, 'utf8').trim();
  const client = new pg.Client({ connectionString: connectionUrl(password, layout.sockDir, layout.port, 'crm'), connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

beforeAll(async () => {
  if (skipReason) return;
  app = await startServer();
  await waitReady(app, 90_000);
}, 120_000);

afterAll(async () => {
  if (skipReason) return;
  rmSync(filler, { force: true });
  spawnSync('mount', ['-o', 'remount,rw', mountPoint], { timeout: 10_000 });
  const running = children.filter((ch) => ch.exitCode === null && ch.signalCode === null);
  await Promise.all(running.map((ch) => new Promise<void>((resolve) => {
    const kill = setTimeout(() => ch.kill('SIGKILL'), 15_000);
    ch.once('exit', () => resolve(clearTimeout(kill)));
    ch.kill('SIGTERM');
  })));
  for (const dir of [mountPoint, ext4Mount]) {
    // A postmaster left behind (its app was SIGKILLed) would keep the volume busy.
    try {
      process.kill(Number(readFileSync(path.join(planLayout(dir).pgdata, 'postmaster.pid'), 'utf8').split('\n')[0]), 'SIGQUIT');
      await new Promise((r) => setTimeout(r, 1_000));
    } catch {
      /* no server left */
    }
    if (spawnSync('umount', [dir], { timeout: 10_000 }).status !== 0) spawnSync('umount', ['-l', dir], { timeout: 10_000 });
    rmSync(dir, { recursive: true, force: true });
  }
  rmSync(ext4Image, { force: true });
}, 60_000);

const { deliver, read, ready, ackedKeys } = faultProbe({ port: () => app!.port, appSecret: APP_SECRET, deliveries: 1000, seed: 53 });

/** Waits (bounded) for a log line: the server's stdout may arrive after the response that caused it. */
async function logShows(line: RegExp): Promise<void> {
  for (let waited = 0; !line.test(app!.stdout()) && waited < 3_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
  expect(app!.stdout()).toMatch(line);
}

/**
 * Every acknowledged delivery is stored; heap and btree indexes check out (amcheck reads every page,
 * so the data checksums are verified too); the app's own audit chain check passes.
 */
async function expectIntact(): Promise<void> {
  const db = await superuser();
  try {
    const keys = ackedKeys();
    const found = await db.query<{ n: number }>('SELECT count(DISTINCT dedupe_key)::int AS n FROM webhook_events WHERE dedupe_key = ANY($1)', [keys]);
    expect(found.rows[0]!.n).toBe(new Set(keys).size);
    await db.query('CREATE EXTENSION IF NOT EXISTS amcheck');
    const heap = await db.query(`SELECT c.oid::regclass::text AS rel, v.* FROM pg_class c CROSS JOIN LATERAL verify_heapam(c.oid) v
      WHERE c.relkind IN ('r', 'm', 't') AND c.relpersistence = 'p'`);
    expect(heap.rows).toEqual([]);
    // relkind 'i': pg-boss's partitioned tables have partitioned indexes (no storage of their own)
    const indexes = await db.query<{ n: number }>(`WITH btree AS (
        SELECT c.oid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
        WHERE am.amname = 'btree' AND c.relkind = 'i' AND c.relpersistence = 'p' AND i.indisready AND i.indisvalid)
      SELECT count(bt_index_check(oid, true))::int AS n FROM btree`);
    expect(indexes.rows[0]!.n).toBeGreaterThan(10);
  } finally {
    await db.end();
  }
  // attached to the running server, as an operator would run it
  const verify = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'verify-audit'], { env: serverEnv(app!.port), encoding: 'utf8', timeout: 60_000 });
  expect(verify.status, verify.stdout + verify.stderr).toBe(0);
}

async function webhookRows(): Promise<number> {
  const db = await superuser();
  try {
    return (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_events')).rows[0]!.n;
  } finally {
    await db.end();
  }
}

it.skipIf(skipReason)('answers 503 storage_full while the disk is full, recovers by itself when space returns, and nothing is lost or damaged', async () => {
  const before = await Promise.all(Array.from({ length: 60 }, deliver));
  expect(before.filter((a) => a.status !== 200)).toEqual([]);

  // A fresh WAL segment and a checkpoint first: the writes below then fail where a full disk
  // usually bites (extending a table or index: ERROR 53100). Running out of room for the next WAL
  // segment instead is a PANIC, the third test.
  const su = await superuser();
  await su.query('SELECT pg_switch_wal()');
  await su.query('CHECKPOINT');
  await su.end();

  fillDisk();
  const during: Answer[] = [];
  for (let round = 0; round < 15; round++) during.push(...(await Promise.all([deliver(), deliver(), deliver(), read()])));
  during.push(await ready());

  const diagnostics = `${JSON.stringify(during.filter((a) => a.status !== 200 && a.status !== 401).slice(0, 3))}\n${app!.stdout().slice(-3000)}`;
  // fast, and only the three expected answers: stored, refused for lack of space, read
  expect(during.filter((a) => a.ms > FAST_MS || a.status === null), diagnostics).toEqual([]);
  const writes = during.filter((a) => a.what === 'webhook');
  expect(writes.filter((a) => a.status !== 200 && !(a.status === 503 && a.code === 'storage_full')), diagnostics).toEqual([]);
  expect(writes.filter((a) => a.status === 503).length, diagnostics).toBeGreaterThan(0);
  const refusal = writes.find((a) => a.status === 503)!;
  expect(refusal.body).toMatch(/database storage is full/);
  expect(during.filter((a) => a.what === 'api read').every((a) => a.status === 401), diagnostics).toBe(true);
  expect(during.at(-1)).toMatchObject({ status: 503, code: 'storage_full' });
  // the operator's line, once (from the storage watch), and per refused write
  await logShows(/embedded database storage is full/);
  const log = app!.stdout();
  expect(log).toMatch(/database storage is full: writes fail until disk space is freed/);
  expect(log).not.toMatch(/unhandled error/);
  // the driver's cause only: drizzle's message would put the query's parameters (payloads) in the log
  expect(log).toMatch(/"reason":"could not extend file .*: No space left on device"/);
  const refusals = log.split('\n').filter((l) => l.includes('writes fail until disk space is freed'));
  expect(refusals.filter((l) => /Failed query|params:/.test(l))).toEqual([]);

  // space returns: the app recovers without a restart
  rmSync(filler);
  const deadline = Date.now() + 30_000;
  while ((await ready()).status !== 200) {
    expect(Date.now(), 'the app did not recover within 30 s').toBeLessThan(deadline);
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(app!.child.exitCode).toBeNull();
  const after = await Promise.all(Array.from({ length: 60 }, deliver));
  expect(after.filter((a) => a.status !== 200), app!.stderr().slice(-2000)).toEqual([]);
  await logShows(/embedded database storage is writable and has free space again/);

  await expectIntact();
}, 120_000);

it.skipIf(skipReason)('refuses to start on a full or read-only DATA_DIR with one clear line, and starts once the volume is writable again', async () => {
  const stored = await webhookRows();
  expect(await stopServer(app!)).toBe(0);

  const refused = async (cause: RegExp): Promise<void> => {
    const p = await startServer();
    const code = await Promise.race([p.exited, new Promise<'hang'>((r) => setTimeout(() => r('hang'), 30_000))]);
    expect(code, p.stderr()).not.toBe('hang');
    expect(code, p.stderr()).not.toBe(0);
    expect(p.stderr()).toMatch(/^Start-up failed: .+/m);
    expect(p.stderr()).toMatch(cause);
    expect(p.stderr(), 'a stack trace instead of a message').not.toMatch(/^\s+at /m);
  };
  fillDisk();
  await refused(/No space left on device.*the volume of DATA_DIR is full/);
  rmSync(filler);

  mount('remount', 'ro');
  try {
    await refused(/Read-only file system.*the volume of DATA_DIR is read-only/);
  } finally {
    mount('remount', 'rw');
  }

  app = await startServer();
  await waitReady(app, 60_000);
  expect((await deliver()).status).toBe(200);
  expect(await webhookRows()).toBeGreaterThan(stored);
}, 120_000);

it.skipIf(skipReason)('when the full disk leaves no room for the next WAL segment (PANIC), stops with the cause and comes back intact after space returns and a restart', async () => {
  // Another writer on the same server churns WAL without growing any table (HOT updates in place),
  // so the first thing to fail is a new WAL segment: a PANIC, then crash recovery, which cannot
  // write its end-of-recovery checkpoint either, so PostgreSQL shuts down.
  const su = await superuser();
  su.on('error', () => undefined);
  await su.query('CREATE TABLE wal_churn (id int PRIMARY KEY, v int) WITH (fillfactor = 30)');
  await su.query('INSERT INTO wal_churn SELECT g, 0 FROM generate_series(1, 20000) g');
  await su.query('CHECKPOINT');
  fillDisk();
  let failure: Error | null = null;
  for (let i = 0; i < 200 && !failure; i++) failure = await su.query('UPDATE wal_churn SET v = v + 1').then(() => null, (e: Error) => e);
  await su.end().catch(() => undefined);
  expect(failure, 'the updates never failed').not.toBeNull();

  const code = await Promise.race([app!.exited, new Promise<'running'>((r) => setTimeout(() => r('running'), 20_000))]);
  expect(code, app!.stdout().slice(-3000)).toBe(1);
  expect(app!.stdout()).toMatch(/embedded PostgreSQL \(pid \d+\) exited unexpectedly[^\n]*No space left on device[^\n]*the volume of DATA_DIR is full/);

  // (while it stays full, a start fails with the cause: the second test)
  rmSync(filler);
  app = await startServer();
  await waitReady(app, 60_000);
  expect((await deliver()).status).toBe(200);
  await expectIntact();
}, 120_000);

/** Mounts the ext4 image (errors=remount-ro); returns its trigger_fs_error file, or why it cannot. */
function mountExt4(): { trigger: string } | { unavailable: string } {
  const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
  mkdirSync(ext4Mount, { recursive: true });
  let res = run('truncate', ['-s', '160M', ext4Image]);
  if (res.status === 0) res = run('mkfs.ext4', ['-q', '-F', ext4Image]);
  if (res.status === 0) res = run('mount', ['-o', 'loop,errors=remount-ro', ext4Image, ext4Mount]);
  if (res.status !== 0) return { unavailable: `no ext4 on a loop device: ${(res.stderr || res.error?.message || '').trim()}` };
  const trigger = `/sys/fs/ext4/${path.basename(run('findmnt', ['-no', 'SOURCE', ext4Mount]).stdout.trim())}/trigger_fs_error`;
  return existsSync(trigger) ? { trigger } : { unavailable: `the kernel has no ${trigger}` };
}

it.skipIf(skipReason)('when the kernel switches the volume read-only under the running server, answers 503, stops with the cause, and comes back intact after a check and a restart', async (ctx) => {
  expect(await stopServer(app!)).toBe(0);
  const ext4 = mountExt4();
  if ('unavailable' in ext4) {
    console.warn(`db-disk-full: read-only case skipped, ${ext4.unavailable}`);
    return ctx.skip();
  }
  // the same data, now on ext4 (the cluster was shut down cleanly)
  expect(spawnSync('cp', ['-a', `${mountPoint}/.`, `${ext4Mount}/`]).status).toBe(0);
  // on disk, not just in the page cache: an emergency read-only switch drops unwritten data
  expect(spawnSync('sync', ['-f', ext4Mount]).status).toBe(0);
  dataDir = ext4Mount;
  app = await startServer();
  await waitReady(app, 60_000);
  expect((await Promise.all(Array.from({ length: 20 }, deliver))).filter((a) => a.status !== 200)).toEqual([]);

  // what ext4 does on an I/O error with errors=remount-ro
  writeFileSync(ext4.trigger, 'crm test');
  const probe = await ready();
  const answers: Answer[] = [];
  const deadline = Date.now() + 20_000;
  while (app.child.exitCode === null && Date.now() < deadline) {
    answers.push(await deliver(), await read());
    await new Promise((r) => setTimeout(r, 50));
  }
  const code = await Promise.race([app.exited, new Promise<'running'>((r) => setTimeout(() => r('running'), 5_000))]);
  const diagnostics = `${JSON.stringify([probe, ...answers.slice(0, 4)])}\n${app.stdout().slice(-3000)}`;
  // the probe saw it before PostgreSQL gave up, unless PostgreSQL gave up first
  expect(probe.status === 503 && probe.code === 'storage_read_only' || probe.status === null, diagnostics).toBe(true);
  // until the app stopped: stored, refused naming the cause, or (PostgreSQL gone) unavailable; never a 500 or a hang
  const unexpected = answers.filter((a) => a.status !== null && ![200, 401].includes(a.status) && !(a.status === 503 && ['storage_read_only', 'unavailable'].includes(a.code ?? '')));
  expect(unexpected, diagnostics).toEqual([]);
  expect(answers.filter((a) => a.ms > FAST_MS), diagnostics).toEqual([]);
  expect(code, diagnostics).toBe(1);
  expect(app.stdout()).toMatch(/embedded PostgreSQL \(pid \d+\) exited unexpectedly[^\n]*Read-only file system[^\n]*the volume of DATA_DIR is read-only/);

  // the operator's repair: unmount, check, mount read-write, start
  expect(spawnSync('umount', [ext4Mount]).status).toBe(0);
  expect(spawnSync('e2fsck', ['-fy', ext4Image]).status).toBeLessThanOrEqual(1);
  expect(spawnSync('mount', ['-o', 'loop,errors=remount-ro', ext4Image, ext4Mount]).status).toBe(0);
  app = await startServer();
  await waitReady(app, 60_000);
  expect((await deliver()).status).toBe(200);
  await expectIntact();
}, 120_000);
