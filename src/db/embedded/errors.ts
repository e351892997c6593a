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

/**
 * What to do when a failure's text shows the volume of DATA_DIR is full or read-only (PostgreSQL
 * and initdb then fail with "No space left on device" / "Read-only file system"); '' otherwise.
 */
export function storageHint(text: string): string {
  if (/No space left on device|ENOSPC/.test(text)) return '; the volume of DATA_DIR is full: free disk space there (df shows it), then start again';
  if (/Read-only file system|EROFS/.test(text)) return '; the volume of DATA_DIR is read-only: make it writable (after a kernel remount on I/O errors, check the file system first), then start again';
  return '';
}
