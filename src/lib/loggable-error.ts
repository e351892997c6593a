/**
 * Errors as they may be logged or stored. drizzle's DrizzleQueryError quotes the query's parameters
 * in its message and keeps them in `params` (request bodies, emails, token hashes, webhook data), and
 * a PostgreSQL error's `detail` / `where` quote row values ("Key (email)=(...) already exists"). The
 * logger's `err` serializer, job failures stored by pg-boss, and failure reasons kept on records all
 * go through here, so none of those values leaves the process. The SQL text itself is kept: it is
 * code, and it says which statement failed.
 */

const DRIVER_FIELDS = ['code', 'severity', 'constraint', 'table', 'column', 'schema', 'routine'] as const;
const VALUE_FIELDS = ['params', 'detail', 'where', 'internalQuery'] as const;

function isQueryError(e: Error): e is Error & { query: string; params: unknown } {
  return typeof (e as { query?: unknown }).query === 'string' && 'params' in e;
}

/** `err` itself when it carries no values to drop; otherwise a copy without them (the cause chain too). */
export function loggableError(err: Error, depth = 0): Error {
  const cause = err.cause instanceof Error && depth < 5 ? loggableError(err.cause, depth + 1) : err.cause;
  const hasValues = VALUE_FIELDS.some((k) => k in err);
  if (!hasValues && cause === err.cause) return err;
  const message = isQueryError(err) ? `Failed query: ${err.query}` : err.message;
  const copy = new Error(message, cause === undefined ? undefined : { cause });
  copy.name = err.name;
  const frames = (err.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l));
  copy.stack = [`${err.name}: ${message}`, ...frames].join('\n');
  for (const k of DRIVER_FIELDS) if (k in err) (copy as unknown as Record<string, unknown>)[k] = (err as unknown as Record<string, unknown>)[k];
  return copy;
}

/** One line naming an error: name, SQLSTATE or errno code when there is one, message (driver's cause first for query errors). */
export function errorSummary(e: unknown, max = 200): string {
  if (!(e instanceof Error)) return 'unknown error';
  const safe = loggableError(e);
  // a query error's own message is only the SQL: the driver's reason is what says what happened
  const reason = isQueryError(e) && safe.cause instanceof Error ? safe.cause : safe;
  const rawCode = (reason as { code?: unknown }).code;
  const code = typeof rawCode === 'string' ? ` [${rawCode}]` : '';
  return `${reason.name}${code}: ${reason.message}`.slice(0, max);
}
