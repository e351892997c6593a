/**
 * Recognises "the database cannot be reached right now" among errors, so requests answer 503 (try
 * again) instead of 500 (a bug) while PostgreSQL restarts, fails over or is out of connections.
 * drizzle wraps driver errors (DrizzleQueryError.cause), so the cause chain is searched. A full or
 * read-only database volume is told apart ({@link databaseStorageProblem}): the operator must act.
 */

/** SQLSTATE classes and codes that mean the server is unreachable, going away, or refusing connections. */
const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown: "terminating connection due to administrator command"
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up, shutting down, in recovery
  '53300', // too_many_connections
  '53000', // insufficient_resources (e.g. its shared-memory file system is full): transient for the client
  '08000', '08001', '08003', '08004', '08006', '08P01', // connection_exception class
]);
/** Node socket errors on the way to the server (TCP, or the embedded server's Unix socket). */
const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOENT', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** What node-postgres says without a code when a connection dies or the pool cannot get one. */
const UNAVAILABLE_MESSAGES = [/^Connection terminated/, /^timeout exceeded when trying to connect/, /^Client has encountered a connection error/, /Connection terminated unexpectedly/];

export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const x = e as { code?: unknown; message?: unknown; cause?: unknown; syscall?: unknown };
    if (typeof x.code === 'string' && (UNAVAILABLE_SQLSTATES.has(x.code) || (UNAVAILABLE_ERRNOS.has(x.code) && typeof x.syscall === 'string'))) return true;
    if (typeof x.message === 'string' && UNAVAILABLE_MESSAGES.some((re) => re.test(x.message as string))) return true;
    e = x.cause;
  }
  return false;
}

/**
 * The database's own storage refuses writes: full (SQLSTATE 53100 disk_full, "No space left on
 * device") or read-only (PostgreSQL reports EROFS as 42501 with "Read-only file system", so the
 * message decides). Reads still work; writes fail until the operator frees space or remounts.
 */
export type StorageProblem = 'storage_full' | 'storage_read_only';

export function databaseStorageProblem(err: unknown): StorageProblem | null {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const x = e as { code?: unknown; message?: unknown; cause?: unknown };
    // Only errors with a code (the server's, or the OS's): a wrapper's message quotes the query's
    // parameters, and user input must not turn a conflict into "storage read-only".
    const message = typeof x.code === 'string' && typeof x.message === 'string' ? x.message : '';
    if (x.code === '53100' || /No space left on device/.test(message)) return 'storage_full';
    if (/Read-only file system/.test(message)) return 'storage_read_only';
    e = x.cause;
  }
  return null;
}

/**
 * For the log: the driver's own error at the bottom of the cause chain (SQLSTATE and message).
 * drizzle's wrapper message carries the query and its parameters, which may hold personal data.
 */
export function databaseCause(err: unknown): { sqlstate: string | undefined; reason: string } {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && (e as { cause?: unknown } | null)?.cause; depth++) e = (e as { cause: unknown }).cause;
  const x = (e ?? {}) as { code?: unknown; message?: unknown };
  return { sqlstate: typeof x.code === 'string' ? x.code : undefined, reason: typeof x.message === 'string' ? x.message : String(e) };
}
