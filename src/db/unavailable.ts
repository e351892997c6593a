/**
 * Recognises "the database cannot be reached right now" among errors, so requests answer 503 (try
 * again) instead of 500 (a bug) while PostgreSQL restarts, fails over or is out of connections.
 * drizzle wraps driver errors (DrizzleQueryError.cause), so the cause chain is searched.
 */

/** SQLSTATE classes and codes that mean the server is unreachable, going away, or refusing connections. */
const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown: "terminating connection due to administrator command"
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up, shutting down, in recovery
  '53300', // too_many_connections
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
