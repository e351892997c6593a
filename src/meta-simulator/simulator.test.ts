/**
 * The simulator on the wire, without our client: Meta's envelope, statuses and headers, versions,
 * `fields`, paging, parameter styles, admin hooks, mounting under a prefix, configurable behaviours.
 */
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { manualClock } from '../lib/clock.js';
import { createMetaSimulator, registerSimulatorRoutes, SEED, SimulatorInputError, startMetaSimulator, type SimulatorOptions } from './index.js';

const APP_ID = '670843887433847';
const APP_SECRET = 'sim-test-secret-0123456789';
const LS = SEED.luckyShrub;
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function start(o: Partial<SimulatorOptions> = {}) {
  const clock = manualClock(new Date('2026-03-02T10:00:00Z'));
  const s = await startMetaSimulator({ appId: APP_ID, appSecret: APP_SECRET, now: clock.now, ...o });
  close = s.close;
  const call = async (path: string, init: RequestInit & { token?: string } = {}) => {
    const headers = new Headers(init.headers);
    if (init.token) headers.set('authorization', `Bearer ${init.token}`);
    const res = await fetch(`${s.url}${path}`, { ...init, headers });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, any> };
  };
  const exchange = async (code: string) =>
    (await call(`/v25.0/oauth/access_token?client_id=${APP_ID}&client_secret=${APP_SECRET}&code=${encodeURIComponent(code)}`)).body;
  const onboard = async (scenario?: Parameters<typeof s.simulator.mintCode>[0]['scenario']) =>
    (await exchange(s.simulator.mintCode({ businessId: LS.businessId, wabaId: LS.wabaId, scenario }).code)).access_token as string;
  return { ...s, clock, call, exchange, onboard };
}

describe('Meta simulator over HTTP', () => {
  it('answers bad tokens with the 190 envelope, WWW-Authenticate and a trace id', async () => {
    const s = await start();
    const r = await s.call(`/v25.0/${LS.wabaId}`, { token: 'EAAbogus' });
    expect(r.status).toBe(401);
    expect(Object.keys(r.body.error).sort()).toEqual(['code', 'fbtrace_id', 'message', 'type']);
    expect(r.body.error).toMatchObject({ code: 190, type: 'OAuthException' });
    expect(r.headers.get('www-authenticate')).toMatch(/^OAuth "Facebook Platform" "invalid_token"/);
    expect(r.headers.get('x-fb-trace-id')).toBe(r.body.error.fbtrace_id);
    expect((await s.call(`/v25.0/${LS.wabaId}`)).body.error.code).toBe(104);
  });

  it('accepts any vNN.0 and refuses other version segments', async () => {
    const s = await start();
    const token = await s.onboard();
    for (const v of ['v18.0', 'v25.0', 'v99.0']) expect((await s.call(`/${v}/${LS.wabaId}`, { token })).status).toBe(200);
    expect((await s.call(`/latest/${LS.wabaId}`, { token })).body.error).toMatchObject({ code: 2500 });
    expect((await s.call(`/v25.0/${LS.wabaId}/no_such_edge/x`, { token })).body.error).toMatchObject({ code: 100, type: 'GraphMethodException' });
  });

  it('honours fields, takes the token as access_token too, and pages phone_numbers', async () => {
    const s = await start();
    const token = await s.onboard();
    expect((await s.call(`/v25.0/${LS.wabaId}`, { token })).body).toEqual({ id: LS.wabaId, name: 'Lucky Shrub' });
    expect((await s.call(`/v25.0/${LS.wabaId}?fields=currency&access_token=${token}`)).body).toEqual({ currency: 'USD', id: LS.wabaId });
    expect((await s.call(`/v25.0/${LS.phoneNumberId}?fields=status`, { token })).body).toEqual({ status: 'PENDING', id: LS.phoneNumberId });
    expect((await s.call(`/v25.0/${LS.wabaId}?fields=bogus`, { token })).body.error.message).toContain('nonexisting field (bogus)');
    const first = await s.call(`/v25.0/${LS.wabaId}/phone_numbers?limit=1`, { token });
    expect(first.body.data).toHaveLength(1);
    expect(first.body.paging.next).toContain('after=');
    const second = await s.call(`/v25.0/${LS.wabaId}/phone_numbers?limit=1&after=${first.body.paging.cursors.after}`, { token });
    expect(second.body.data[0].id).toBe(LS.unverifiedPhoneNumberId);
    expect(second.body.paging.next).toBeUndefined();
  });

  it('debug_token: app token auth (param or header), SYSTEM_USER data, unknown tokens invalid', async () => {
    const s = await start();
    const token = await s.onboard();
    const r = await s.call(`/v25.0/debug_token?input_token=${token}&access_token=${APP_ID}|${APP_SECRET}`);
    expect(r.body.data).toMatchObject({ app_id: APP_ID, type: 'SYSTEM_USER', is_valid: true, expires_at: expect.any(Number), issued_at: expect.any(Number) });
    expect(r.body.data.granular_scopes[0]).toEqual({ scope: 'whatsapp_business_management', target_ids: [LS.wabaId] });
    expect((await s.call(`/v25.0/debug_token?input_token=EAAx`, { token: `${APP_ID}|${APP_SECRET}` })).body.data).toMatchObject({ is_valid: false, error: { code: 190 } });
    expect((await s.call(`/v25.0/debug_token?input_token=${token}`)).body.error.code).toBe(100);
    expect((await s.call(`/v25.0/debug_token?input_token=${token}`, { token: `${APP_ID}|wrong` })).body.error.code).toBe(190);
  });

  it('rate limits carry X-App-Usage and X-Business-Use-Case-Usage keyed by the WABA', async () => {
    const s = await start({ rateLimitRegainMinutes: 2 });
    const token = await s.onboard('rate_limited_then_success');
    const r = await s.call(`/v25.0/${LS.wabaId}`, { token });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 80007, is_transient: true });
    expect(JSON.parse(r.headers.get('x-app-usage') ?? '{}')).toMatchObject({ call_count: 100 });
    const buc = JSON.parse(r.headers.get('x-business-use-case-usage') ?? '{}');
    expect(buc[LS.wabaId][0]).toMatchObject({ type: 'whatsapp_business_management', estimated_time_to_regain_access: 2 });
    expect((await s.call(`/v25.0/${LS.wabaId}`, { token })).status).toBe(200);
  });

  it('takes form-encoded bodies and checks register and override parameters', async () => {
    const s = await start();
    const token = await s.onboard();
    const form = (body: string) => ({ method: 'POST', token, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect((await s.call(`/v25.0/${LS.phoneNumberId}/register`, form('messaging_product=whatsapp&pin=12345'))).body.error.code).toBe(100);
    expect((await s.call(`/v25.0/${LS.phoneNumberId}/register`, form('pin=123456'))).body.error.message).toContain('messaging_product');
    expect((await s.call(`/v25.0/${LS.phoneNumberId}/register`, form('messaging_product=whatsapp&pin=123456'))).body).toEqual({ success: true });
    expect((await s.call(`/v25.0/${LS.wabaId}/subscribed_apps`, form('override_callback_uri=https://x.example/cb'))).body.error.message).toContain('verify_token');
    expect((await s.call(`/v25.0/${LS.wabaId}/subscribed_apps`, { method: 'POST', token })).body).toEqual({ success: true });
  });

  it('admin hooks: latency, injected faults, revocation', async () => {
    const s = await start();
    const token = await s.onboard();
    s.simulator.setLatency(30);
    const t0 = performance.now();
    await s.call(`/v25.0/${LS.wabaId}`, { token });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
    s.simulator.setLatency(0);
    s.simulator.injectFault({ code: 131000, httpStatus: 500, times: 2, method: 'GET' });
    expect((await s.call(`/v25.0/${LS.wabaId}`, { token })).status).toBe(500);
    expect((await s.call(`/v25.0/${LS.wabaId}`, { token })).status).toBe(500);
    expect((await s.call(`/v25.0/${LS.wabaId}`, { token })).status).toBe(200);
    expect(s.simulator.revokeTokens({ businessId: LS.businessId }, 'invalidated')).toBe(1);
    expect((await s.call(`/v25.0/${LS.wabaId}`, { token })).body.error).toMatchObject({ code: 190, error_subcode: 467 });
  });

  it('configurable unconfirmed behaviours', async () => {
    const s = await start({ unconfirmed: { uncoveredAssetError: 'unsupported_100_33', businessNodeReadable: false, debugTokenUserId: 'person', includeIssuedAt: false } });
    const { code } = s.simulator.mintCode({ businessId: LS.businessId, wabaId: LS.wabaId, userId: '10222270944537964' });
    const token = (await s.exchange(code)).access_token as string;
    expect((await s.call(`/v25.0/${SEED.jaspersMarket.usWabaId}`, { token })).body.error).toMatchObject({ code: 100, error_subcode: 33 });
    expect((await s.call(`/v25.0/${LS.businessId}`, { token })).body.error).toMatchObject({ code: 100, error_subcode: 33 });
    const d = (await s.call(`/v25.0/debug_token?input_token=${token}`, { token: `${APP_ID}|${APP_SECRET}` })).body.data;
    expect(d.user_id).toBe('10222270944537964');
    expect(d.issued_at).toBeUndefined();
  });
});

describe('Meta simulator state', () => {
  it('validates mintCode input', () => {
    const sim = createMetaSimulator({ appId: APP_ID, appSecret: APP_SECRET });
    expect(() => sim.mintCode({ businessId: '1', wabaId: LS.wabaId })).toThrow(SimulatorInputError);
    expect(() => sim.mintCode({ businessId: LS.businessId, wabaId: SEED.jaspersMarket.usWabaId })).toThrow('wabaId');
    expect(() => sim.mintCode({ businessId: LS.businessId, wabaId: LS.wabaId, phoneNumberId: SEED.jaspersMarket.euPhoneNumberId })).toThrow('phoneNumberId');
    expect(() => sim.mintCode({ businessId: LS.businessId, wabaId: LS.wabaId, scenario: 'nope' as never })).toThrow('scenario');
  });

  it('seeds three businesses, one with two WABAs, ids as 15-17 digit strings', () => {
    const world = createMetaSimulator({ appId: APP_ID, appSecret: APP_SECRET }).describeWorld();
    expect(world.businesses).toHaveLength(3);
    expect(world.businesses.find((b) => b.id === SEED.jaspersMarket.businessId)?.wabas).toHaveLength(2);
    const ids = world.businesses.flatMap((b) => [b.id, ...b.wabas.flatMap((w) => [w.id, ...w.phoneNumbers.map((p) => p.id)])]);
    expect(ids.length).toBeGreaterThanOrEqual(12);
    for (const id of ids) expect(id).toMatch(/^\d{15,17}$/);
    expect(world.scenarios).toContain('coexistence_number');
  });
});

describe('mounted under a prefix in another app', () => {
  it('serves /sandbox/meta/graph/vNN.0 with the route config the host guard requires', async () => {
    const app = Fastify();
    const seen: unknown[] = [];
    app.addHook('onRoute', (r) => void seen.push(r.config));
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_r, b, done) => done(null, Object.fromEntries(new URLSearchParams(String(b)))));
    app.get('/healthz', async () => ({ status: 'ok' }));
    const sim = createMetaSimulator({ appId: APP_ID, appSecret: APP_SECRET });
    await registerSimulatorRoutes(app, sim, { prefix: '/sandbox/meta/graph', routeConfig: { marker: 'sandbox' } as never });
    close = () => app.close();
    const { code } = sim.mintCode({ businessId: LS.businessId, wabaId: LS.wabaId });
    const r = await app.inject({ url: `/sandbox/meta/graph/v25.0/oauth/access_token?client_id=${APP_ID}&client_secret=${APP_SECRET}&code=${code}` });
    expect(r.json()).toMatchObject({ token_type: 'bearer' });
    expect(seen.filter((c) => (c as { marker?: string } | undefined)?.marker === 'sandbox').length).toBeGreaterThanOrEqual(9);
    expect((await app.inject({ url: '/sandbox/meta/graph/v25.0/x/y/z' })).json().error.code).toBe(100);
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
  });
});
