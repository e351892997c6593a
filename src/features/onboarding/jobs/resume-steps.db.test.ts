/**
 * The resume job through a real pg-boss queue: a rate-limited lookup queues it, its first run is
 * rate limited again (it throws, pg-boss retries with backoff), the retry connects the record.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startJobQueue, type JobQueue } from '../../../jobs/queue.js';
import { createLogger } from '../../../logger.js';
import { SEED } from '../../../meta-simulator/index.js';
import { useTestDatabase } from '../../../test-support/test-db.js';
import { getOnboarding, receiveCode, receiveSessionInfo, startAttempt } from '../onboarding.service.js';
import { sessionEventSchema } from '../onboarding.types.js';
import { startOnboardingHarness, type OnboardingHarness } from '../test-fixtures/onboarding-harness.js';
import { createResumeStepsJob, RESUME_STEPS_JOB } from './resume-steps.job.js';

const LS = SEED.luckyShrub;
const tdb = useTestDatabase();
let q: JobQueue | undefined;
let t: OnboardingHarness | undefined;
afterAll(async () => {
  await q?.stop(2000);
  await t?.close();
});

describe(RESUME_STEPS_JOB, () => {
  it('retries with backoff until the rate limit clears, then the record is connected', async () => {
    const database = tdb.current.database;
    // three parallel lookups per run: the code's run and the job's first run are both rate limited
    t = await startOnboardingHarness(database, { sim: { rateLimitTimes: 6 }, client: { retry: { maxAttempts: 1, sleep: async () => {} } } });
    const h = t;
    const job = createResumeStepsJob(() => h.deps, { retryDelaySeconds: 1 });
    const logger = createLogger('silent');
    q = await startJobQueue({ url: tdb.current.url, jobs: [job], ctx: { database, clock: h.h.clock, logger, sessionIdleMs: 0, onboarding: h.deps }, logger, pollingIntervalSeconds: 0.5 });
    const queue = q;
    h.deps.scheduleResume = async (recordId) => {
      await queue.send(job, { recordId });
    };
    const { recordId, attemptId } = await startAttempt(h.deps, { linkId: await h.linkId() });
    await receiveSessionInfo(h.deps, attemptId, sessionEventSchema.parse({ event: 'FINISH', data: { waba_id: LS.wabaId, phone_number_id: LS.phoneNumberId, business_id: LS.businessId } }));
    const code = h.mint({ businessId: LS.businessId, wabaId: LS.wabaId, phoneNumberId: LS.phoneNumberId, scenario: 'rate_limited_then_success' });
    expect((await receiveCode(h.deps, attemptId, code)).state).toBe('failed');
    const state = async () => (await getOnboarding(h.deps, recordId)).record.state;
    await expect.poll(state, { timeout: 20_000, interval: 250 }).toBe('connected');
    const lookups = (await getOnboarding(h.deps, recordId)).steps.filter((s) => s.step === 'lookup').map((s) => s.status);
    expect(lookups).toEqual(['failed', 'failed', 'succeeded']);
  });
});
