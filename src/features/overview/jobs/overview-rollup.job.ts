/** `overview.rollup`, hourly (once across instances): the hourly counts behind the overview's sign-in and webhook charts. */
import { z } from 'zod';
import { defineJob } from '../../../jobs/define-job.js';
import { runRollups } from '../rollup.service.js';

export const overviewRollupJob = defineJob({
  name: 'overview.rollup',
  data: z.object({}).passthrough(),
  retryLimit: 2,
  retryDelaySeconds: 60,
  // the first run backfills a year of rows
  expireInSeconds: 1800,
  cron: '2 * * * *',
  async handler(_data, ctx) {
    const rows = await runRollups({ db: ctx.database.db, clock: ctx.clock });
    ctx.logger.info({ job: 'overview.rollup', rows }, 'overview rollups updated');
  },
});
