/**
 * `webhooks.purge`, daily: erases raw change values past `payload_purge_after`
 * (WEBHOOK_RAW_RETENTION_HOURS after receipt), dedupe keys older than 8 days, and settled events
 * (processed, duplicate, unhandled) older than 30 days. Failed and pending events stay until handled.
 */
import { z } from 'zod';
import { defineJob } from '../../../jobs/define-job.js';
import { purgeWebhookData } from '../webhooks.repo.js';

export const PURGE_WEBHOOKS_JOB = 'webhooks.purge';

export const purgeWebhooksJob = defineJob({
  name: PURGE_WEBHOOKS_JOB,
  data: z.object({}).passthrough(),
  retryLimit: 3,
  retryDelaySeconds: 300,
  expireInSeconds: 900,
  cron: '50 2 * * *',
  async handler(_data, ctx) {
    const out = await purgeWebhookData(ctx.database.db, ctx.clock.now());
    if (out.payloads + out.keys + out.events > 0) ctx.logger.info({ job: PURGE_WEBHOOKS_JOB, ...out }, 'webhook data purged after retention');
  },
});
