/**
 * The onboarding jobs as the registry lists them, through a real pg-boss queue with the onboarding
 * deps in the job context (as main.ts wires them): the resume job retries a rate-limited step to
 * connected, the sweep resumes a record a dead process left in progress, refresh-all runs.
 */
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobDefinition } from '../../../jobs/define-job.js';
import { startJobQueue, type JobQueue } from '../../../jobs/queue.js';
import { JOBS, onboardingRefreshAllJob, onboardingSweepJob, resumeStepsJob } from '../../../jobs/registry.js';
import { createLogger } from '../../../logger.js';
import { SEED } from '../../../meta-simulator/index.js';
import { useTestDatabase } from '../../../test-support/test-db.js';
import { staleStepMsFor } from '../onboarding.deps.js';
import { getOnboarding, receiveCode, receiveSessionInfo, startAttempt } from '../onboarding.service.js';
import { sessionEventSchema, type OnboardingDeps } from '../onboarding.types.js';
import { startOnboardingHarness, type OnboardingHarness } from '../test-fixtures/onboarding-harness.js';
import { REFRESH_ALL_CRON, REFRESH_ALL_JOB } from './refresh-all.job.js';
import { RESUME_STEPS_JOB } from './resume-steps.job.js';
import { SWEEP_JOB, sweepInterrupted } from './sweep-interrupted.job.js';

const LS = SEED.luckyShrub;
const tdb = useTestDatabase();
const logger = createLogger('silent');
let q: JobQueue | undefined;
let t: OnboardingHarness | undefined;
afterEach(async () => {
  await q?.stop(2000);
  await t?.close();
  q = undefined;
  t = undefined;
});

const finishLS = sessionEventSchema.parse({ event: 'FINISH', data: { waba_id: LS.wabaId, phone_number_id: LS.phoneNumberId, business_id: LS.businessId } });

/** The registry's jobs on a queue whose context carries `deps`; the resume job's backoff shortened for the test. */
async function startQueue(h: OnboardingHarness, deps: OnboardingDeps) {
  const jobs: JobDefinition[] = JOBS.map((j) => (j.name === RESUME_STEPS_JOB ? { ...j, retryDelaySeconds: 1 } : j));
  q = await startJobQueue({ url: tdb.current.url, jobs, ctx: { database: tdb.current.database, clock: h.h.clock, logger, sessionIdleMs: 0, onboarding: deps }, logger, pollingIntervalSeconds: 0.5 });
  return q;
}

/** A record whose runner "died" inside subscribe (its call never returns): the step stays running. */
async function interrupted(h: OnboardingHarness): Promise<string> {
  const dying = { ...h.deps.graph, subscribeApp: () => new Promise<void>(() => {}) };
  const { attemptId, recordId } = await startAttempt(h.deps, { linkId: await h.linkId() });
  await receiveSessionInfo(h.deps, attemptId, finishLS);
  void receiveCode({ ...h.deps, graph: dying }, attemptId, h.mint({ businessId: LS.businessId, wabaId: LS.wabaId, phoneNumberId: LS.phoneNumberId }));
  await expect.poll(async () => (await h.read(recordId)).step.get('subscribe')?.status, { timeout: 5000 }).toBe('running');
  return recordId;
}

const subscribeAttempts = async (h: OnboardingHarness, recordId: string) => (await h.read(recordId)).steps.filter((s) => s.step === 'subscribe').map((s) => s.status);

describe('onboarding jobs in the registry', () => {
  it('lists the resume, sweep (every minute) and refresh-all (daily) jobs with their schedules', async () => {
    t = await startOnboardingHarness(tdb.current.database);
    const names = JOBS.map((j) => j.name);
    expect(names).toEqual(expect.arrayContaining([RESUME_STEPS_JOB, SWEEP_JOB, REFRESH_ALL_JOB]));
    expect(onboardingSweepJob.cron).toBe('* * * * *');
    expect(onboardingRefreshAllJob.cron).toBe(REFRESH_ALL_CRON);
    await startQueue(t, t.deps);
    const schedules = await tdb.current.database.db.execute<{ name: string; cron: string }>(sql`SELECT name, cron FROM pgboss.schedule`);
    expect(schedules.rows).toContainEqual({ name: SWEEP_JOB, cron: '* * * * *' });
    expect(schedules.rows).toContainEqual({ name: REFRESH_ALL_JOB, cron: '20 3 * * *' });
    expect(schedules.rows.map((r) => r.name)).not.toContain(RESUME_STEPS_JOB);
  });

  it('resume: a rate-limited lookup schedules the registered job, which retries with backoff until connected', async () => {
    // three parallel lookups per run: the code's run and the job's first run are both rate limited
    const h = (t = await startOnboardingHarness(tdb.current.database, { sim: { rateLimitTimes: 6 }, client: { retry: { maxAttempts: 1, sleep: async () => {} } } }));
    // as main.ts: scheduleResume sends the registry's resume job to the queue (bound once it runs)
    let queue: JobQueue | undefined;
    const deps: OnboardingDeps = { ...h.deps, scheduleResume: async (recordId) => void (await queue!.send(resumeStepsJob, { recordId })) };
    queue = await startQueue(h, deps);
    const { recordId, attemptId } = await startAttempt(deps, { linkId: await h.linkId() });
    await receiveSessionInfo(deps, attemptId, finishLS);
    const code = h.mint({ businessId: LS.businessId, wabaId: LS.wabaId, phoneNumberId: LS.phoneNumberId, scenario: 'rate_limited_then_success' });
    expect((await receiveCode(deps, attemptId, code)).state).toBe('failed');
    const state = async () => (await getOnboarding(deps, recordId)).record.state;
    await expect.poll(state, { timeout: 20_000, interval: 250 }).toBe('connected');
    const lookups = (await getOnboarding(deps, recordId)).steps.filter((s) => s.step === 'lookup').map((s) => s.status);
    expect(lookups).toEqual(['failed', 'failed', 'succeeded']);
    const jobs = await tdb.current.database.db.execute<{ state: string }>(sql`SELECT state FROM pgboss.job WHERE name = ${RESUME_STEPS_JOB}`);
    expect(jobs.rows.map((j) => j.state)).toEqual(['completed']);
  });

  it('sweep: leaves a step a live runner may still hold, resumes the record once the step is stale', async () => {
    const h = (t = await startOnboardingHarness(tdb.current.database));
    const deps: OnboardingDeps = { ...h.deps, staleStepMs: staleStepMsFor(10_000) };
    const recordId = await interrupted(h);

    h.h.clock.advance(60_000);
    expect(await sweepInterrupted(deps)).toEqual({ found: 0, resumed: 0, failed: 0 });
    h.h.clock.advance(30_000);
    // changed long enough ago to be picked, but the engine still refuses the running step
    expect(await sweepInterrupted(deps, 60_000)).toEqual({ found: 1, resumed: 1, failed: 0 });
    expect(await subscribeAttempts(h, recordId)).toEqual(['running']);
    expect((await h.read(recordId)).record.state).toBe('in_progress');

    // 2 minutes after the step began its process is taken for dead: the next sweep takes over
    h.h.clock.advance(31_000);
    expect(await sweepInterrupted(deps)).toEqual({ found: 1, resumed: 1, failed: 0 });
    expect((await h.read(recordId)).record.state).toBe('connected');
    expect(await subscribeAttempts(h, recordId)).toEqual(['running', 'succeeded']);
    expect(await sweepInterrupted(deps)).toEqual({ found: 0, resumed: 0, failed: 0 });
  });

  it('sweep through the queue: the registered job resumes an interrupted record', async () => {
    const h = (t = await startOnboardingHarness(tdb.current.database));
    const deps: OnboardingDeps = { ...h.deps, staleStepMs: 120_000 };
    const recordId = await interrupted(h);
    h.h.clock.advance(121_000);
    const queue = await startQueue(h, deps);
    await queue.send(onboardingSweepJob, {});
    await expect.poll(async () => (await h.read(recordId)).record.state, { timeout: 15_000, interval: 250 }).toBe('connected');
    expect(await subscribeAttempts(h, recordId)).toEqual(['running', 'succeeded']);
  });

  it('refresh-all through the queue: a revoked token becomes "reconnect needed"', async () => {
    const h = (t = await startOnboardingHarness(tdb.current.database));
    const { recordId, attemptId } = await startAttempt(h.deps, { linkId: await h.linkId() });
    await receiveSessionInfo(h.deps, attemptId, finishLS);
    expect((await receiveCode(h.deps, attemptId, h.mint({ businessId: LS.businessId, wabaId: LS.wabaId, phoneNumberId: LS.phoneNumberId }))).state).toBe('connected');
    h.h.sim.revokeTokens({ wabaId: LS.wabaId });
    const queue = await startQueue(h, h.deps);
    await queue.send(onboardingRefreshAllJob, {});
    await expect.poll(async () => (await h.read(recordId)).record.reason, { timeout: 15_000, interval: 250 }).toBe('reconnect needed');
  });
});
