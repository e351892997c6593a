/**
 * Lifecycle tests of the embedded PostgreSQL server against the real binaries. "Apps" that
 * own a server run as child processes (test-fixtures/owner-app.ts) so they can be SIGKILLed.
 * Each test uses its own mkdtemp dir; afterAll kills whatever is left and removes the dirs.
 */
import { spawn } from 'node:child_process';
import { appendFile, mkdir, readFile, realpath, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureSymlinks, loadBinaries } from './binaries.js';
import { EmbeddedPostgresError, ensureDatabase } from './index.js';
import { livePostgresIn, pidState, waitFor } from './proc.js';
import {
  cleanupAll,
  killApp,
  killLater,
  newDataDir,
  query,
  removeLater,
  sigkill,
  start,
  startApp,
  stopped,
} from './test-fixtures/harness.js';

const isRoot = process.getuid?.() === 0;
const TEST_TIMEOUT = 30_000;
const timings: Record<string, number> = {};

afterAll(async () => {
  await cleanupAll();
  console.log('embedded PostgreSQL timings (ms):', timings);
}, TEST_TIMEOUT);

describe('embedded PostgreSQL', () => {
  it('starts fresh, answers queries over the socket only, and stops', { timeout: TEST_TIMEOUT }, async () => {
    const dataDir = await newDataDir();
    // Leftovers of an initdb interrupted by a crash (pid beyond any pid_max, so surely dead).
    const staleInit = join(dataDir, 'pg', 'pgdata.init-4194305-deadbeef');
    await mkdir(staleInit, { recursive: true });
    let t = Date.now();
    const { server, logger } = await start(dataDir);
    timings.firstStartWithInitdb = Date.now() - t;
    expect(server.owned).toBe(true);
    const unexpected: unknown[] = [];
    server.onUnexpectedExit((info) => unexpected.push(info));

    await ensureDatabase(server, 'crm');
    await ensureDatabase(server, 'crm'); // idempotent
    const [row] = await query<{ db: string; addr: string | null; listen: string; locale: string }>(
      server.urlFor('crm'),
      "SELECT current_database() AS db, inet_server_addr() AS addr, current_setting('listen_addresses') AS listen, datlocale AS locale FROM pg_database WHERE datname = current_database()",
    );
    expect(row).toEqual({ db: 'crm', addr: null, listen: '', locale: 'C.UTF-8' });
    expect(server.urlFor('crm')).toMatch(/^postgresql:\/\/postgres:[\w-]+@\/crm\?host=.+&port=5432$/);
    expect((await stat(join(dataDir, 'pg', 'password'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dataDir, 'pg', 'pgdata'))).mode & 0o777).toBe(0o700);
    expect(logger.lines.some((l) => l.includes('initialised a new cluster'))).toBe(true);
    await expect(stat(staleInit)).rejects.toThrow(/ENOENT/);

    t = Date.now();
    await server.stop();
    timings.stop = Date.now() - t;
    expect(await pidState(server.pid)).not.toBe('alive');
    await server.stop(); // no-op once stopped
    expect(unexpected).toEqual([]);
    expect(await readFile(join(dataDir, 'pg', 'pg.log'), 'utf8')).toContain('database system is shut down');

    t = Date.now();
    const again = await start(dataDir);
    timings.restartExistingCluster = Date.now() - t;
    expect(again.logger.lines.some((l) => l.includes('initialised'))).toBe(false);
    expect(await query(again.server.urlFor('crm'), 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    await again.server.stop();
  });

  it('refuses a second start while a live app owns the data dir', { timeout: TEST_TIMEOUT }, async () => {
    const dataDir = await newDataDir();
    const app = await startApp(dataDir);
    const attempt = start(dataDir);
    await expect(attempt).rejects.toThrow(EmbeddedPostgresError);
    await expect(attempt).rejects.toThrow(`is in use by pid ${app.appPid}`);
    expect(await query(app.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]); // untouched
  });

  it('attaches in cli mode to the server of a running app', { timeout: TEST_TIMEOUT }, async () => {
    const dataDir = await newDataDir();
    const app = await startApp(dataDir);
    const { server } = await start(dataDir, { mode: 'cli' });
    expect(server.owned).toBe(false);
    expect(server.pid).toBe(app.pgPid);
    await ensureDatabase(server, 'cli_db');
    expect(await query(server.urlFor('cli_db'), 'SELECT current_database() AS db')).toEqual([{ db: 'cli_db' }]);
    await server.stop(); // must not stop the app's server
    expect(await pidState(app.pgPid)).toBe('alive');
    expect(await query(app.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('in cli mode starts its own server when no app runs', { timeout: TEST_TIMEOUT }, async () => {
    const { server } = await start(await newDataDir(), { mode: 'cli' });
    expect(server.owned).toBe(true);
    await server.stop();
  });

  it('stops the orphaned postmaster of a SIGKILLed app and starts', { timeout: TEST_TIMEOUT }, async () => {
    const dataDir = await newDataDir();
    const app = await startApp(dataDir);
    await killApp(app);
    expect(await pidState(app.pgPid)).toBe('alive'); // the orphan keeps running
    const t = Date.now();
    const { server, logger } = await start(dataDir);
    timings.orphanRecoveryAndStart = Date.now() - t;
    expect(logger.lines.some((l) => l.includes(`stopping orphaned server pid ${app.pgPid}`))).toBe(true);
    expect(await pidState(app.pgPid)).not.toBe('alive');
    expect(server.pid).not.toBe(app.pgPid);
    expect(await query(server.urlFor('postgres'), 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    await server.stop();
  });

  it('restarts after SIGKILL of both the app and the postmaster (zombie lock)', { timeout: TEST_TIMEOUT }, async () => {
    const dataDir = await newDataDir();
    const app = await startApp(dataDir);
    await killApp(app); // first the app, so the postmaster's zombie belongs to PID 1
    sigkill(app.pgPid);
    expect(await stopped(app.pgPid)).toBe(true);
    const t = Date.now();
    const { server } = await start(dataDir);
    timings.bothKilledRecoveryAndStart = Date.now() - t;
    expect(await query(server.urlFor('postgres'), 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    await server.stop();
  });

  it('keeps a committed row across SIGKILL of app and postmaster (fsync on)', { timeout: TEST_TIMEOUT }, async () => {
    const dataDir = await newDataDir();
    const app = await startApp(dataDir, false);
    await query(app.url, 'CREATE TABLE t (id int PRIMARY KEY, note text)');
    await query(app.url, 'INSERT INTO t VALUES (1, $1)', ['committed']);
    await killApp(app);
    sigkill(app.pgPid);
    expect(await stopped(app.pgPid)).toBe(true);
    const { server } = await start(dataDir, { ephemeral: false });
    expect(await query(server.urlFor('postgres'), 'SELECT id, note FROM t')).toEqual([{ id: 1, note: 'committed' }]);
    expect(await readFile(join(dataDir, 'pg', 'pg.log'), 'utf8')).toMatch(/not properly shut down|automatic recovery/);
    await server.stop();
  });

  it('reports an unexpected exit of its server', { timeout: TEST_TIMEOUT }, async () => {
    const { server, logger } = await start(await newDataDir());
    const exited = new Promise<{ signal: string | null; lastLog: string[] }>((r) => server.onUnexpectedExit(r));
    sigkill(server.pid);
    const info = await exited;
    expect(info.signal).toBe('SIGKILL');
    expect(logger.lines.some((l) => l.startsWith('error') && l.includes('exited unexpectedly'))).toBe(true);
    await server.stop(); // resolves at once for a dead server
  });

  it('removes a stale postmaster.pid whose pid now belongs to another program', { timeout: TEST_TIMEOUT }, async () => {
    const dataDir = await newDataDir();
    const first = await start(dataDir);
    await first.server.stop();
    const pidFile = join(dataDir, 'pg', 'pgdata', 'postmaster.pid');
    // This test process is alive and not postgres: exactly what PID reuse after a reboot looks like.
    await writeFile(pidFile, `${process.pid}\n${join(dataDir, 'pg', 'pgdata')}\n0\n5432\n/tmp\n\n0 0\nready   \n`);
    const { server, logger } = await start(dataDir);
    expect(logger.lines.some((l) => l.includes('is now another program'))).toBe(true);
    await server.stop();
  });

  it('removes lock files naming a zombie that is never reaped', { timeout: TEST_TIMEOUT }, async () => {
    const dataDir = await newDataDir();
    const first = await start(dataDir);
    const { socketDir } = first.server;
    await first.server.stop();
    // `sleep 0` becomes a zombie child of `sleep 60`, which never reaps it: a PID 1 without --init.
    const holder = spawn('/bin/sh', ['-c', 'sleep 0 & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
    killLater(holder);
    const zombie = Number(await new Promise<string>((r) => holder.stdout.once('data', (d: Buffer) => r(d.toString()))));
    expect(await waitFor(async () => (await pidState(zombie)) === 'zombie', 5_000)).toBe(true);
    const pgdata = join(dataDir, 'pg', 'pgdata');
    await writeFile(join(pgdata, 'postmaster.pid'), `${zombie}\n${pgdata}\n0\n5432\n${socketDir}\n\n0 0\nready   \n`);
    await writeFile(join(socketDir, '.s.PGSQL.5432.lock'), `${zombie}\n${pgdata}\n0\n5432\n${socketDir}\n`);
    const t = Date.now();
    const { server, logger } = await start(dataDir);
    timings.unreapedZombieRecoveryAndStart = Date.now() - t;
    expect(logger.lines.filter((l) => l.includes(`pid ${zombie} is an unreaped zombie`))).toHaveLength(1);
    expect(await query(server.urlFor('postgres'), 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    await server.stop();
    holder.kill('SIGKILL');
  });

  it('lets exactly one of two concurrent starts on a fresh dir win', { timeout: TEST_TIMEOUT }, async () => {
    const dataDir = await newDataDir();
    const results = await Promise.allSettled([start(dataDir), start(dataDir)]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(String(lost[0]?.reason)).toContain(`is in use by pid ${process.pid}`);
  });

  it('refuses a data dir made by another PostgreSQL major version', { timeout: TEST_TIMEOUT }, async () => {
    const dataDir = await newDataDir();
    await mkdir(join(dataDir, 'pg', 'pgdata'), { recursive: true, mode: 0o700 });
    await writeFile(join(dataDir, 'pg', 'pgdata', 'PG_VERSION'), '17\n');
    const attempt = start(dataDir);
    await expect(attempt).rejects.toThrow(EmbeddedPostgresError);
    await expect(attempt).rejects.toThrow(/created by PostgreSQL 17, but this build runs PostgreSQL 18; .*npm run cli -- backup.*DATABASE_URL/);
  });

  it.skipIf(!isRoot)('names an ancestor directory the postgres user cannot traverse', { timeout: TEST_TIMEOUT }, async () => {
    const base = dirname(await newDataDir());
    const locked = join(base, 'locked');
    await mkdir(locked, { mode: 0o700 });
    const attempt = start(join(locked, 'data'));
    await expect(attempt).rejects.toThrow(EmbeddedPostgresError);
    await expect(attempt).rejects.toThrow(`${locked} is not accessible to the postgres user`);
    await expect(attempt).rejects.toThrow(`chmod o+x ${locked}`);
    expect((await stat(locked)).mode & 0o777).toBe(0o700); // we change nothing outside DATA_DIR
  });

  it('moves the socket to a short temp dir when the data dir path is too deep', { timeout: TEST_TIMEOUT }, async () => {
    const dataDir = join(dirname(await newDataDir()), 'x'.repeat(90), 'data');
    const { server } = await start(dataDir);
    removeLater(server.socketDir);
    expect(server.socketDir.startsWith(tmpdir())).toBe(true);
    expect(server.socketDir).toMatch(/crm-pg-[0-9a-f]{16}$/);
    expect((await stat(server.socketDir)).mode & 0o777).toBe(0o700);
    expect(await query(server.urlFor('postgres'), 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    await server.stop();
  });

  it('reports the FATAL line when the server cannot start, and a start timeout', { timeout: TEST_TIMEOUT }, async () => {
    const dataDir = await newDataDir();
    const pgdata = join(dataDir, 'pg', 'pgdata');
    await (await start(dataDir)).server.stop();

    const conf = join(pgdata, 'postgresql.conf');
    const original = await readFile(conf, 'utf8');
    await appendFile(conf, "\nshared_buffers = 'lots'\n");
    const broken = start(dataDir);
    await expect(broken).rejects.toThrow(EmbeddedPostgresError);
    await expect(broken).rejects.toThrow(/failed to start: it exited \(code 1\): invalid value for parameter "shared_buffers".* \| FATAL: .*\(log: .*pg\.log\)/);

    await writeFile(conf, original);
    const slow = start(dataDir, { readyTimeoutMs: 1 });
    await expect(slow).rejects.toThrow(/failed to start: not ready after 1 ms/);
    // The timed-out server was stopped, not left running.
    expect(await livePostgresIn(await realpath(pgdata), (await loadBinaries()).postgres)).toEqual([]);
    const { server } = await start(dataDir);
    await server.stop();
  });

  it('recreates missing shared-library links of the platform package', async () => {
    const root = dirname(await newDataDir());
    await mkdir(join(root, 'native', 'lib'), { recursive: true });
    await writeFile(join(root, 'native', 'lib', 'libx.so.1.2'), 'lib');
    await symlink('missing.so', join(root, 'native', 'lib', 'libdangling.so'));
    await writeFile(
      join(root, 'native', 'pg-symlinks.json'),
      JSON.stringify([
        { source: 'native/lib/libx.so.1.2', target: 'native/lib/libx.so.1' },
        { source: 'native/lib/libx.so.1.2', target: 'native/lib/libdangling.so' },
      ]),
    );
    await ensureSymlinks(root);
    expect(await readFile(join(root, 'native', 'lib', 'libx.so.1'), 'utf8')).toBe('lib');
    expect(await readFile(join(root, 'native', 'lib', 'libdangling.so'), 'utf8')).toBe('lib');
  });
});
