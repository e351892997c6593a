/** Deletes sessions past their idle or absolute limit, every 15 minutes. */
import { z } from 'zod';
import { defineJob } from '../../../jobs/define-job.js';
import { purgeExpiredSessions } from '../sessions.service.js';

export const purgeExpiredSessionsJob = defineJob({
  name: 'access.purge-expired-sessions',
  data: z.object({}).passthrough(),
  retryLimit: 3,
  retryDelaySeconds: 30,
  expireInSeconds: 300,
  cron: '*/15 * * * *',
  async handler(_data, ctx) {
    const n = await purgeExpiredSessions({ db: ctx.database.db, clock: ctx.clock, sessionIdleMs: ctx.sessionIdleMs });
    ctx.logger.info({ job: 'access.purge-expired-sessions', deleted: n }, 'expired sessions purged');
  },
});
