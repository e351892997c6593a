/**
 * A start-up problem of the embedded PostgreSQL server that the operator can act on.
 * The message is one line that says what is wrong and what to do about it; it is
 * shown as-is at boot, so it must never be `undefined` or a bare errno.
 */
export class EmbeddedPostgresError extends Error {
  override readonly name = 'EmbeddedPostgresError';
}

/** The `code` of a Node system error (`ENOENT`, `EPERM`, ...), or undefined. */
export function errnoCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/** A short printable form of any thrown value. */
export function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
