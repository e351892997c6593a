/**
 * `onboarding.refresh-all`, daily at 03:20 UTC: re-checks the token and looks up the WABA and phone
 * numbers of every connected record (onboarding-refresh.ts). A failing record is logged and the run
 * goes on; a token Meta no longer accepts turns its record "reconnect needed".
 */
import { z } from 'zod';
import { defineJob, type JobDefinition } from '../../../jobs/define-job.js';
import type { JobContext } from '../../../jobs/job-context.js';
import { refreshAll } from '../onboarding-refresh.js';
import type { OnboardingDeps } from '../onboarding.types.js';

/** The job's name (the queue pg-boss creates). */
export const REFRESH_ALL_JOB = 'onboarding.refresh-all';
/** Daily, at a quiet hour (UTC). */
export const REFRESH_ALL_CRON = '20 3 * * *';

const data = z.object({}).passthrough();

/** The job definition; `makeDeps` picks the onboarding deps from the job context. */
export function createRefreshAllJob(makeDeps: (ctx: JobContext) => OnboardingDeps): JobDefinition<typeof data> {
  return defineJob({
    name: REFRESH_ALL_JOB,
    data,
    retryLimit: 2,
    retryDelaySeconds: 600,
    // a few Graph calls per record, one record at a time
    expireInSeconds: 3 * 3600,
    cron: REFRESH_ALL_CRON,
    async handler(_data, ctx) {
      const summary = await refreshAll(makeDeps(ctx));
      ctx.logger.info({ job: REFRESH_ALL_JOB, ...summary }, 'onboarding records refreshed');
    },
  });
}
