/**
 * Spawning and supervising our own postmaster: socket-only listening, readiness with our
 * own timeout, a log mirror that survives the app, an ordered stop, and a report when the
 * server dies on its own.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { type WriteStream, createWriteStream } from 'node:fs';
import { rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { EmbeddedLogger, EmbeddedServer, UnexpectedExitInfo } from './index.js';
import { serverEnv } from './cluster.js';
import { EmbeddedPostgresError, errMessage, storageHint } from './errors.js';
import type { Layout } from './layout.js';
import { readPostmasterPid } from './lockfile.js';
import type { RunAs } from './proc.js';

const LOG_TAIL_LINES = 50;
const LOG_ROTATE_BYTES = 10 * 1024 * 1024;
const POLL_MS = 50;

/** `postgresql://postgres:<pw>@/<db>?host=<socketDir>&port=<port>`: pg treats a host that is a path as a socket dir. */
export function connectionUrl(password: string, socketDir: string, port: number, database: string): string {
  return (
    `postgresql://postgres:${encodeURIComponent(password)}@/${encodeURIComponent(database)}` +
    `?host=${encodeURIComponent(socketDir)}&port=${port}`
  );
}

/** Tries one connection; returns the error, or null when the server accepted it. */
export async function tryConnect(password: string, socketDir: string, port: number): Promise<Error | null> {
  const client = new pg.Client({
    host: socketDir,
    port,
    user: 'postgres',
    password,
    database: 'postgres',
    connectionTimeoutMillis: 5_000,
  });
  client.on('error', () => undefined); // a server dying mid-check must not crash the process
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The server's `data_directory`, to prove that a server we attach to is really this cluster. */
export async function serverDataDir(password: string, socketDir: string, port: number): Promise<string> {
  const client = new pg.Client({ host: socketDir, port, user: 'postgres', password, database: 'postgres' });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const res = await client.query<{ dir: string }>("SELECT current_setting('data_directory') AS dir");
    return res.rows[0]?.dir ?? '';
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** SQLSTATE 28P01/28000: the server runs but rejects our password. */
export function isAuthError(err: Error): boolean {
  const code = (err as { code?: unknown }).code;
  return code === '28P01' || code === '28000';
}

/** The lines of a server log worth putting into a one-line error. */
export function interestingLines(lines: readonly string[]): string {
  const strip = (l: string): string => l.replace(/^\S+ \S+ \S+ \[\d+\] /, '').replace(/^LOG:\s+/, '').replace(/\s+/g, ' ').trim();
  // The cause often sits on a LOG line just before the FATAL ("invalid value for parameter ...").
  const hits = lines.filter((l) =>
    /\b(FATAL|PANIC|ERROR|HINT|DETAIL):|\b(invalid|could not|denied|error while loading)\b/.test(l),
  );
  return (hits.length ? hits.slice(-4) : lines.slice(-3)).map(strip).join(' | ');
}

/** Options for {@link launchPostgres}. */
export interface LaunchOptions {
  layout: Layout;
  postgres: string;
  runAs: RunAs | null;
  password: string;
  ephemeral: boolean;
  readyTimeoutMs: number;
  logger: EmbeddedLogger;
}

/** Keeps pg.log from growing without bound: one previous generation is kept. */
async function rotateLog(file: string): Promise<void> {
  const size = await stat(file).then((s) => s.size, () => 0);
  if (size > LOG_ROTATE_BYTES) await rename(file, `${file}.1`).catch(() => undefined);
}

class OwnedServer implements EmbeddedServer {
  readonly owned = true;
  readonly socketDir: string;
  readonly dataDirectory: string;
  readonly port: number;
  readonly lastLog: string[] = [];
  exit: { code: number | null; signal: string | null } | null = null;
  spawnError: Error | null = null;
  /** set once ready: an exit before that is a start failure, reported by the caller */
  running = false;
  private stopRequested = false;
  private stopping: Promise<void> | null = null;
  private readonly callbacks: Array<(info: UnexpectedExitInfo) => void> = [];
  private readonly exited: Promise<void>;
  private readonly partial = new Map<string, string>();
  // Without this, a normal process.exit() or an uncaught exception would orphan the server.
  private readonly exitHook = (): void => {
    if (!this.exit) this.child.kill('SIGINT');
  };

  constructor(
    readonly child: ChildProcess,
    private readonly opts: LaunchOptions,
    private readonly log: WriteStream,
  ) {
    this.socketDir = opts.layout.sockDir;
    this.dataDirectory = opts.layout.pgdata;
    this.port = opts.layout.port;
    this.child.stdout?.on('data', (chunk: Buffer) => this.onOutput('out', chunk));
    this.child.stderr?.on('data', (chunk: Buffer) => this.onOutput('err', chunk));
    // An unhandled stream 'error' would crash the app; the exit is what matters.
    this.child.stdout?.on('error', () => undefined);
    this.child.stderr?.on('error', () => undefined);
    process.on('exit', this.exitHook);
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exit = { code, signal };
        process.off('exit', this.exitHook);
        resolve();
        if (!this.stopRequested && this.running) void this.reportUnexpectedExit();
      });
    });
    this.child.on('error', (err) => {
      this.spawnError = err;
      opts.logger.error(`embedded PostgreSQL: ${err.message}`);
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  urlFor(database: string): string {
    return connectionUrl(this.opts.password, this.socketDir, this.port, database);
  }

  onUnexpectedExit(cb: (info: UnexpectedExitInfo) => void): void {
    this.callbacks.push(cb);
  }

  stop(): Promise<void> {
    if (this.exit || this.spawnError) return this.closeLog();
    this.stopping ??= this.signalUntilExit();
    return this.stopping;
  }

  /** SIGINT is a fast shutdown (clean); SIGQUIT an immediate one (recovery on next start). */
  private async signalUntilExit(): Promise<void> {
    this.stopRequested = true;
    const steps: Array<[NodeJS.Signals, number]> = [['SIGINT', 10_000], ['SIGQUIT', 5_000], ['SIGKILL', 5_000]];
    for (const [signal, ms] of steps) {
      if (this.exit) break;
      this.child.kill(signal);
      if (await this.waitExit(ms)) break;
      this.opts.logger.warn(`embedded PostgreSQL: pid ${this.pid} did not stop within ${ms} ms after ${signal}`);
    }
    await this.closeLog();
  }

  waitExit(ms: number): Promise<boolean> {
    if (this.exit) return Promise.resolve(true);
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      this.exited.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
    ]).finally(() => clearTimeout(timer));
  }

  private onOutput(stream: string, chunk: Buffer): void {
    // Backends may still write after stop() closed the mirror.
    if (!this.log.writableEnded) this.log.write(chunk);
    const text = (this.partial.get(stream) ?? '') + chunk.toString('utf8');
    const lines = text.split('\n');
    this.partial.set(stream, lines.pop() ?? '');
    for (const line of lines) {
      if (!line) continue;
      this.lastLog.push(line);
      if (this.lastLog.length > LOG_TAIL_LINES) this.lastLog.shift();
    }
  }

  private async reportUnexpectedExit(): Promise<void> {
    // Let the last stderr lines (the FATAL/PANIC) arrive; backends may hold the pipe a moment.
    await Promise.race([new Promise((r) => this.child.once('close', r)), sleep(500)]);
    const info: UnexpectedExitInfo = {
      code: this.exit?.code ?? null,
      signal: this.exit?.signal ?? null,
      lastLog: [...this.lastLog],
    };
    this.opts.logger.error(
      `embedded PostgreSQL (pid ${this.pid}) exited unexpectedly (${info.signal ?? `code ${String(info.code)}`}): ${interestingLines(info.lastLog)}${storageHint(info.lastLog.join('\n'))}`,
    );
    for (const cb of this.callbacks) {
      try {
        cb(info);
      } catch (err) {
        this.opts.logger.error(`embedded PostgreSQL: onUnexpectedExit callback threw: ${errMessage(err)}`);
      }
    }
    await this.closeLog();
  }

  private closeLog(): Promise<void> {
    if (this.log.closed || this.log.destroyed) return Promise.resolve();
    return new Promise((resolve) => this.log.end(() => resolve()));
  }
}

/** Spawns the postmaster and resolves once it accepts our password over the socket. */
export async function launchPostgres(opts: LaunchOptions): Promise<EmbeddedServer> {
  const { layout, logger } = opts;
  await rotateLog(layout.logFile);
  const log = createWriteStream(layout.logFile, { flags: 'a', mode: 0o600 });
  let logFailed = false;
  log.on('error', (err) => {
    if (!logFailed) logger.warn(`embedded PostgreSQL: cannot write ${layout.logFile}: ${err.message}`);
    logFailed = true;
  });
  log.write(`--- ${new Date().toISOString()} starting PostgreSQL for app pid ${process.pid} ---\n`);

  const args = [
    '-D', layout.pgdata,
    '-p', String(layout.port),
    '-k', layout.sockDir,
    // Unix socket only: no TCP exposure, no port collisions.
    '-c', 'listen_addresses=',
    // The collector would take stderr away from us (and from readiness diagnostics).
    '-c', 'logging_collector=off',
    ...(opts.ephemeral ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
  ];
  const child = spawn(opts.postgres, args, {
    cwd: layout.pgDir,
    env: serverEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
    // Own process group: a terminal Ctrl+C reaches only the app, which stops us in order.
    detached: true,
    ...(opts.runAs ? { uid: opts.runAs.uid, gid: opts.runAs.gid } : {}),
  });
  const server = new OwnedServer(child, opts, log);
  try {
    await waitReady(server, opts);
    server.running = true;
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}

async function waitReady(server: OwnedServer, opts: LaunchOptions): Promise<void> {
  const { layout } = opts;
  const pidFile = join(layout.pgdata, 'postmaster.pid');
  const fail = async (reason: string): Promise<never> => {
    // The final FATAL lines may still be in the pipe when 'exit' fires.
    await Promise.race([new Promise((r) => server.child.once('close', r)), sleep(300)]);
    const lines = interestingLines(server.lastLog);
    throw new EmbeddedPostgresError(
      `embedded PostgreSQL failed to start: ${reason}${lines ? `: ${lines}` : ''} (log: ${layout.logFile})${storageHint(lines)}`,
    );
  };
  const deadline = Date.now() + opts.readyTimeoutMs;
  for (;;) {
    if (server.spawnError) throw new EmbeddedPostgresError(`could not run ${opts.postgres}: ${server.spawnError.message}`);
    if (server.exit) return fail(`it exited (${server.exit.signal ?? `code ${String(server.exit.code)}`})`);
    if (Date.now() > deadline) return fail(`not ready after ${opts.readyTimeoutMs} ms`);
    const lock = await readPostmasterPid(pidFile);
    // Match the pid: a stale file from an earlier run may still say "ready".
    if (typeof lock === 'object' && lock.pid === server.pid && lock.status === 'ready') {
      const err = await tryConnect(opts.password, layout.sockDir, layout.port);
      if (!err) return;
      if (isAuthError(err)) {
        throw new EmbeddedPostgresError(
          `the embedded PostgreSQL server rejects the password in ${layout.passwordFile} (${err.message}); restore that file from a backup of DATA_DIR`,
        );
      }
    }
    await sleep(POLL_MS);
  }
}
