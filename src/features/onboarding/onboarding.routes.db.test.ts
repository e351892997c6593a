/**
 * Staff connect over the API: start an attempt, hand in the code (exchanged at once against a real
 * simulator over HTTP), hand in the session info, read the record — and nothing secret in any answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.js';
import { SEED, startMetaSimulator, type RunningSimulator } from '../../meta-simulator/index.js';
import { buildTestApp, createUser, sameOrigin, signInCookie, type TestApp } from '../../test-support/test-app.js';
import { useTestDatabase } from '../../test-support/test-db.js';
import { metaAppOf } from '../sandbox/sandbox-meta.js';
import { loadKeyRing } from '../vault/keyring.js';

const tdb = useTestDatabase();
let t: TestApp;
let sim: RunningSimulator;
let cookie: string;
const KEY = Buffer.alloc(32, 7).toString('base64');

beforeAll(async () => {
  // the app's sandbox Meta app (same derivation as the app), served by a standalone simulator
  const config = loadConfig({ DATA_DIR: '/nonexistent-test-data', ENCRYPTION_KEY: KEY });
  const meta = metaAppOf(config, loadKeyRing({ key: KEY, dataDir: config.dataDir, embedded: false }));
  sim = await startMetaSimulator({ appId: meta.appId, appSecret: meta.appSecret });
  t = await buildTestApp(tdb.current.database, { env: { META_GRAPH_URL: sim.url } });
  cookie = await signInCookie(t, (await createUser(tdb.current.database, 'admin')).email);
});
afterAll(async () => {
  await t.app.close();
  await sim.close();
});

const post = (url: string, payload?: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url, headers: { ...sameOrigin, cookie }, ...(payload ? { payload } : {}) });

describe('onboarding API (staff connect)', () => {
  it('connects a WABA: FINISH, then the code; the record shows the phone number and no secret', async () => {
    const start = await post('/api/v1/onboarding/attempts');
    expect(start.statusCode).toBe(201);
    const { attemptId, recordId } = start.json();
    const { code } = sim.simulator.mintCode({ businessId: SEED.luckyShrub.businessId, wabaId: SEED.luckyShrub.wabaId, phoneNumberId: SEED.luckyShrub.phoneNumberId });
    const session = await post(`/api/v1/onboarding/attempts/${attemptId}/session`, {
      type: 'WA_EMBEDDED_SIGNUP',
      event: 'FINISH',
      data: { waba_id: SEED.luckyShrub.wabaId, phone_number_id: SEED.luckyShrub.phoneNumberId, business_id: SEED.luckyShrub.businessId },
      version: 3,
    });
    expect(session.statusCode).toBe(200);
    const res = await post(`/api/v1/onboarding/attempts/${attemptId}/code`, { code });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ recordId, state: 'connected' });
    const again = await post(`/api/v1/onboarding/attempts/${attemptId}/code`, { code });
    expect(again.statusCode).toBe(409);

    const viewer = await signInCookie(t, (await createUser(tdb.current.database, 'viewer')).email);
    const detail = await t.app.inject({ url: `/api/v1/onboarding/${recordId}`, headers: { cookie: viewer } });
    expect(detail.statusCode).toBe(200);
    const body = detail.json();
    expect(body.record).toMatchObject({ state: 'connected', wabaId: SEED.luckyShrub.wabaId, businessId: SEED.luckyShrub.businessId });
    expect(body.phoneNumbers.map((p: { phoneNumberId: string }) => p.phoneNumberId)).toContain(SEED.luckyShrub.phoneNumberId);
    expect(body.steps.map((s: { step: string }) => s.step)).toEqual(expect.arrayContaining(['exchange', 'verify', 'lookup', 'subscribe', 'register']));
    expect(detail.body).not.toContain(code);
    expect(detail.body).not.toMatch(/access_token|accessToken|"pin"/i);
  });

  it('records an abandoned attempt with Meta’s step', async () => {
    const { attemptId, recordId } = (await post('/api/v1/onboarding/attempts')).json();
    const res = await post(`/api/v1/onboarding/attempts/${attemptId}/session`, { event: 'CANCEL', data: { current_step: 'PHONE_NUMBER_SETUP' } });
    expect(res.json()).toMatchObject({ recordId, state: 'abandoned' });
    const detail = (await t.app.inject({ url: `/api/v1/onboarding/${recordId}`, headers: { cookie } })).json();
    expect(detail.record.abandonedStep).toBe('PHONE_NUMBER_SETUP');
  });

  it('names the field of bad input and 404s unknown attempts', async () => {
    const empty = await post('/api/v1/onboarding/attempts/abcdefgh12/code', { code: '' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().errors[0].path).toBe('code');
    const unknown = await post('/api/v1/onboarding/attempts/abcdefgh12/code', { code: 'AQzzzz' });
    expect(unknown.statusCode).toBe(404);
    const pin = await post(`/api/v1/onboarding/00000000-0000-4000-8000-000000000000/pin`, { pin: '12' });
    expect(pin.json().errors[0].path).toBe('pin');
    const event = await post('/api/v1/onboarding/attempts/abcdefgh12/session', { event: 'NOPE' });
    expect(event.json().errors[0].path).toBe('event');
  });
});
