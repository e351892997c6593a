import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { startJobQueue, type JobQueue } from '../../../jobs/queue.js';
import { JOBS } from '../../../jobs/registry.js';
import { manualClock } from '../../../lib/clock.js';
import { createLogger } from '../../../logger.js';
import { createUser } from '../../../test-support/test-app.js';
import { useTestDatabase } from '../../../test-support/test-db.js';
import { createSession } from '../sessions.service.js';
import { purgeExpiredSessionsJob } from './purge-expired-sessions.job.js';

const tdb = useTestDatabase();
let q: JobQueue | undefined;
afterAll(async () => {
  await q?.stop(2000);
});

describe('purge-expired-sessions job', () => {
  it('is scheduled every 15 minutes and, run through the queue, deletes only expired sessions', async () => {
    const clock = manualClock(new Date());
    const database = tdb.current.database;
    const u = await createUser(database, 'viewer');
    const deps = { clock, sessionMaxMs: 12 * 3600_000 };
    const client = { ip: null, userAgent: null, requestId: null };
    clock.advance(-2 * 3600_000);
    const stale = await createSession(database.db, deps, u.id, client);
    clock.advance(2 * 3600_000);
    const live = await createSession(database.db, deps, u.id, client);

    q = await startJobQueue({
      url: tdb.current.url,
      jobs: JOBS,
      ctx: { database, clock, logger: createLogger('silent'), sessionIdleMs: 30 * 60_000 },
      logger: createLogger('silent'),
      pollingIntervalSeconds: 0.5,
    });
    const schedules = await database.db.execute<{ name: string; cron: string }>(sql`SELECT name, cron FROM pgboss.schedule`);
    expect(schedules.rows).toContainEqual({ name: purgeExpiredSessionsJob.name, cron: '*/15 * * * *' });

    await q.send(purgeExpiredSessionsJob, {});
    const ids = async () => (await database.db.execute<{ id: string }>(sql`SELECT id FROM sessions`)).rows.map((r) => r.id);
    await expect.poll(ids, { timeout: 15_000, interval: 200 }).toEqual([live.session.id]);
    expect(stale.session.id).not.toBe(live.session.id);
  });
});
