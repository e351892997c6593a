/**
 * The onboarding flow end to end against the Meta simulator over real HTTP: FINISH, FINISH_ONLY_WABA,
 * coexistence, code before session info, CANCEL, duplicate events, and a canary scan of every table
 * and log line for the token, PIN and code.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SEED } from '../../meta-simulator/index.js';
import { useTestDatabase } from '../../test-support/test-db.js';
import { receiveCode, receiveSessionInfo, startAttempt } from './onboarding.service.js';
import { OnboardingError, sessionEventSchema } from './onboarding.types.js';
import { startOnboardingHarness, type OnboardingHarness } from './test-fixtures/onboarding-harness.js';

const LS = SEED.luckyShrub;
const GG = SEED.greenGrocer;
const JM = SEED.jaspersMarket;
const tdb = useTestDatabase();
let t: OnboardingHarness;
beforeEach(async () => {
  t = await startOnboardingHarness(tdb.current.database);
});
afterEach(async () => {
  await t.close();
});

const session = (raw: unknown) => sessionEventSchema.parse(raw);
const finish = (data: Record<string, unknown>, event = 'FINISH') => session({ type: 'WA_EMBEDDED_SIGNUP', event, data });
const start = async () => startAttempt(t.deps, { linkId: await t.linkId() });

describe('onboarding: successful flows', () => {
  it('FINISH then code: connected, phone numbers stored, number registered, token only in the vault', async () => {
    const { recordId, attemptId } = await start();
    await receiveSessionInfo(t.deps, attemptId, finish({ waba_id: LS.wabaId, phone_number_id: LS.phoneNumberId, business_id: LS.businessId }));
    const code = t.mint({ businessId: LS.businessId, wabaId: LS.wabaId, phoneNumberId: LS.phoneNumberId, userId: '10222270944537964' });
    const out = await receiveCode(t.deps, attemptId, code, '10222270944537964');
    expect(out).toEqual({ recordId, state: 'connected', reason: null });
    const r = await t.read(recordId);
    expect(r.record).toMatchObject({ wabaId: LS.wabaId, phoneNumberId: LS.phoneNumberId, businessId: LS.businessId, wabaName: 'Lucky Shrub', businessName: 'Lucky Shrub', metaUserId: '10222270944537964', tokenType: 'SYSTEM_USER', sessionEvent: 'FINISH' });
    expect(r.record.tokenUserId).toMatch(/^\d+$/);
    expect(r.record.tokenExpiresAt).toBeInstanceOf(Date);
    expect(r.record.connectedAt).toBeInstanceOf(Date);
    expect(r.phoneNumbers.map((p) => p.phoneNumberId).sort()).toEqual([LS.phoneNumberId, LS.unverifiedPhoneNumberId].sort());
    expect(r.phoneNumbers.find((p) => p.phoneNumberId === LS.phoneNumberId)).toMatchObject({ displayPhoneNumber: '+1 555-078-3881', verifiedName: 'Lucky Shrub', qualityRating: 'GREEN', codeVerificationStatus: 'VERIFIED', throughput: 'STANDARD' });
    expect([...r.step.entries()].map(([k, s]) => [k, s.status])).toEqual([
      ['exchange', 'succeeded'],
      ['verify', 'succeeded'],
      ['lookup', 'succeeded'],
      ['subscribe', 'succeeded'],
      ['override', 'skipped'],
      ['register', 'succeeded'],
    ]);
    for (const s of r.steps) expect(s.durationMs).toBeGreaterThanOrEqual(0);
    expect(t.h.sim.world.phoneNumbers.get(LS.phoneNumberId)).toMatchObject({ status: 'CONNECTED', platformType: 'CLOUD_API' });
    expect(t.h.sim.world.wabas.get(LS.wabaId)!.subscriptions.size).toBe(1);
    expect(await t.vaultRows(recordId)).toBe(2);
    expect(await t.secret(recordId, 'registration_pin')).toMatch(/^\d{6}$/);
    expect(await t.auditActions(recordId)).toEqual(['onboarding.started', 'onboarding.connected']);
  });

  it('FINISH_ONLY_WABA: connected without a number and without register', async () => {
    const { recordId, attemptId } = await start();
    await receiveSessionInfo(t.deps, attemptId, finish({ waba_id: LS.wabaId }, 'FINISH_ONLY_WABA'));
    const out = await receiveCode(t.deps, attemptId, t.mint({ businessId: LS.businessId, wabaId: LS.wabaId }));
    expect(out.state).toBe('connected');
    const r = await t.read(recordId);
    expect(r.record.phoneNumberId).toBeNull();
    expect(r.step.get('register')).toMatchObject({ status: 'skipped', detail: { why: 'no_phone_number' } });
    expect(r.record.businessName).toBeNull();
    expect(await t.vaultRows(recordId)).toBe(1);
  });

  it('coexistence: the number comes from the WABA and is not registered', async () => {
    const { recordId, attemptId } = await start();
    await receiveSessionInfo(t.deps, attemptId, finish({ waba_id: GG.wabaId }, 'FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING'));
    const code = t.mint({ businessId: GG.businessId, wabaId: GG.wabaId, phoneNumberId: GG.coexistencePhoneNumberId, scenario: 'coexistence_number' });
    expect((await receiveCode(t.deps, attemptId, code)).state).toBe('connected');
    const r = await t.read(recordId);
    expect(r.record.phoneNumberId).toBe(GG.coexistencePhoneNumberId);
    expect(r.step.get('register')).toMatchObject({ status: 'skipped', detail: { why: 'coexistence' } });
    expect(r.phoneNumbers[0]).toMatchObject({ platformType: 'CLOUD_API', status: 'CONNECTED' });
  });

  it('code before session info: the WABA comes from target_ids, the later FINISH fills in the business', async () => {
    const { recordId, attemptId } = await start();
    const out = await receiveCode(t.deps, attemptId, t.mint({ businessId: JM.businessId, wabaId: JM.euWabaId }));
    expect(out.state).toBe('connected');
    let r = await t.read(recordId);
    expect(r.record).toMatchObject({ wabaId: JM.euWabaId, phoneNumberId: JM.euPhoneNumberId, sessionEvent: null });
    expect(r.step.get('verify')!.detail).toMatchObject({ wabaSource: 'scopes' });
    expect(r.step.get('register')!.status).toBe('succeeded');
    await receiveSessionInfo(t.deps, attemptId, finish({ waba_id: JM.euWabaId, phone_number_id: JM.euPhoneNumberId, business_id: JM.businessId }));
    r = await t.read(recordId);
    expect(r.record).toMatchObject({ state: 'connected', businessId: JM.businessId, sessionEvent: 'FINISH' });
  });

  it('connected before the browser named the number (WABA with two numbers): the later FINISH registers it', async () => {
    const { recordId, attemptId } = await start();
    expect((await receiveCode(t.deps, attemptId, t.mint({ businessId: LS.businessId, wabaId: LS.wabaId, phoneNumberId: LS.phoneNumberId }))).state).toBe('connected');
    let r = await t.read(recordId);
    expect(r.record.phoneNumberId).toBeNull();
    expect(r.step.get('register')).toMatchObject({ status: 'skipped', detail: { why: 'no_phone_number' } });
    const out = await receiveSessionInfo(t.deps, attemptId, finish({ waba_id: LS.wabaId, phone_number_id: LS.phoneNumberId, business_id: LS.businessId }));
    expect(out).toEqual({ recordId, state: 'connected', reason: null });
    r = await t.read(recordId);
    expect(r.record.phoneNumberId).toBe(LS.phoneNumberId);
    expect(r.steps.filter((s) => s.step === 'register').map((s) => s.status)).toEqual(['skipped', 'pending', 'succeeded']);
    expect(t.h.sim.world.phoneNumbers.get(LS.phoneNumberId)).toMatchObject({ status: 'CONNECTED', platformType: 'CLOUD_API' });
  });

  it('a duplicate FINISH does nothing twice, and a second code for the attempt is refused', async () => {
    const { recordId, attemptId } = await start();
    const ev = finish({ waba_id: LS.wabaId, phone_number_id: LS.phoneNumberId, business_id: LS.businessId });
    await receiveSessionInfo(t.deps, attemptId, ev);
    const before = (await t.read(recordId)).record.updatedAt;
    t.h.clock.advance(1000);
    await receiveSessionInfo(t.deps, attemptId, ev);
    expect((await t.read(recordId)).record.updatedAt).toEqual(before);
    const code = t.mint({ businessId: LS.businessId, wabaId: LS.wabaId, phoneNumberId: LS.phoneNumberId });
    expect((await receiveCode(t.deps, attemptId, code)).state).toBe('connected');
    await receiveSessionInfo(t.deps, attemptId, ev);
    await expect(receiveCode(t.deps, attemptId, code)).rejects.toBeInstanceOf(OnboardingError);
    const r = await t.read(recordId);
    expect(r.steps.filter((s) => s.step === 'exchange')).toHaveLength(1);
    expect(r.steps.filter((s) => s.step === 'register')).toHaveLength(1);
    expect(await t.auditActions(recordId)).toEqual(['onboarding.started', 'onboarding.connected']);
  });

  it('CANCEL at PHONE_NUMBER_SETUP: abandoned with that step; CANCEL with error_message: failed with it', async () => {
    const a = await start();
    const out = await receiveSessionInfo(t.deps, a.attemptId, session({ type: 'WA_EMBEDDED_SIGNUP', event: 'CANCEL', data: { current_step: 'PHONE_NUMBER_SETUP' } }));
    expect(out.state).toBe('abandoned');
    expect((await t.read(a.recordId)).record).toMatchObject({ abandonedStep: 'PHONE_NUMBER_SETUP', sessionEvent: 'CANCEL' });
    expect(await t.auditActions(a.recordId)).toEqual(['onboarding.started', 'onboarding.abandoned']);
    await expect(receiveCode(t.deps, a.attemptId, t.mint({ businessId: LS.businessId, wabaId: LS.wabaId }))).rejects.toMatchObject({ kind: 'conflict' });

    const b = await start();
    const err = { error_message: 'Your business could not be verified', error_id: '524126', session_id: 'f34b51dab5e0498', timestamp: '1712099387' };
    const failed = await receiveSessionInfo(t.deps, b.attemptId, session({ type: 'WA_EMBEDDED_SIGNUP', event: 'ERROR', data: err }));
    expect(failed).toMatchObject({ state: 'failed', reason: 'Your business could not be verified' });
    expect((await t.read(b.recordId)).record).toMatchObject({ errorCode: 524126, errorMessage: 'Your business could not be verified' });
  });

  it('canary scan: no token, PIN or code in any table but vault_secrets, nor in any log line', async () => {
    const { recordId, attemptId } = await start();
    await receiveSessionInfo(t.deps, attemptId, finish({ waba_id: LS.wabaId, phone_number_id: LS.phoneNumberId, business_id: LS.businessId }));
    const code = t.mint({ businessId: LS.businessId, wabaId: LS.wabaId, phoneNumberId: LS.phoneNumberId });
    expect((await receiveCode(t.deps, attemptId, code, '10222270944537964')).state).toBe('connected');
    const token = await t.secret(recordId, 'waba_token');
    const pin = await t.secret(recordId, 'registration_pin');
    expect(token).toMatch(/^EAA/);
    const rows = await t.everyRowButVault();
    const logs = t.h.logs.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    for (const canary of [token, code, pin, t.h.clientOptions.appSecret]) {
      expect(rows).not.toContain(canary);
      expect(logs).not.toContain(canary);
    }
    // the PIN is six digits: also make sure it is not stored as a number-like value in any JSON detail
    expect(rows).not.toMatch(new RegExp(`"${pin}"`));
  });

  it('override: set in a separate call only when configured; its verify token is stored nowhere', async () => {
    const verifyToken = 'override-verify-canary-5e1d';
    const deps = { ...t.deps, webhookOverride: { callbackUri: 'https://crm.example.test/webhooks/whatsapp', verifyToken } };
    const { recordId, attemptId } = await start();
    await receiveSessionInfo(deps, attemptId, finish({ waba_id: LS.wabaId, phone_number_id: LS.phoneNumberId, business_id: LS.businessId }));
    expect((await receiveCode(deps, attemptId, t.mint({ businessId: LS.businessId, wabaId: LS.wabaId, phoneNumberId: LS.phoneNumberId }))).state).toBe('connected');
    expect((await t.read(recordId)).step.get('override')!.status).toBe('succeeded');
    expect([...t.h.sim.world.wabas.get(LS.wabaId)!.subscriptions.values()][0]).toMatchObject({ overrideCallbackUri: 'https://crm.example.test/webhooks/whatsapp' });
    expect(await t.everyRowButVault()).not.toContain(verifyToken);
    expect(t.h.logs.join('\n')).not.toContain(verifyToken);
  });
});
