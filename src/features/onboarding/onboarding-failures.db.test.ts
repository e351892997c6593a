/**
 * Onboarding failures against the Meta simulator: expired and reused codes, a token that does not
 * cover the WABA, subscribe refused, PIN already set, register limit, rate limit recovered by the
 * resume job and by retryStep, and the WABA unknown until the session info arrives.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SEED, type SimulatorOptions } from '../../meta-simulator/index.js';
import { useTestDatabase } from '../../test-support/test-db.js';
import type { GraphClientOptions } from '../meta/graph-client.js';
import { createResumeStepsJob } from './jobs/resume-steps.job.js';
import { interruptedRecords, receiveCode, receiveSessionInfo, resumeSteps, retryStep, startAttempt, submitExistingPin } from './onboarding.service.js';
import { REASONS, sessionEventSchema } from './onboarding.types.js';
import { startOnboardingHarness, type OnboardingHarness } from './test-fixtures/onboarding-harness.js';

const LS = SEED.luckyShrub;
const JM = SEED.jaspersMarket;
const tdb = useTestDatabase();
let t: OnboardingHarness | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function setup(o: { sim?: Partial<SimulatorOptions>; client?: Partial<GraphClientOptions> } = {}) {
  t = await startOnboardingHarness(tdb.current.database, o);
  return t;
}
const finishLS = sessionEventSchema.parse({ event: 'FINISH', data: { waba_id: LS.wabaId, phone_number_id: LS.phoneNumberId, business_id: LS.businessId } });

/** Starts an attempt with FINISH for Lucky Shrub and hands in a code minted with `scenario`. */
async function run(h: OnboardingHarness, scenario?: Parameters<OnboardingHarness['mint']>[0]['scenario']) {
  const { attemptId } = await startAttempt(h.deps, { linkId: await h.linkId() });
  await receiveSessionInfo(h.deps, attemptId, finishLS);
  const code = h.mint({ businessId: LS.businessId, wabaId: LS.wabaId, phoneNumberId: LS.phoneNumberId, scenario });
  const out = await receiveCode(h.deps, attemptId, code);
  // A second run for the same WABA is a reconnect: merged into the first record.
  return { recordId: out.recordId, attemptId, code, out };
}

describe('onboarding: failures and recovery', () => {
  it('an expired code fails the record with Meta 36007; a reused code with 36009; neither is retried', async () => {
    const h = await setup();
    const a = await startAttempt(h.deps, { linkId: await h.linkId() });
    const code = h.mint({ businessId: LS.businessId, wabaId: LS.wabaId });
    h.h.clock.advance(31_000);
    const out = await receiveCode(h.deps, a.attemptId, code);
    expect(out.state).toBe('failed');
    const r = await h.read(a.recordId);
    expect(r.record).toMatchObject({ errorCode: 100, errorSubcode: 36007 });
    expect(r.record.reason).toMatch(/expired/i);
    expect(r.step.get('exchange')).toMatchObject({ status: 'failed', errorCode: 100, errorSubcode: 36007 });
    expect(r.steps).toHaveLength(1);
    expect(await h.vaultRows(a.recordId)).toBe(0);
    await expect(retryStep(h.deps, a.recordId)).rejects.toMatchObject({ kind: 'conflict' });

    const b = await startAttempt(h.deps, { linkId: await h.linkId() });
    const used = h.mint({ businessId: LS.businessId, wabaId: LS.wabaId });
    await h.h.client.exchangeCode(used);
    expect((await receiveCode(h.deps, b.attemptId, used)).state).toBe('failed');
    expect((await h.read(b.recordId)).record).toMatchObject({ errorCode: 100, errorSubcode: 36009 });
    expect(await h.auditActions(b.recordId)).toEqual(['onboarding.started', 'onboarding.failed']);
  });

  it('a token whose target_ids omit the WABA: failed, and no secret is left in the vault', async () => {
    const h = await setup();
    const { recordId, out } = await run(h, 'token_without_waba_in_scopes');
    expect(out).toMatchObject({ state: 'failed', reason: REASONS.notCovered });
    expect((await h.read(recordId)).step.get('verify')!.status).toBe('failed');
    expect(await h.vaultRows(recordId)).toBe(0);
    await expect(retryStep(h.deps, recordId)).rejects.toMatchObject({ kind: 'conflict' });
  });

  it('subscribe_fails_100: the subscribe step fails with code 100 and Meta trace id', async () => {
    const h = await setup();
    const { recordId, out } = await run(h, 'subscribe_fails_100');
    expect(out.state).toBe('failed');
    const r = await h.read(recordId);
    expect(r.step.get('subscribe')).toMatchObject({ status: 'failed', errorCode: 100, detail: { retryable: false } });
    expect(r.step.get('subscribe')!.errorFbtraceId).toBeTruthy();
    expect(r.step.get('register')).toBeUndefined();
    expect(r.record).toMatchObject({ errorCode: 100 });
    expect(h.scheduled).toEqual([]);
  });

  it('pin_already_set_133005: action required; the existing PIN entered by a person completes it', async () => {
    const h = await setup({ sim: { existingPin: '135790' } });
    const { recordId, out } = await run(h, 'pin_already_set_133005');
    expect(out).toMatchObject({ state: 'action_required', reason: REASONS.pinAlreadySet });
    expect((await h.read(recordId)).step.get('register')).toMatchObject({ status: 'action_required', errorCode: 133005 });
    expect(await h.vaultRows(recordId)).toBe(1);
    expect((await submitExistingPin(h.deps, recordId, '135790')).state).toBe('connected');
  });

  it('register_limit_133016 and number_not_verified_133006: action required with Meta reason', async () => {
    const h = await setup();
    const a = await run(h, 'register_limit_133016');
    expect(a.out.state).toBe('action_required');
    expect((await h.read(a.recordId)).record.errorCode).toBe(133016);
    const b = await run(h, 'number_not_verified_133006');
    expect(b.out.state).toBe('action_required');
    expect((await h.read(b.recordId)).record.errorCode).toBe(133006);
  });

  it('rate_limited_then_success: step failed (retryable), job queued, the resume job connects it', async () => {
    const h = await setup({ client: { retry: { maxAttempts: 1, sleep: async () => {} } } });
    const { recordId, out } = await run(h, 'rate_limited_then_success');
    expect(out.state).toBe('failed');
    expect((await h.read(recordId)).step.get('lookup')).toMatchObject({ status: 'failed', errorCode: 80007, detail: { retryable: true } });
    expect(h.scheduled).toEqual([recordId]);
    const job = createResumeStepsJob(() => h.deps);
    const logger = { info: () => {} } as never;
    await job.handler({ recordId }, { database: tdb.current.database, clock: h.h.clock, logger, sessionIdleMs: 0, onboarding: h.deps });
    const r = await h.read(recordId);
    expect(r.record.state).toBe('connected');
    expect(r.steps.filter((s) => s.step === 'lookup').map((s) => s.status)).toEqual(['failed', 'succeeded']);
    expect(await h.auditActions(recordId)).toEqual(['onboarding.started', 'onboarding.failed', 'onboarding.connected']);
  });

  it('rate limit recovered through retryStep (the UI retry)', async () => {
    const h = await setup({ client: { retry: { maxAttempts: 1, sleep: async () => {} } } });
    const { recordId } = await run(h, 'rate_limited_then_success');
    expect((await retryStep(h.deps, recordId)).state).toBe('connected');
  });

  it('no session info and target_ids without ids: WABA unknown until FINISH arrives, then it resumes', async () => {
    const h = await setup();
    const a = await startAttempt(h.deps, { linkId: await h.linkId() });
    const code = h.mint({ businessId: JM.businessId, wabaId: JM.usWabaId, scenario: 'scopes_without_target_ids' });
    expect(await receiveCode(h.deps, a.attemptId, code)).toMatchObject({ state: 'action_required', reason: REASONS.wabaUnknown });
    const ev = sessionEventSchema.parse({ event: 'FINISH', data: { waba_id: JM.usWabaId, phone_number_id: JM.usPhoneNumberIds[1], business_id: JM.businessId } });
    expect((await receiveSessionInfo(h.deps, a.attemptId, ev)).state).toBe('connected');
    const r = await h.read(a.recordId);
    expect(r.record).toMatchObject({ wabaId: JM.usWabaId, phoneNumberId: JM.usPhoneNumberIds[1] });
    expect(r.step.get('register')!.status).toBe('succeeded');
  });

  it('restart mid-flow: a step left running past staleStepMs is run again by resumeSteps', async () => {
    const h = await setup();
    const real = h.deps.graph;
    // the first runner "dies" inside subscribe: its call never returns
    const dying = { ...real, subscribeApp: () => new Promise<void>(() => {}) };
    const { attemptId, recordId } = await startAttempt(h.deps, { linkId: await h.linkId() });
    await receiveSessionInfo(h.deps, attemptId, finishLS);
    void receiveCode({ ...h.deps, graph: dying }, attemptId, h.mint({ businessId: LS.businessId, wabaId: LS.wabaId, phoneNumberId: LS.phoneNumberId }));
    await expect.poll(async () => (await h.read(recordId)).step.get('subscribe')?.status, { timeout: 5000 }).toBe('running');
    expect(await resumeSteps(h.deps, recordId)).toMatchObject({ state: 'in_progress' });
    h.h.clock.advance(11 * 60_000);
    expect(await interruptedRecords(h.deps, 5 * 60_000)).toEqual([recordId]);
    expect((await resumeSteps(h.deps, recordId))!.state).toBe('connected');
    expect((await h.read(recordId)).steps.filter((s) => s.step === 'subscribe').map((s) => s.status)).toEqual(['running', 'succeeded']);
  });

  it('restart mid-exchange: once stale, the record fails at the exchange asking for Embedded Signup again (the code is spent)', async () => {
    const h = await setup();
    // the first runner "dies" inside the code exchange: its call never returns
    const dying = { ...h.deps.graph, exchangeCode: () => new Promise<never>(() => {}) };
    const { attemptId, recordId } = await startAttempt(h.deps, { linkId: await h.linkId() });
    void receiveCode({ ...h.deps, graph: dying }, attemptId, h.mint({ businessId: LS.businessId, wabaId: LS.wabaId, phoneNumberId: LS.phoneNumberId }));
    await expect.poll(async () => (await h.read(recordId)).step.get('exchange')?.status, { timeout: 5000 }).toBe('running');
    // a live exchange is left alone
    expect(await resumeSteps(h.deps, recordId)).toMatchObject({ state: 'in_progress' });
    h.h.clock.advance(11 * 60_000);
    expect(await resumeSteps(h.deps, recordId)).toEqual({ recordId, state: 'failed', reason: REASONS.exchangeInterrupted });
    const r = await h.read(recordId);
    expect(r.steps.map((s) => `${s.step}:${s.status}`)).toEqual(['exchange:running', 'exchange:failed']);
    // not retryable: there is no token to go on with
    await expect(retryStep(h.deps, recordId)).rejects.toMatchObject({ kind: 'conflict' });
    expect(await resumeSteps(h.deps, recordId)).toMatchObject({ state: 'failed' });
  });
});
