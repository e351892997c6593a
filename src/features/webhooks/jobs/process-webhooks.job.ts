/**
 * `webhooks.process` (sent after a delivery commits; coalesced) and `webhooks.sweep` (every minute:
 * whatever is still pending — a crash after the 200, a lost enqueue — is processed then). Both run
 * the same loop; SKIP LOCKED keeps them from taking the same events.
 */
import { z } from 'zod';
import { defineJob } from '../../../jobs/define-job.js';
import type { JobContext } from '../../../jobs/job-context.js';
import { processPending } from '../process/process.service.js';

export const PROCESS_WEBHOOKS_JOB = 'webhooks.process';
export const SWEEP_WEBHOOKS_JOB = 'webhooks.sweep';

async function run(job: string, ctx: JobContext): Promise<void> {
  const s = await processPending({ db: ctx.database.db, clock: ctx.clock, logger: ctx.logger });
  if (s.claimed > 0) ctx.logger.info({ job, ...s }, 'webhook events processed');
}

/** On demand, after deliveries. */
export const processWebhooksJob = defineJob({
  name: PROCESS_WEBHOOKS_JOB,
  data: z.object({}).passthrough(),
  retryLimit: 2,
  retryDelaySeconds: 5,
  expireInSeconds: 600,
  handler: (_data, ctx) => run(PROCESS_WEBHOOKS_JOB, ctx),
});

/** Every minute: the pending events nothing else took. */
export const sweepWebhooksJob = defineJob({
  name: SWEEP_WEBHOOKS_JOB,
  data: z.object({}).passthrough(),
  // the next minute's sweep is the retry
  retryLimit: 0,
  retryDelaySeconds: 30,
  expireInSeconds: 600,
  cron: '* * * * *',
  handler: (_data, ctx) => run(SWEEP_WEBHOOKS_JOB, ctx),
});
