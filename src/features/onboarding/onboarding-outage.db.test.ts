/**
 * Meta unavailable in the middle of onboardings (issue #11, faults), over real HTTP against the
 * simulator: each record says what happened (Meta's own error, then the open circuit), no call is
 * sent while the circuit is open, the sweep leaves the records alone until calls may resume, and
 * then connects every one of them, without a person and without running Embedded Signup again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SEED, type MintCodeInput } from '../../meta-simulator/index.js';
import { useTestDatabase } from '../../test-support/test-db.js';
import { logEntries } from '../meta/test-fixtures/graph-harness.js';
import { sweepInterrupted } from './jobs/sweep-interrupted.job.js';
import { receiveCode, receiveSessionInfo, resumeSteps, startAttempt } from './onboarding.service.js';
import { sessionEventSchema } from './onboarding.types.js';
import { startOnboardingHarness, type OnboardingHarness } from './test-fixtures/onboarding-harness.js';

const { luckyShrub: LS, jaspersMarket: JM } = SEED;
const PICKS: Required<Pick<MintCodeInput, 'businessId' | 'wabaId' | 'phoneNumberId'>>[] = [
  { businessId: LS.businessId, wabaId: LS.wabaId, phoneNumberId: LS.phoneNumberId },
  { businessId: JM.businessId, wabaId: JM.usWabaId, phoneNumberId: JM.usPhoneNumberIds[0]! },
  { businessId: JM.businessId, wabaId: JM.euWabaId, phoneNumberId: JM.euPhoneNumberId },
];
const OPEN_MS = 400;
const tdb = useTestDatabase();
let t: OnboardingHarness | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function onboard(h: OnboardingHarness, pick: (typeof PICKS)[number]) {
  const { attemptId } = await startAttempt(h.deps, { linkId: await h.linkId() });
  await receiveSessionInfo(h.deps, attemptId, sessionEventSchema.parse({ event: 'FINISH', data: { waba_id: pick.wabaId, phone_number_id: pick.phoneNumberId, business_id: pick.businessId } }));
  return receiveCode(h.deps, attemptId, h.mint(pick));
}

describe('onboarding while Meta is unavailable', () => {
  it('records say what failed, the circuit stops the calls, and the sweep connects them all once Meta is back', async () => {
    const h = (t = await startOnboardingHarness(tdb.current.database, { client: { retry: { maxAttempts: 1, sleep: async () => {} }, breaker: { failures: 2, openMs: OPEN_MS } } }));
    // Meta's Graph API answers 503 to everything but the code exchange
    h.h.sim.injectFault({ code: 2, httpStatus: 503, isTransient: true, path: /^\/(?!oauth)/, times: 10_000 });

    // each exchange succeeds (Meta's outage starts after it), so each first failure stands alone
    const outs = [];
    for (const pick of PICKS) outs.push(await onboard(h, pick));
    const ids = outs.map((o) => o.recordId);
    expect(outs.map((o) => o.state)).toEqual(['failed', 'failed', 'failed']);
    expect(h.deps.graph.breakerState()).toBe('closed');
    expect(h.scheduled).toEqual(ids); // the resume job was queued for each
    // the resume jobs run while Meta is still down (as the job does: without queueing another);
    // the first one's failure is the second in a row
    for (const id of ids) expect(await resumeSteps({ ...h.deps, scheduleResume: undefined }, id)).toMatchObject({ state: 'failed' });
    expect(h.deps.graph.breakerState()).toBe('open');
    const sent = logEntries(h.h.logs, 'graph call failed').filter((l) => l.graph.kind === 'graph').length;
    expect(sent).toBe(4); // three first runs and one resume reached Meta; two resumes were never sent

    for (const [i, id] of ids.entries()) {
      const { record, steps } = await h.read(id);
      expect(steps.filter((s) => s.status === 'failed').map((s) => s.detail)).toEqual([
        expect.objectContaining({ retryable: true, category: 'transient' }),
        expect.objectContaining({ retryable: true, category: 'transient' }),
      ]);
      if (i === 0) expect(record).toMatchObject({ state: 'failed', errorCode: 2, reason: expect.stringMatching(/injected fault/i) });
      else expect(record).toMatchObject({ state: 'failed', errorCode: null, reason: expect.stringMatching(/^Graph API calls are paused for \d+ s: the last 2 calls failed/) });
      expect(await h.secret(id, 'waba_token')).toBeTruthy(); // the token from the exchange is kept: no new Embedded Signup needed
      expect(await h.auditActions(id)).toEqual(['onboarding.started', 'onboarding.failed', 'onboarding.failed']);
    }

    // long after the resume job gave up, the sweep still waits while the circuit is open
    h.h.clock.advance(11 * 60_000);
    const before = await Promise.all(ids.map(async (id) => (await h.read(id)).steps.length));
    expect((await sweepInterrupted(h.deps)).resumed).toBe(0);
    expect(await Promise.all(ids.map(async (id) => (await h.read(id)).steps.length))).toEqual(before);

    // Meta is back; once the open period is over the sweep's first record is the probe
    h.h.sim.clearFaults();
    await new Promise((r) => setTimeout(r, OPEN_MS + 50));
    expect(await sweepInterrupted(h.deps)).toEqual({ found: 3, resumed: 3, failed: 0 });
    expect(h.deps.graph.breakerState()).toBe('closed');
    for (const id of ids) {
      const r = await h.read(id);
      expect(r.record.state).toBe('connected');
      expect(await h.auditActions(id)).toEqual(['onboarding.started', 'onboarding.failed', 'onboarding.failed', 'onboarding.connected']);
    }
    for (const p of PICKS) expect(h.h.sim.world.wabas.get(p.wabaId)!.subscriptions.has(h.deps.appId)).toBe(true);
  });

  it('a probe that fails again opens the circuit and the sweep stops there', async () => {
    const h = (t = await startOnboardingHarness(tdb.current.database, { client: { retry: { maxAttempts: 1, sleep: async () => {} }, breaker: { failures: 2, openMs: OPEN_MS } } }));
    h.h.sim.injectFault({ code: 2, httpStatus: 503, isTransient: true, path: /^\/(?!oauth)/, times: 10_000 });
    const ids = [];
    for (const pick of PICKS) ids.push((await onboard(h, pick)).recordId);
    for (const id of ids) await resumeSteps({ ...h.deps, scheduleResume: undefined }, id);
    expect(h.deps.graph.breakerState()).toBe('open');
    h.h.clock.advance(11 * 60_000);
    await new Promise((r) => setTimeout(r, OPEN_MS + 50));
    const before = await Promise.all(ids.map(async (id) => (await h.read(id)).steps.length));
    expect(await sweepInterrupted(h.deps)).toMatchObject({ found: 3, resumed: 1 });
    const after = await Promise.all(ids.map(async (id) => (await h.read(id)).steps.length));
    expect(after.filter((n, i) => n > before[i]!)).toHaveLength(1); // only the probe's record gained an attempt
    expect(h.deps.graph.breakerState()).toBe('open');
  });
});
