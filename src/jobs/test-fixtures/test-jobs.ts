/** Job definitions used only by the queue tests. */
import { z } from 'zod';
import { defineJob } from '../define-job.js';

/** Calls `onRun` with the job data; used to count runs and to fail on purpose. */
export function countingJob(name: string, onRun: (data: { n: number }) => Promise<void>, extra: { cron?: string; expireInSeconds?: number } = {}) {
  return defineJob({
    name,
    data: z.object({ n: z.number().int().default(0) }),
    retryLimit: 3,
    retryDelaySeconds: 1,
    expireInSeconds: extra.expireInSeconds ?? 60,
    ...(extra.cron ? { cron: extra.cron } : {}),
    handler: (data) => onRun(data),
  });
}
