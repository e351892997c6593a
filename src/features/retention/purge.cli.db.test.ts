/** `npm run cli -- purge [--dry-run]` as an operator runs it, against this file's database. */
import { spawnSync } from 'node:child_process';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test-support/test-db.js';

const tdb = useTestDatabase();
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    env: { ...process.env, DATABASE_URL: tdb.current.url, ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64'), DATA_DIR: '/nonexistent-cli-data', LOG_LEVEL: 'warn' },
    encoding: 'utf8',
    timeout: 60_000,
  });

describe('cli purge', () => {
  it('prints counts per kind; --dry-run changes nothing, a real run deletes and records its run', async () => {
    const db = tdb.current.database.db;
    await db.execute(sql`INSERT INTO login_activity (at, result) SELECT now() - interval '200 days', 'failure' FROM generate_series(1, 3)`);
    await db.execute(sql`INSERT INTO login_activity (at, result) VALUES (now() - interval '10 days', 'failure')`);

    const dry = cli('purge', '--dry-run');
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('Dry run: nothing was changed');
    expect(dry.stdout).toMatch(/login_activity\s+3\s/);
    expect(dry.stdout).toMatch(/audit_events\s+0\s/);
    expect((await db.execute(sql`SELECT count(*)::int AS n FROM login_activity`)).rows).toEqual([{ n: 4 }]);
    expect((await db.execute(sql`SELECT count(*)::int AS n FROM purge_runs`)).rows).toEqual([{ n: 0 }]);

    const real = cli('purge');
    expect(real.status, real.stderr).toBe(0);
    expect(real.stdout).toMatch(/Purge run \d+ done/);
    expect(real.stdout).toMatch(/login_activity\s+3\s/);
    expect((await db.execute(sql`SELECT count(*)::int AS n FROM login_activity`)).rows).toEqual([{ n: 1 }]);
    expect((await db.execute(sql`SELECT trigger, counts->>'login_activity' AS n FROM purge_runs`)).rows).toEqual([{ trigger: 'cli', n: '3' }]);
    expect((await db.execute(sql`SELECT actor_type FROM audit_events WHERE action = 'retention.purged'`)).rows).toEqual([{ actor_type: 'cli' }]);

    const help = cli('--help');
    expect(help.stdout).toContain('purge');
  }, 120_000);
});
