/** Every job the app runs. Adding a job: define it beside its feature, then list it here. */
import { createRefreshAllJob } from '../features/onboarding/jobs/refresh-all.job.js';
import { createResumeStepsJob } from '../features/onboarding/jobs/resume-steps.job.js';
import { createSweepJob } from '../features/onboarding/jobs/sweep-interrupted.job.js';
import { processWebhooksJob, sweepWebhooksJob } from '../features/webhooks/jobs/process-webhooks.job.js';
import { createRetentionPurgeJob } from '../features/retention/jobs/retention-purge.job.js';
import { envDefaultsOf } from '../features/retention/retention.deps.js';
import { loadConfig } from '../config.js';
import { auditAnchorJob } from '../features/audit/chain/anchor.job.js';
import type { JobDefinition } from './define-job.js';
import { rateLimitSweepJob } from '../http/rate-limit-sweep.job.js';
import { overviewRollupJob } from '../features/overview/jobs/overview-rollup.job.js';
import { createDeliverJob } from '../features/notifications/jobs/deliver.job.js';
import { createMailer } from '../features/mail/mailer.js';

/** `onboarding.resume-steps`: main.ts sends it for the onboarding deps' scheduleResume. */
export const resumeStepsJob = createResumeStepsJob((ctx) => ctx.onboarding);
/** `onboarding.sweep`, every minute: records a dead process left in progress. */
export const onboardingSweepJob = createSweepJob((ctx) => ctx.onboarding);
/** `onboarding.refresh-all`, daily: token health and phone numbers of connected records. */
export const onboardingRefreshAllJob = createRefreshAllJob((ctx) => ctx.onboarding);

/** `webhooks.process`: main.ts sends it after a webhook delivery is stored. */
export { processWebhooksJob };

/**
 * `retention.purge`, daily: every retention period (sessions, link prefill, webhook data, audit
 * events, ...). The env-backed defaults come from the same environment the process started with.
 */
export const retentionPurgeJob = createRetentionPurgeJob((ctx) => ({
  db: ctx.database.db,
  clock: ctx.clock,
  keyring: ctx.onboarding.keyring,
  sessionIdleMs: ctx.sessionIdleMs,
  envDefaults: envDefaultsOf(loadConfig()),
}));

/** `audit.anchor`, every 5 minutes: signs the audit chain's head when it moved (the sealer itself runs in-process, see main.ts). */
export { auditAnchorJob };

/** `rate-limits.sweep`, hourly: old windows of the shared rate-limit counters. */
export { rateLimitSweepJob };

/** `overview.rollup`, hourly: the hourly sign-in and webhook counts the overview charts read. */
export { overviewRollupJob };

/**
 * `notifications.deliver`, every minute: time-based notification triggers, fan-out and mail. Its
 * mailer is built from the same environment the process started with (SMTP_URL or the outbox).
 */
export const notificationsDeliverJob = createDeliverJob((ctx) => {
  const config = loadConfig();
  return { db: ctx.database.db, clock: ctx.clock, mailer: createMailer(config, ctx.database.db), publicUrl: config.publicUrl };
});

export const JOBS: JobDefinition[] = [resumeStepsJob, onboardingSweepJob, onboardingRefreshAllJob, processWebhooksJob, sweepWebhooksJob, retentionPurgeJob, auditAnchorJob, rateLimitSweepJob, overviewRollupJob, notificationsDeliverJob];
