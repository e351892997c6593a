/** Opaque keyset cursors for list endpoints: the last row's sort value and its uuid. */
import { AppError } from './errors.js';

/** Encodes the last row's sort value and id. */
export function encodeCursor(value: string | null, id: string): string {
  return Buffer.from(JSON.stringify([value, id])).toString('base64url');
}

const UUID = /^[0-9a-f-]{36}$/;

/** Decodes a cursor, or throws a 400 naming `cursor`. `idPattern`: lists keyed by other ids (a bigint's digits). */
export function decodeCursor(cursor: string, idPattern: RegExp = UUID): { value: string | null; id: string } {
  try {
    const [value, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if ((typeof value === 'string' || value === null) && typeof id === 'string' && idPattern.test(id)) return { value, id };
  } catch {
    /* fall through */
  }
  throw new AppError('validation_failed', 'cursor: is not a cursor from this list', [{ path: 'cursor', message: 'is not a cursor from this list' }]);
}
