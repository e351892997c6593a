/**
 * `retention.purge`, daily at 02:30 UTC (once across instances: pg-boss schedules): runs the
 * retention purge (src/features/retention/purge.service.ts). It replaces the former separate
 * session, link prefill and webhook purge jobs.
 */
import { z } from 'zod';
import { defineJob } from '../../../jobs/define-job.js';
import type { JobContext } from '../../../jobs/job-context.js';
import type { RetentionDeps } from '../retention.deps.js';
import { runPurge } from '../purge.service.js';

export const RETENTION_PURGE_JOB = 'retention.purge';

/** The job, given how to build the retention deps from the job context. */
export function createRetentionPurgeJob(depsOf: (ctx: JobContext) => RetentionDeps) {
  return defineJob({
    name: RETENTION_PURGE_JOB,
    data: z.object({}).passthrough(),
    retryLimit: 2,
    retryDelaySeconds: 600,
    // a large first purge runs in many short batches; give it room before it counts as lost
    expireInSeconds: 3_600,
    cron: '30 2 * * *',
    async handler(_data, ctx) {
      await runPurge({ ...depsOf(ctx), logger: ctx.logger }, { dryRun: false, trigger: 'schedule' });
    },
  });
}
