import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { JobContext } from '../../../jobs/job-context.js';
import { JOBS, retentionPurgeJob } from '../../../jobs/registry.js';
import { manualClock } from '../../../lib/clock.js';
import { createLogger } from '../../../logger.js';
import { useTestDatabase } from '../../../test-support/test-db.js';
import { loadKeyRing } from '../../vault/keyring.js';

const tdb = useTestDatabase();

describe('retention.purge job', () => {
  it('is the one scheduled purge (daily) and runs the retention purge with trigger schedule', async () => {
    const names = JOBS.map((j) => j.name);
    expect(names).toContain('retention.purge');
    // folded in: no separate session, prefill or webhook purge jobs any more
    expect(names.filter((n) => /purge/.test(n))).toEqual(['retention.purge']);
    expect(retentionPurgeJob.cron).toBe('30 2 * * *');

    const db = tdb.current.database.db;
    const clock = manualClock(new Date('2030-01-01T00:00:00Z'));
    await db.execute(sql`INSERT INTO outbox_mails (created_at, "to", subject, text) VALUES (${new Date('2029-11-01T00:00:00Z')}, 'a@example.test', 's', 't')`);
    const keyring = loadKeyRing({ key: Buffer.alloc(32, 7).toString('base64'), dataDir: '/nonexistent', embedded: false });
    const ctx = { database: tdb.current.database, clock, logger: createLogger('silent'), sessionIdleMs: 30 * 60_000, onboarding: { keyring } } as unknown as JobContext;
    await retentionPurgeJob.handler({}, ctx);
    expect((await db.execute(sql`SELECT count(*)::int AS n FROM outbox_mails`)).rows).toEqual([{ n: 0 }]);
    expect((await db.execute(sql`SELECT trigger, counts->>'outbox_mail' AS n FROM purge_runs`)).rows).toEqual([{ trigger: 'schedule', n: '1' }]);
    expect((await db.execute(sql`SELECT actor_type FROM audit_events WHERE action = 'retention.purged'`)).rows).toEqual([{ actor_type: 'system' }]);
  });
});
