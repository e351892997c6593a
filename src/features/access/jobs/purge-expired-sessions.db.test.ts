import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../config.js';
import type { Database } from '../../../db/client.js';
import { startJobQueue, type JobQueue } from '../../../jobs/queue.js';
import { JOBS } from '../../../jobs/registry.js';
import { manualClock } from '../../../lib/clock.js';
import type { Clock } from '../../../lib/clock.js';
import { createLogger } from '../../../logger.js';
import { createUser } from '../../../test-support/test-app.js';
import { useTestDatabase } from '../../../test-support/test-db.js';
import { createOnboardingDeps } from '../../onboarding/onboarding.deps.js';
import { loadKeyRing } from '../../vault/keyring.js';
import { createSession } from '../sessions.service.js';
import { purgeExpiredSessionsJob } from './purge-expired-sessions.job.js';

const tdb = useTestDatabase();
/** The registry's onboarding jobs need their deps in the job context (sandbox config: no Meta is called here). */
function onboardingDeps(database: Database, clock: Clock) {
  const key = Buffer.alloc(32, 7).toString('base64');
  const config = loadConfig({ DATA_DIR: '/nonexistent-test-data', ENCRYPTION_KEY: key });
  const keyring = loadKeyRing({ key, dataDir: config.dataDir, embedded: false });
  return createOnboardingDeps({ config, db: database.db, clock, keyring, logger: createLogger('silent') });
}
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
      ctx: { database, clock, logger: createLogger('silent'), sessionIdleMs: 30 * 60_000, onboarding: onboardingDeps(database, clock) },
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
