/**
 * `onboarding.resume-steps`: continues a record whose step failed with a retryable Graph error (rate
 * limit, 5xx, timeout) or that a restart left in progress. A still-retryable failure throws, so
 * pg-boss retries with exponential backoff (retryDelaySeconds doubling, retryLimit times).
 */
import { z } from 'zod';
import { defineJob, type JobDefinition } from '../../../jobs/define-job.js';
import type { JobContext } from '../../../jobs/job-context.js';
import { hasRetryableFailure } from '../onboarding-runner.js';
import { resumeSteps } from '../onboarding.service.js';
import type { OnboardingDeps } from '../onboarding.types.js';

/** The job's name (the queue pg-boss creates). */
export const RESUME_STEPS_JOB = 'onboarding.resume-steps';

const data = z.object({ recordId: z.string().uuid() });

/** Thrown to make pg-boss retry later; carries no Meta text. */
export class ResumeLaterError extends Error {
  override name = 'ResumeLaterError';
}

/**
 * The job definition; `makeDeps` picks the onboarding deps from the job context (src/jobs/registry.ts
 * passes `ctx.onboarding`, built by createOnboardingDeps in main.ts).
 */
export function createResumeStepsJob(
  makeDeps: (ctx: JobContext) => OnboardingDeps,
  policy: Partial<Pick<JobDefinition, 'retryLimit' | 'retryDelaySeconds'>> = {},
): JobDefinition<typeof data> {
  return defineJob({
    name: RESUME_STEPS_JOB,
    data,
    retryLimit: policy.retryLimit ?? 5,
    retryDelaySeconds: policy.retryDelaySeconds ?? 15,
    expireInSeconds: 300,
    async handler({ recordId }, ctx) {
      // The job itself retries: no second job is queued from inside it.
      const deps: OnboardingDeps = { ...makeDeps(ctx), scheduleResume: undefined };
      const out = await resumeSteps(deps, recordId);
      ctx.logger.info({ job: RESUME_STEPS_JOB, recordId, state: out?.state ?? null }, 'onboarding steps resumed');
      if (out?.state === 'failed' && (await hasRetryableFailure(deps, recordId))) throw new ResumeLaterError(`onboarding ${recordId} still failing with a retryable error`);
    },
  });
}
