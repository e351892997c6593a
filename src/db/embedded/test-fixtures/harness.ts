/**
 * Helpers for the embedded-server tests: per-test data dirs, servers started in-process,
 * owner "apps" in child processes (so they can be SIGKILLed), and a cleanup that kills
 * everything the tests started.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { type EmbeddedLogger, type EmbeddedServer, startEmbeddedPostgres } from '../index.js';
import { exePath, pidState, waitFor } from '../proc.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..', '..', '..');
const ownerApp = join(here, 'owner-app.ts');

const tempDirs: string[] = [];
const children: ChildProcess[] = [];
const pgPids = new Set<number>();
const servers: EmbeddedServer[] = [];

/** A logger that keeps its lines for assertions. */
export function collectingLogger(): EmbeddedLogger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
  };
}

/** Registers a path for removal in {@link cleanupAll}. */
export function removeLater(path: string): void {
  tempDirs.push(path);
}

/** Registers a child process to SIGKILL in {@link cleanupAll}. */
export function killLater(child: ChildProcess): void {
  children.push(child);
}

/**
 * A fresh DATA_DIR (not yet created) under a mkdtemp dir. The mkdtemp dir gets o+x:
 * mkdtemp makes 0700 dirs, which the postgres user (when we are root) cannot traverse.
 */
export async function newDataDir(): Promise<string> {
  const base = await mkdtemp(join(tmpdir(), 'emb-pg-'));
  removeLater(base);
  await chmod(base, 0o711);
  return join(base, 'data');
}

/** Starts a server in this process (ephemeral unless asked otherwise). */
export async function start(
  dataDir: string,
  opts: { mode?: 'server' | 'cli'; ephemeral?: boolean; readyTimeoutMs?: number } = {},
): Promise<{ server: EmbeddedServer; logger: ReturnType<typeof collectingLogger> }> {
  const logger = collectingLogger();
  const server = await startEmbeddedPostgres({ dataDir, logger, ...opts, ephemeral: opts.ephemeral ?? true });
  servers.push(server);
  pgPids.add(server.pid);
  return { server, logger };
}

/** An owner app running in a child process. */
export interface App {
  child: ChildProcess;
  appPid: number;
  pgPid: number;
  url: string;
}

/** Starts an owner app (test-fixtures/owner-app.ts) and waits for its ready line. */
export function startApp(dataDir: string, ephemeral = true): Promise<App> {
  const child = spawn(process.execPath, ['--import', 'tsx', ownerApp, dataDir, ephemeral ? 'ephemeral' : ''], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  killLater(child);
  let stdout = '';
  let stderr = '';
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`owner app not ready in 20 s: ${stderr}`)), 20_000);
    child.on('error', reject);
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      const line = stdout.split('\n')[0];
      if (!stdout.includes('\n') || line === undefined) return;
      clearTimeout(timer);
      const msg = JSON.parse(line) as { appPid: number; pgPid: number; url: string } | { error: string };
      if ('error' in msg) return reject(new Error(`owner app failed: ${msg.error}`));
      pgPids.add(msg.pgPid);
      resolvePromise({ child, ...msg });
    });
    child.on('exit', (code) => reject(new Error(`owner app exited (${String(code)}): ${stderr}`)));
  });
}

/** Runs one query on a fresh connection. */
export async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** SIGKILL, ignoring a pid that is already gone. */
export function sigkill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** SIGKILLs the owner app and waits until it is reaped. */
export async function killApp(app: App): Promise<void> {
  const exited = new Promise((r) => app.child.once('exit', r));
  sigkill(app.appPid);
  await exited;
}

/** Waits (up to 10 s) until `pid` no longer runs; a zombie counts as stopped. */
export function stopped(pid: number): Promise<boolean> {
  return waitFor(async () => (await pidState(pid)) !== 'alive', 10_000);
}

/** Stops every server, app and postmaster the tests started, then removes the temp dirs. */
export async function cleanupAll(): Promise<void> {
  for (const server of servers) await server.stop().catch(() => undefined);
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const pid of pgPids) {
    // Only postmasters of our binary: never signal a pid that was reused meanwhile.
    if ((await pidState(pid)) === 'alive' && (await exePath(pid))?.endsWith('/postgres')) sigkill(pid);
  }
  for (const dir of tempDirs) await rm(dir, { recursive: true, force: true });
}
