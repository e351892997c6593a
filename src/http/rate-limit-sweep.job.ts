/** `rate-limits.sweep`, hourly (once across instances): drops rate-limit windows that ended an hour ago. */
import { z } from 'zod';
import { defineJob } from '../jobs/define-job.js';
import { sweepRateLimits } from './rate-limit-store.js';

export const rateLimitSweepJob = defineJob({
  name: 'rate-limits.sweep',
  data: z.object({}).passthrough(),
  retryLimit: 1,
  retryDelaySeconds: 60,
  expireInSeconds: 300,
  cron: '17 * * * *',
  async handler(_data, ctx) {
    const n = await sweepRateLimits(ctx.database.pool);
    if (n > 0) ctx.logger.info({ job: 'rate-limits.sweep', deleted: n }, 'old rate-limit windows deleted');
  },
});
