/**
 * A fresh, migrated database for one test file, cloned from the run's template in ~50-300 ms,
 * dropped when the file ends.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { openDatabase, type Database } from '../db/client.js';
import { withDatabase } from './global-db.js';

export interface TestDatabase {
  database: Database;
  url: string;
  name: string;
}

/** Creates a database from the template; the caller drops it with dropTestDatabase. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('testAdminUrl');
  const name = `crm_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${inject('testTemplate')}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  return { database: openDatabase(url, { max: 5 }), url, name };
}

/** Closes the pool and drops the database. */
export async function dropTestDatabase(t: TestDatabase): Promise<void> {
  await t.database.close();
  const admin = new pg.Client({ connectionString: inject('testAdminUrl') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${t.name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** Registers beforeAll/afterAll for a per-file database; read `.current` inside tests. */
export function useTestDatabase(): { current: TestDatabase } {
  const holder = {} as { current: TestDatabase };
  beforeAll(async () => {
    holder.current = await createTestDatabase();
  });
  afterAll(async () => {
    if (holder.current) await dropTestDatabase(holder.current);
  });
  return holder;
}

/**
 * Empties the audit trail between tests. The audit tables refuse TRUNCATE (migration
 * audit_append_only), so this turns triggers off for its transaction, as only a superuser can —
 * the test server's role is one.
 */
export async function truncateAuditTrail(database: Database, alsoTruncate: string[] = []): Promise<void> {
  const client = await database.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL session_replication_role = replica');
    await client.query(`TRUNCATE ${[...alsoTruncate, 'audit_events', 'audit_personal_values', 'audit_chain', 'audit_anchors'].join(', ')} CASCADE`);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
}
