/**
 * `onboarding.sweep`, every minute: resumes records a dead process left `in_progress`, and records
 * failed with a retryable error (Meta was down or slow) whose resume job gave up before Meta came
 * back; those are tried again at most once per staleStepMs, and not while the Graph circuit is open
 * (src/features/meta/graph-breaker.ts), so an outage of any length ends with the records resumed. A record is
 * picked once its last change is older than the deps' staleStepMs (the same limit after which the
 * step engine takes over a step still marked running), so a live runner is never disturbed: the
 * engine refuses a step another runner holds, and a record between two steps of a live runner is
 * changed more recently than that. main.ts also runs one sweep right after start-up.
 */
import { z } from 'zod';
import { defineJob, type JobDefinition } from '../../../jobs/define-job.js';
import type { JobContext } from '../../../jobs/job-context.js';
import { describeFailure } from '../onboarding-refresh.js';
import { interruptedRecords, resumeSteps, retryableFailedRecords } from '../onboarding.service.js';
import type { OnboardingDeps } from '../onboarding.types.js';

/** The job's name (the queue pg-boss creates). */
export const SWEEP_JOB = 'onboarding.sweep';
/** Used when the deps carry no staleStepMs (the step engine's own default). */
const DEFAULT_OLDER_THAN_MS = 10 * 60_000;

/** What one sweep did. */
export interface SweepSummary {
  found: number;
  resumed: number;
  failed: number;
}

/** Resumes each interrupted record in turn; one that throws is logged and the sweep goes on. */
export async function sweepInterrupted(deps: OnboardingDeps, olderThanMs: number = deps.staleStepMs ?? DEFAULT_OLDER_THAN_MS): Promise<SweepSummary> {
  const interrupted = await interruptedRecords(deps, olderThanMs);
  const retryable = await retryableFailedRecords(deps, olderThanMs);
  const summary: SweepSummary = { found: interrupted.length + retryable.length, resumed: 0, failed: 0 };
  for (const recordId of [...interrupted, ...retryable]) {
    // While the Graph circuit is open a retry would only add a failed attempt to the timeline; the
    // first record tried after the open period is the probe, and if it fails the rest wait again.
    if (retryable.includes(recordId) && deps.graph.breakerState() === 'open') break;
    try {
      const out = await resumeSteps(deps, recordId);
      summary.resumed++;
      deps.logger.info({ job: SWEEP_JOB, onboarding: { recordId, state: out?.state ?? null } }, 'onboarding resumed');
    } catch (e) {
      summary.failed++;
      deps.logger.error({ job: SWEEP_JOB, onboarding: { recordId }, failure: describeFailure(e) }, 'resuming an interrupted onboarding failed');
    }
  }
  return summary;
}

const data = z.object({}).passthrough();

/** The job definition; `makeDeps` picks the onboarding deps from the job context. */
export function createSweepJob(makeDeps: (ctx: JobContext) => OnboardingDeps): JobDefinition<typeof data> {
  return defineJob({
    name: SWEEP_JOB,
    data,
    // the next minute's sweep is the retry
    retryLimit: 0,
    retryDelaySeconds: 30,
    expireInSeconds: 900,
    cron: '* * * * *',
    async handler(_data, ctx) {
      const s = await sweepInterrupted(makeDeps(ctx));
      if (s.found > 0) ctx.logger.info({ job: SWEEP_JOB, ...s }, 'onboarding sweep done');
    },
  });
}
