/**
 * The Graph client against the simulator over real HTTP: the onboarding happy path, and the code
 * exchange and token failures Meta documents.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SEED, startMetaSimulator } from '../../meta-simulator/index.js';
import { APP_ID, APP_SECRET, graphFailure, logEntries, startHarness } from './test-fixtures/graph-harness.js';
import { tokenCoversWaba, wabaIdsInScopes } from './token-scopes.js';

const LS = SEED.luckyShrub;
let h: Awaited<ReturnType<typeof startHarness>>;

beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

describe('Graph client: happy path', () => {
  it('mint -> exchange -> debug_token -> lookups -> subscribe -> register', async () => {
    const { code } = h.sim.mintCode({ businessId: LS.businessId, wabaId: LS.wabaId, phoneNumberId: LS.phoneNumberId, userId: '10222270944537964' });
    const exchanged = await h.client.exchangeCode(code);
    expect(exchanged.tokenType).toBe('bearer');
    expect(exchanged.expiresInSeconds).toBe(60 * 86_400);
    const token = exchanged.accessToken;

    const info = await h.client.debugToken(token);
    expect(info).toMatchObject({ appId: APP_ID, type: 'SYSTEM_USER', isValid: true, error: null });
    expect(info.expiresAt).toEqual(new Date(h.clock.now().getTime() + 60 * 86_400_000));
    expect(info.issuedAt).toEqual(h.clock.now());
    expect(info.scopes).toContain('whatsapp_business_management');
    expect(wabaIdsInScopes(info)).toEqual([LS.wabaId]);
    expect(tokenCoversWaba(info, LS.wabaId)).toBe(true);
    expect(typeof info.userId).toBe('string');

    const waba = await h.client.getWaba(token, LS.wabaId);
    expect(waba).toMatchObject({ id: LS.wabaId, name: 'Lucky Shrub', currency: 'USD', accountReviewStatus: 'APPROVED', country: 'US' });

    const phones = await h.client.listPhoneNumbers(token, LS.wabaId);
    expect(phones.map((p) => p.id)).toEqual([LS.phoneNumberId, LS.unverifiedPhoneNumberId]);
    expect(phones[0]).toMatchObject({ displayPhoneNumber: '+1 555-078-3881', verifiedName: 'Lucky Shrub', codeVerificationStatus: 'VERIFIED', qualityRating: 'GREEN' });

    const before = await h.client.getPhoneNumber(token, LS.phoneNumberId);
    expect(before).toMatchObject({ id: LS.phoneNumberId, platformType: 'NOT_APPLICABLE', throughputLevel: 'STANDARD', nameStatus: 'APPROVED' });

    const biz = await h.client.getBusiness(token, LS.businessId);
    expect(biz).toMatchObject({ id: LS.businessId, name: 'Lucky Shrub', timezoneId: '1' });

    await h.client.subscribeApp(token, LS.wabaId);
    expect(await h.client.listSubscribedApps(token, LS.wabaId)).toEqual([{ appId: APP_ID, appName: 'CRM Console (sandbox)', overrideCallbackUri: null }]);
    await h.client.subscribeApp(token, LS.wabaId, { callbackUri: 'https://crm.example.com/webhooks/whatsapp', verifyToken: 'verify-me-123' });
    expect((await h.client.listSubscribedApps(token, LS.wabaId))[0]?.overrideCallbackUri).toBe('https://crm.example.com/webhooks/whatsapp');

    await h.client.registerNumber(token, LS.phoneNumberId, '581063');
    const after = await h.client.getPhoneNumber(token, LS.phoneNumberId);
    expect(after).toMatchObject({ status: 'CONNECTED', platformType: 'CLOUD_API' });
    expect(after.webhookConfiguration?.wabaOverride).toBe('https://crm.example.com/webhooks/whatsapp');

    await h.client.deregisterNumber(token, LS.phoneNumberId);
    await h.client.unsubscribeApp(token, LS.wabaId);
    expect(await h.client.listSubscribedApps(token, LS.wabaId)).toEqual([]);
    expect(logEntries(h.logs, 'graph call failed')).toEqual([]);
  });

  it('keeps ids above 2^53 exact and reads a WABA with several numbers', async () => {
    const jm = SEED.jaspersMarket;
    const token = await h.onboard({ businessId: jm.businessId, wabaId: jm.euWabaId });
    const waba = await h.client.getWaba(token, jm.euWabaId);
    expect(waba.id).toBe('10593849201948573');
    const info = await h.client.debugToken(token);
    expect(wabaIdsInScopes(info)).toEqual(['10593849201948573']);
    const us = await h.onboard({ businessId: jm.businessId, wabaId: jm.usWabaId });
    expect((await h.client.listPhoneNumbers(us, jm.usWabaId)).map((p) => p.id)).toEqual([...jm.usPhoneNumberIds]);
  });

  it('follows phone_numbers paging', async () => {
    const jm = SEED.jaspersMarket;
    const token = await h.onboard({ businessId: jm.businessId, wabaId: jm.usWabaId });
    // The simulator pages at `limit`; ask it for pages of 1 through a fetch that rewrites the limit.
    const paged = h.clientWith({ fetch: (url, init) => fetch(String(url).replace('limit=100', 'limit=1'), init) });
    expect((await paged.listPhoneNumbers(token, jm.usWabaId)).map((p) => p.id)).toEqual([...jm.usPhoneNumberIds]);
  });
});

describe('Graph client: the code exchange', () => {
  const mint = () => h.sim.mintCode({ businessId: LS.businessId, wabaId: LS.wabaId }).code;

  it('refuses an expired code with 100/36007 and does not retry', async () => {
    const code = mint();
    h.clock.advance(30_000);
    const e = await graphFailure(h.client.exchangeCode(code));
    expect(e).toMatchObject({ kind: 'graph', httpStatus: 400, code: 100, subcode: 36007, type: 'OAuthException', retryable: false, category: 'code_exchange' });
    expect(e.fbtraceId).toMatch(/^A[\w-]{22}$/);
    expect(logEntries(h.logs, 'graph call failed')).toHaveLength(1);
  });

  it('accepts a code 29 s old', async () => {
    const code = mint();
    h.clock.advance(29_000);
    await expect(h.client.exchangeCode(code)).resolves.toMatchObject({ tokenType: 'bearer' });
  });

  it('refuses a reused code with 100/36009', async () => {
    const code = mint();
    await h.client.exchangeCode(code);
    const e = await graphFailure(h.client.exchangeCode(code));
    expect(e).toMatchObject({ code: 100, subcode: 36009, retryable: false, category: 'code_exchange' });
  });

  it('refuses a foreign or malformed code with 100', async () => {
    const other = await startMetaSimulator({ appId: APP_ID, appSecret: APP_SECRET });
    try {
      const foreign = other.simulator.mintCode({ businessId: LS.businessId, wabaId: LS.wabaId }).code;
      for (const code of [foreign, 'AQDnot-a-real-code']) {
        const e = await graphFailure(h.client.exchangeCode(code));
        expect(e).toMatchObject({ code: 100, subcode: null, retryable: false, category: 'invalid_request' });
      }
    } finally {
      await other.close();
    }
  });

  it('100/36008 when redirect_uri differs from the one the code was minted with', async () => {
    const withUri = h.clientWith({ redirectUri: 'https://crm.example.com/onboard/callback' });
    expect(await graphFailure(withUri.exchangeCode(mint()))).toMatchObject({ code: 100, subcode: 36008 });
    const minted = h.sim.mintCode({ businessId: LS.businessId, wabaId: LS.wabaId, redirectUri: 'https://crm.example.com/onboard/callback' }).code;
    await expect(withUri.exchangeCode(minted)).resolves.toMatchObject({ tokenType: 'bearer' });
    const other = h.sim.mintCode({ businessId: LS.businessId, wabaId: LS.wabaId, redirectUri: 'https://crm.example.com/x' }).code;
    expect(await graphFailure(h.client.exchangeCode(other))).toMatchObject({ code: 100, subcode: 36008 });
  });

  it('101 for a wrong client_id, 1 for a wrong secret; neither is retried', async () => {
    expect(await graphFailure(h.clientWith({ appId: '111111111111111' }).exchangeCode(mint()))).toMatchObject({ code: 101, retryable: false });
    const e = await graphFailure(h.clientWith({ appSecret: 'another-secret-0000000000' }).exchangeCode(mint()));
    // Code 1 is "transient" in general, but a code exchange is never retried.
    expect(e).toMatchObject({ code: 1, message: 'Error validating client secret.', retryable: false });
  });
});

describe('Graph client: business token failures', () => {
  const onboardLs = () => h.onboard({ businessId: LS.businessId, wabaId: LS.wabaId, phoneNumberId: LS.phoneNumberId });

  it('190/463 once the token expired; debug_token says is_valid false', async () => {
    const token = await onboardLs();
    h.clock.advance(60 * 86_400_000);
    const e = await graphFailure(h.client.getWaba(token, LS.wabaId));
    expect(e).toMatchObject({ httpStatus: 401, code: 190, subcode: 463, retryable: false, category: 'token' });
    const info = await h.client.debugToken(token);
    expect(info.isValid).toBe(false);
    expect(info.error).toMatchObject({ code: 190, subcode: 463 });
  });

  it('190 with the revocation subcode after the admin hook revokes it', async () => {
    const token = await onboardLs();
    expect(h.sim.revokeTokens({ wabaId: LS.wabaId }, 'password_changed')).toBe(1);
    expect(await graphFailure(h.client.getPhoneNumber(token, LS.phoneNumberId))).toMatchObject({ code: 190, subcode: 460, category: 'token' });
    expect((await h.client.debugToken(token)).error).toMatchObject({ code: 190, subcode: 460 });
  });

  it('190 for a token Meta never issued; debug_token answers is_valid false', async () => {
    expect(await graphFailure(h.client.getWaba('EAAnot-a-token', LS.wabaId))).toMatchObject({ code: 190, subcode: null, retryable: false });
    expect(await h.client.debugToken('EAAnot-a-token')).toMatchObject({ isValid: false, error: { code: 190 } });
  });

  it('100/33 for an object that does not exist; 200 for one the grant does not cover', async () => {
    const token = await onboardLs();
    expect(await graphFailure(h.client.getWaba(token, '999999999999999'))).toMatchObject({ code: 100, subcode: 33, type: 'GraphMethodException', retryable: false });
    const e = await graphFailure(h.client.getWaba(token, SEED.jaspersMarket.usWabaId));
    expect(e).toMatchObject({ httpStatus: 403, code: 200, retryable: false, category: 'permission' });
  });

  it('refuses a non-numeric id before sending anything', async () => {
    const e = await graphFailure(h.client.getWaba('EAAx', '../oauth/access_token'));
    expect(e).toMatchObject({ kind: 'invalid_argument', retryable: false, category: 'invalid_request' });
    expect(h.logs).toEqual([]);
  });
});
