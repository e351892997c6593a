/**
 * `onboarding-links.purge-prefill`, daily: erases the prefill of customer onboarding links (business
 * name, email, phone: personal data of people without an account) once their retention period after
 * the link's end has passed. The link itself stays (label, dates, which record it produced).
 */
import { z } from 'zod';
import { defineJob } from '../../../jobs/define-job.js';
import { purgeExpiredPrefill } from '../customer-links/customer-links.repo.js';

/** The job's name. */
export const PURGE_LINK_PREFILL_JOB = 'onboarding-links.purge-prefill';

/** The job definition. */
export const purgeLinkPrefillJob = defineJob({
  name: PURGE_LINK_PREFILL_JOB,
  data: z.object({}).passthrough(),
  retryLimit: 3,
  retryDelaySeconds: 300,
  expireInSeconds: 600,
  cron: '40 2 * * *',
  async handler(_data, ctx) {
    const erased = await purgeExpiredPrefill(ctx.database.db, ctx.clock.now());
    if (erased > 0) ctx.logger.info({ job: PURGE_LINK_PREFILL_JOB, erased }, 'onboarding link prefill erased after retention');
  },
});
