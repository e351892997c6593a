import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../test-support/test-db.js';
import { expectedMigrationCount, migrationsApplied, migrationsFolder, MigrationError, runMigrations } from './migrate.js';

const tdb = useTestDatabase();
const dir = mkdtempSync(path.join(os.tmpdir(), 'crm-migr-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The shipped migrations plus one that creates a table and then fails. */
function brokenFolder(): string {
  cpSync(migrationsFolder(), dir, { recursive: true });
  const journalPath = path.join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8'));
  journal.entries.push({ idx: journal.entries.length, version: '7', when: Date.now(), tag: '9999_broken', breakpoints: true });
  writeFileSync(journalPath, JSON.stringify(journal));
  writeFileSync(path.join(dir, '9999_broken.sql'), 'CREATE TABLE broken_probe (id int);\n--> statement-breakpoint\nSELECT * FROM no_such_table;\n');
  return dir;
}

describe('migrations', () => {
  it('are applied (the template was migrated) and re-running them is a no-op', async () => {
    const pool = tdb.current.database.pool;
    expect(await migrationsApplied(pool, expectedMigrationCount())).toBe(true);
    await runMigrations(pool);
    expect(await migrationsApplied(pool, expectedMigrationCount())).toBe(true);
  });

  it('roll back entirely when one fails, with the database message, and readiness says not ready', async () => {
    const pool = tdb.current.database.pool;
    const folder = brokenFolder();
    await expect(runMigrations(pool, folder)).rejects.toThrow(MigrationError);
    await expect(runMigrations(pool, folder)).rejects.toThrow(/no_such_table/);
    const probe = await tdb.current.database.db.execute<{ t: string | null }>(sql`SELECT to_regclass('public.broken_probe')::text AS t`);
    expect(probe.rows[0]!.t).toBeNull();
    expect(await migrationsApplied(pool, expectedMigrationCount(folder))).toBe(false);
    expect(await migrationsApplied(pool, expectedMigrationCount())).toBe(true);
  });

  it('run once when several instances start at once (advisory lock)', async () => {
    const pool = tdb.current.database.pool;
    await Promise.all([runMigrations(pool), runMigrations(pool), runMigrations(pool)]);
    const n = await tdb.current.database.db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`);
    expect(n.rows[0]!.n).toBe(expectedMigrationCount());
  });
});
