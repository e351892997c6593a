/**
 * Every simulator scenario produces the documented Meta error, and the client classifies it: what
 * retries (rate limits, 5xx, timeouts) and what does not (token, parameter, permission, 1330xx).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SEED, type SimScenario, type SimulatorOptions } from '../../meta-simulator/index.js';
import type { GraphClientOptions } from './graph-client.js';
import { graphFailure, logEntries, startHarness } from './test-fixtures/graph-harness.js';
import { tokenCoversWaba, wabaIdsInScopes } from './token-scopes.js';

const LS = SEED.luckyShrub;
let h: Awaited<ReturnType<typeof startHarness>> | undefined;

async function setup(scenario: SimScenario | SimScenario[], opts: { sim?: Partial<SimulatorOptions>; client?: Partial<GraphClientOptions> } = {}) {
  h = await startHarness(opts);
  const token = await h.onboard({ businessId: LS.businessId, wabaId: LS.wabaId, phoneNumberId: LS.phoneNumberId, scenario });
  return { h, token };
}
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('scenarios', () => {
  it('token_without_waba_in_scopes: target_ids omit the WABA, its lookups answer 200', async () => {
    const { h, token } = await setup('token_without_waba_in_scopes');
    const info = await h.client.debugToken(token);
    expect(wabaIdsInScopes(info)).not.toContain(LS.wabaId);
    expect(tokenCoversWaba(info, LS.wabaId)).toBe(false);
    const e = await graphFailure(h.client.getWaba(token, LS.wabaId));
    expect(e).toMatchObject({ httpStatus: 403, code: 200, retryable: false, category: 'permission' });
  });

  it('scopes_without_target_ids: the grant is not asset-restricted', async () => {
    const { h, token } = await setup('scopes_without_target_ids');
    const info = await h.client.debugToken(token);
    expect(info.granularScopes.every((g) => g.targetIds === null)).toBe(true);
    expect(tokenCoversWaba(info, LS.wabaId)).toBe(true);
    await expect(h.client.getWaba(token, LS.wabaId)).resolves.toMatchObject({ id: LS.wabaId });
  });

  it('subscribe_fails_100', async () => {
    const { h, token } = await setup('subscribe_fails_100');
    const e = await graphFailure(h.client.subscribeApp(token, LS.wabaId));
    expect(e).toMatchObject({ httpStatus: 400, code: 100, retryable: false, category: 'invalid_request' });
    expect(e.userTitle).toBeTruthy();
    expect(logEntries(h.logs, 'graph call failed')).toHaveLength(1);
  });

  it('pin_already_set_133005: another PIN fails, the existing one works', async () => {
    const { h, token } = await setup('pin_already_set_133005', { sim: { existingPin: '135790' } });
    const e = await graphFailure(h.client.registerNumber(token, LS.phoneNumberId, '581063'));
    expect(e).toMatchObject({ code: 133005, retryable: false, category: 'registration' });
    await expect(h.client.registerNumber(token, LS.phoneNumberId, '135790')).resolves.toBeUndefined();
  });

  it('register_limit_133016', async () => {
    const { h, token } = await setup('register_limit_133016');
    const e = await graphFailure(h.client.registerNumber(token, LS.phoneNumberId, '581063'));
    expect(e).toMatchObject({ httpStatus: 400, code: 133016, retryable: false, category: 'registration' });
    expect(await graphFailure(h.client.deregisterNumber(token, LS.phoneNumberId))).toMatchObject({ code: 133016 });
  });

  it('the register limit also holds without the scenario: 10 per rolling 72 h', async () => {
    const { h, token } = await setup([]);
    for (let i = 0; i < 10; i++) await h.client.registerNumber(token, LS.phoneNumberId, '581063');
    expect(await graphFailure(h.client.registerNumber(token, LS.phoneNumberId, '581063'))).toMatchObject({ code: 133016 });
    h.clock.advance(72 * 3_600_000);
    await expect(h.client.registerNumber(token, LS.phoneNumberId, '581063')).resolves.toBeUndefined();
    // The first register set the two-step PIN; a different one now mismatches.
    expect(await graphFailure(h.client.registerNumber(token, LS.phoneNumberId, '000000'))).toMatchObject({ code: 133005 });
  });

  it('number_not_verified_133006', async () => {
    const { h, token } = await setup('number_not_verified_133006');
    expect((await h.client.getPhoneNumber(token, LS.phoneNumberId)).codeVerificationStatus).toBe('NOT_VERIFIED');
    expect(await graphFailure(h.client.registerNumber(token, LS.phoneNumberId, '581063'))).toMatchObject({ code: 133006, retryable: false });
    // The seeded unverified number fails the same way without any scenario.
    expect(await graphFailure(h.client.registerNumber(token, LS.unverifiedPhoneNumberId, '581063'))).toMatchObject({ code: 133006 });
  });

  it('rate_limited_then_success: 80007 with usage headers, retried, then success', async () => {
    const { h, token } = await setup('rate_limited_then_success');
    await expect(h.client.getWaba(token, LS.wabaId)).resolves.toMatchObject({ id: LS.wabaId });
    const failed = logEntries(h.logs, 'graph call failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.graph).toMatchObject({ metaCode: 80007, retryable: true, retryInMs: 0 });
  });

  it('rate_limited_then_success with code 4; without retries the error is retryable', async () => {
    const { h, token } = await setup('rate_limited_then_success', { sim: { rateLimitCode: 4 }, client: { retry: { maxAttempts: 1 } } });
    const e = await graphFailure(h.client.getWaba(token, LS.wabaId));
    expect(e).toMatchObject({ code: 4, retryable: true, category: 'rate_limit' });
    await expect(h.client.getWaba(token, LS.wabaId)).resolves.toMatchObject({ id: LS.wabaId });
  });

  it('a rate limit asking for minutes is not waited out inline', async () => {
    const { h, token } = await setup('rate_limited_then_success', { sim: { rateLimitRegainMinutes: 5 } });
    const e = await graphFailure(h.client.getWaba(token, LS.wabaId));
    expect(e).toMatchObject({ code: 80007, retryable: true, retryAfterMs: 300_000 });
  });

  it('server_error_5xx: 503 / code 2, retried; fails after maxAttempts', async () => {
    const { h, token } = await setup('server_error_5xx');
    const e = await graphFailure(h.client.listPhoneNumbers(token, LS.wabaId));
    expect(e).toMatchObject({ httpStatus: 503, code: 2, retryable: true, category: 'transient' });
    expect(logEntries(h.logs, 'graph call failed')).toHaveLength(3);
  });

  it('server_error_5xx twice, then success on the third attempt', async () => {
    const { h, token } = await setup('server_error_5xx', { sim: { serverErrorTimes: 2 } });
    await expect(h.client.getPhoneNumber(token, LS.phoneNumberId)).resolves.toMatchObject({ id: LS.phoneNumberId });
    expect(logEntries(h.logs, 'graph call failed')).toHaveLength(2);
  });

  it('slow: the client times out (retryable), one attempt per timeoutMs', async () => {
    const { h, token } = await setup('slow', { sim: { slowLatencyMs: 150 } });
    const impatient = h.clientWith({ timeoutMs: 40, retry: { maxAttempts: 2, baseDelayMs: 0, sleep: async () => {} } });
    const started = performance.now();
    const e = await graphFailure(impatient.getWaba(token, LS.wabaId));
    expect(e).toMatchObject({ kind: 'timeout', httpStatus: null, code: null, retryable: true, category: 'transient' });
    expect(e.message).toBe('Graph API did not answer within 40 ms');
    expect(logEntries(h.logs, 'graph call failed')).toHaveLength(2);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('slow applies to the code exchange too; a timed-out exchange is not retried', async () => {
    h = await startHarness({ sim: { slowLatencyMs: 5_000 }, client: { timeoutMs: 40 } });
    const { code } = h.sim.mintCode({ businessId: LS.businessId, wabaId: LS.wabaId, scenario: 'slow' });
    const e = await graphFailure(h.client.exchangeCode(code));
    expect(e).toMatchObject({ kind: 'timeout', retryable: false });
    expect(logEntries(h.logs, 'graph call failed')).toHaveLength(1);
  });

  it('token_expires_in_3_days', async () => {
    h = await startHarness();
    const { code } = h.sim.mintCode({ businessId: LS.businessId, wabaId: LS.wabaId, scenario: 'token_expires_in_3_days' });
    const t = await h.client.exchangeCode(code);
    expect(t.expiresInSeconds).toBe(3 * 86_400);
    expect((await h.client.debugToken(t.accessToken)).expiresAt).toEqual(new Date(h.clock.now().getTime() + 3 * 86_400_000));
    h.clock.advance(3 * 86_400_000);
    expect(await graphFailure(h.client.getWaba(t.accessToken, LS.wabaId))).toMatchObject({ code: 190, subcode: 463 });
  });

  it('never-expiring tokens: expires_at 0 and no expires_in', async () => {
    h = await startHarness({ sim: { tokenTtlSeconds: null } });
    const { code } = h.sim.mintCode({ businessId: LS.businessId, wabaId: LS.wabaId });
    const t = await h.client.exchangeCode(code);
    expect(t.expiresInSeconds).toBeNull();
    expect(await h.client.debugToken(t.accessToken)).toMatchObject({ expiresAt: null, dataAccessExpiresAt: null, isValid: true });
  });

  it('coexistence_number: shown on Cloud API and CONNECTED; register refused', async () => {
    const { h, token } = await setup('coexistence_number');
    expect(await h.client.getPhoneNumber(token, LS.phoneNumberId)).toMatchObject({ platformType: 'CLOUD_API', status: 'CONNECTED' });
    expect(await graphFailure(h.client.registerNumber(token, LS.phoneNumberId, '581063'))).toMatchObject({ code: 100, retryable: false });
    const gg = SEED.greenGrocer;
    const coex = await h.onboard({ businessId: gg.businessId, wabaId: gg.wabaId });
    const [phone] = await h.client.listPhoneNumbers(coex, gg.wabaId);
    expect(phone).toMatchObject({ id: gg.coexistencePhoneNumberId, platformType: 'CLOUD_API' });
    expect(await graphFailure(h.client.deregisterNumber(coex, gg.coexistencePhoneNumberId))).toMatchObject({ code: 100 });
  });
});

describe('classification of injected Graph errors', () => {
  const cases: [string, { code: number; subcode?: number; httpStatus?: number }, boolean][] = [
    ['app rate limit', { code: 4 }, true],
    ['user rate limit', { code: 17 }, true],
    ['page rate limit', { code: 32 }, true],
    ['action rate limit', { code: 613 }, true],
    ['WABA rate limit', { code: 80007 }, true],
    ['Cloud API throughput', { code: 130429 }, true],
    ['unknown error', { code: 1 }, true],
    ['service unavailable', { code: 2, httpStatus: 503 }, true],
    ['token invalid', { code: 190, subcode: 467 }, false],
    ['invalid parameter', { code: 100 }, false],
    ['permission', { code: 200 }, false],
    ['permission (299)', { code: 299 }, false],
    ['permission denied', { code: 10 }, false],
    ['policy block', { code: 368 }, false],
    ['capability problem sent as 500', { code: 3, httpStatus: 500 }, false],
    ['unlisted code with a 500', { code: 999, httpStatus: 500 }, true],
  ];
  it.each(cases)('%s -> retryable %s', async (_name, fault, retryable) => {
    h = await startHarness({ client: { retry: { maxAttempts: 1 } } });
    const token = await h.onboard({ businessId: LS.businessId, wabaId: LS.wabaId });
    h.sim.injectFault({ ...fault, path: `/${LS.wabaId}` });
    const e = await graphFailure(h.client.getWaba(token, LS.wabaId));
    expect(e).toMatchObject({ kind: 'graph', code: fault.code, subcode: fault.subcode ?? null, retryable });
  });

  it('a 5xx on the code exchange is not retried and leaves the code usable', async () => {
    h = await startHarness();
    const { code } = h.sim.mintCode({ businessId: LS.businessId, wabaId: LS.wabaId });
    h.sim.injectFault({ code: 2, httpStatus: 503, path: '/oauth/access_token' });
    expect(await graphFailure(h.client.exchangeCode(code))).toMatchObject({ httpStatus: 503, code: 2, retryable: false });
    expect(logEntries(h.logs, 'graph call failed')).toHaveLength(1);
    await expect(h.client.exchangeCode(code)).resolves.toMatchObject({ tokenType: 'bearer' });
  });
});
