/** `npm run cli -- verify-audit` as an operator runs it, against a test database: exit 0 and the summary, exit 1 naming the first broken link. */
import { spawnSync } from 'node:child_process';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { manualClock } from '../../../lib/clock.js';
import { useTestDatabase } from '../../../test-support/test-db.js';
import { recordAudit } from '../audit.service.js';
import { sealAll } from './test-fixtures/seal-all.js';

const tdb = useTestDatabase();
const KEY = Buffer.alloc(32, 5).toString('base64');

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    env: { ...process.env, DATABASE_URL: tdb.current.url, ENCRYPTION_KEY: KEY, ENCRYPTION_KEYS: '', TEST_DATABASE_URL: '', LOG_LEVEL: 'warn' },
    encoding: 'utf8',
    timeout: 60_000,
  });

describe('npm run cli -- verify-audit', () => {
  it('anchors and verifies (exit 0), then names the first broken link (exit 1)', async () => {
    const db = tdb.current.database.db;
    const clock = manualClock();
    for (let i = 0; i < 4; i++) {
      await db.transaction((tx) => recordAudit(tx, clock, { actorType: 'system', actorId: null, requestId: null }, { action: 'user.unlocked', targetType: 'user', targetId: `u${i}`, details: {} }));
    }
    await sealAll(db, clock);
    const ok = cli('verify-audit', '--anchor');
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^verified up to position 4 \(anchor at \S+\); \d+ newer events? not yet anchored$/m);

    await db.transaction(async (tx) => {
      await tx.execute(sql`SET LOCAL session_replication_role = replica`);
      await tx.execute(sql`DELETE FROM audit_events WHERE id = (SELECT event_id FROM audit_chain WHERE position = 3)`);
    });
    const broken = cli('verify-audit');
    expect(broken.status).toBe(1);
    expect(broken.stdout).toMatch(/^BROKEN at position 3 \(event \d+\): event \d+ is gone/m);
    expect(broken.stdout).toMatch(/first broken link: position 3, event \d+: event_missing/);
  }, 120_000);
});
