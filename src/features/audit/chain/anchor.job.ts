/**
 * `audit.anchor`, every ANCHOR_INTERVAL_MINUTES: seals what is pending and signs the chain head
 * when it moved since the last anchor. The schedule fires once across all instances.
 */
import { z } from 'zod';
import { defineJob } from '../../../jobs/define-job.js';
import { anchorIfMoved } from './anchor.js';

/** How often the head is anchored: a cut-off tail newer than the latest anchor cannot be noticed, so this bounds what could go unnoticed. */
export const ANCHOR_INTERVAL_MINUTES = 5;

export const auditAnchorJob = defineJob({
  name: 'audit.anchor',
  data: z.object({}).passthrough(),
  retryLimit: 2,
  retryDelaySeconds: 30,
  expireInSeconds: 300,
  cron: `*/${ANCHOR_INTERVAL_MINUTES} * * * *`,
  async handler(_data, ctx) {
    await anchorIfMoved(ctx.database.db, { clock: ctx.clock, keyring: ctx.onboarding.keyring, logger: ctx.logger });
  },
});
