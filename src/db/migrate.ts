/**
 * Applies the committed SQL migrations under a PostgreSQL advisory lock, so several instances
 * starting at once migrate exactly once. drizzle runs all pending migrations in one transaction:
 * a failure leaves the schema as it was.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type pg from 'pg';

/** Arbitrary but fixed: the key every instance locks on while migrating. */
const MIGRATION_LOCK_KEY = 7_302_114_001;

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/** The folder holding the SQL files: next to this module in the build, in src/db otherwise. */
export function migrationsFolder(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.join(here, 'migrations');
}

/** How many migrations the code ships (from drizzle-kit's journal). */
export function expectedMigrationCount(folder = migrationsFolder()): number {
  const journal = JSON.parse(readFileSync(path.join(folder, 'meta', '_journal.json'), 'utf8')) as {
    entries: unknown[];
  };
  return journal.entries.length;
}

/** Applies pending migrations; throws MigrationError with the database's own message on failure. */
export async function runMigrations(pool: pg.Pool, folder = migrationsFolder()): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await migrate(drizzle(client), { migrationsFolder: folder });
    } catch (err) {
      const cause = err as { message?: string; cause?: { message?: string } };
      const detail = cause.cause?.message ?? cause.message ?? String(err);
      throw new MigrationError(`database migration failed and was rolled back: ${detail}`);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

/** True when every shipped migration is recorded as applied (used by /readyz). */
export async function migrationsApplied(pool: pg.Pool, expected: number): Promise<boolean> {
  const db = drizzle(pool);
  try {
    const rows = await db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`);
    return (rows.rows[0]?.n ?? 0) >= expected;
  } catch {
    return false;
  }
}
