/** Every job the app runs. Adding a job: define it beside its feature, then list it here. */
import { purgeExpiredSessionsJob } from '../features/access/jobs/purge-expired-sessions.job.js';
import { purgeLinkPrefillJob } from '../features/onboarding/jobs/purge-link-prefill.job.js';
import { createRefreshAllJob } from '../features/onboarding/jobs/refresh-all.job.js';
import { createResumeStepsJob } from '../features/onboarding/jobs/resume-steps.job.js';
import { createSweepJob } from '../features/onboarding/jobs/sweep-interrupted.job.js';
import { processWebhooksJob, sweepWebhooksJob } from '../features/webhooks/jobs/process-webhooks.job.js';
import { purgeWebhooksJob } from '../features/webhooks/jobs/purge-webhooks.job.js';
import type { JobDefinition } from './define-job.js';

/** `onboarding.resume-steps`: main.ts sends it for the onboarding deps' scheduleResume. */
export const resumeStepsJob = createResumeStepsJob((ctx) => ctx.onboarding);
/** `onboarding.sweep`, every minute: records a dead process left in progress. */
export const onboardingSweepJob = createSweepJob((ctx) => ctx.onboarding);
/** `onboarding.refresh-all`, daily: token health and phone numbers of connected records. */
export const onboardingRefreshAllJob = createRefreshAllJob((ctx) => ctx.onboarding);

/** `webhooks.process`: main.ts sends it after a webhook delivery is stored. */
export { processWebhooksJob };

export const JOBS: JobDefinition[] = [purgeExpiredSessionsJob, resumeStepsJob, onboardingSweepJob, onboardingRefreshAllJob, purgeLinkPrefillJob, processWebhooksJob, sweepWebhooksJob, purgeWebhooksJob];
