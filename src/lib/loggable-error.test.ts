/**
 * Query parameters and row values stay out of logs and stored failure reasons: a real failing
 * statement through drizzle on a real PostgreSQL would need a database, so the errors here are the
 * library's own classes built as drizzle and pg build them.
 */
import { Writable } from 'node:stream';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { errorSummary, loggableError } from './loggable-error.js';

const CANARY = 'canary-person@example.test';

function uniqueViolation() {
  const e = new pg.DatabaseError('duplicate key value violates unique constraint "users_email_key"', 100, 'error');
  e.code = '23505';
  e.detail = `Key (email)=(${CANARY}) already exists.`;
  e.constraint = 'users_email_key';
  return new DrizzleQueryError('insert into "users" ("email") values ($1)', [CANARY, 'EAAG-token-canary'], e);
}

describe('loggableError', () => {
  it('keeps the SQL, the SQLSTATE and the constraint; drops the parameters and the row values', () => {
    const safe = loggableError(uniqueViolation());
    const all = JSON.stringify({ message: safe.message, stack: safe.stack, cause: { ...(safe.cause as object), message: (safe.cause as Error).message, stack: (safe.cause as Error).stack } });
    expect(all).not.toContain(CANARY);
    expect(all).not.toContain('EAAG-token-canary');
    expect(safe.message).toBe('Failed query: insert into "users" ("email") values ($1)');
    expect(safe.cause).toMatchObject({ code: '23505', constraint: 'users_email_key' });
    expect(errorSummary(uniqueViolation())).toBe('error [23505]: duplicate key value violates unique constraint "users_email_key"');
  });

  it('leaves other errors as they are', () => {
    const e = new Error('plain');
    expect(loggableError(e)).toBe(e);
  });

  it('the logger serializes errors through it', () => {
    const lines: string[] = [];
    const logger = createLogger('info', new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }));
    logger.error({ err: uniqueViolation() }, 'failed');
    expect(lines.join('')).toContain('users_email_key');
    expect(lines.join('')).not.toContain(CANARY);
    expect(lines.join('')).not.toContain('EAAG-token-canary');
  });
});
