import { describe, expect, it } from 'vitest';
import { databaseCause, databaseStorageProblem, isDatabaseUnavailable } from './unavailable.js';

/** drizzle wraps the driver's error; its own message carries the query and its parameters */
const wrapped = (cause: object) => Object.assign(new Error('Failed query: insert into t values ($1)\nparams: secret@example.com'), { cause });

describe('database storage problems', () => {
  it('tells a full volume (53100 or ENOSPC text) and a read-only one (EROFS text) apart from an outage', () => {
    const full = wrapped(Object.assign(new Error('could not extend file "base/1/2": No space left on device'), { code: '53100' }));
    expect(databaseStorageProblem(full)).toBe('storage_full');
    expect(databaseStorageProblem(Object.assign(new Error('could not write to file "pg_wal/xlogtemp.1": No space left on device'), { code: '58030' }))).toBe('storage_full');
    // user input quoted in the wrapper's message decides nothing
    const quoted = Object.assign(new Error('Failed query: insert into t values ($1)\nparams: Read-only file system'), { cause: Object.assign(new Error('duplicate key'), { code: '23505' }) });
    expect(databaseStorageProblem(quoted)).toBeNull();
    const readOnly = wrapped(Object.assign(new Error('could not create file "base/1/3": Read-only file system'), { code: '42501' }));
    expect(databaseStorageProblem(readOnly)).toBe('storage_read_only');
    expect(databaseStorageProblem(wrapped(Object.assign(new Error('permission denied for table t'), { code: '42501' })))).toBeNull();
    expect(databaseStorageProblem(Object.assign(new Error('terminating connection'), { code: '57P01' }))).toBeNull();
    expect(isDatabaseUnavailable(Object.assign(new Error('insufficient resources'), { code: '53000' }))).toBe(true);
  });

  it('logs the driver cause, never the wrapper message with the parameters', () => {
    const err = wrapped(Object.assign(new Error('could not extend file "base/1/2": No space left on device'), { code: '53100' }));
    expect(databaseCause(err)).toEqual({ sqlstate: '53100', reason: 'could not extend file "base/1/2": No space left on device' });
    expect(JSON.stringify(databaseCause(err))).not.toMatch(/secret@example\.com/);
  });
});
