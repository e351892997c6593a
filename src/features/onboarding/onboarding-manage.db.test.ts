/**
 * Managing onboarding records over HTTP against a standalone Meta simulator over real HTTP:
 * reconnect (merged into the record of the same WABA; a cancelled reconnect changes nothing),
 * retry and refresh by role, the one-time PIN reveal, disconnect (and a Meta 5xx on unsubscribe
 * that changes nothing), and the list with its state filter, search and keyset pagination.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.js';
import { SEED, startMetaSimulator, type RunningSimulator } from '../../meta-simulator/index.js';
import { buildTestApp, createUser, sameOrigin, signInCookie, TEST_PASSWORD, type TestApp } from '../../test-support/test-app.js';
import { useTestDatabase } from '../../test-support/test-db.js';
import { metaAppOf } from '../sandbox/sandbox-meta.js';
import { loadKeyRing } from '../vault/keyring.js';
import { useSecret } from '../vault/vault.service.js';
import { SYSTEM_ACTOR, tokenRef } from './onboarding.types.js';

const LS = SEED.luckyShrub;
const JM = SEED.jaspersMarket;
const KEY = Buffer.alloc(32, 7).toString('base64');
const DATA_DIR = '/nonexistent-test-data';

const tdb = useTestDatabase();
let t: TestApp;
let sim: RunningSimulator;
let appId: string;
const ring = loadKeyRing({ key: KEY, dataDir: loadConfig({ DATA_DIR, ENCRYPTION_KEY: KEY }).dataDir, embedded: false });
const cookies = {} as Record<'owner' | 'admin' | 'operator' | 'viewer', string>;
type Role = keyof typeof cookies;

beforeAll(async () => {
  const config = loadConfig({ DATA_DIR, ENCRYPTION_KEY: KEY });
  const meta = metaAppOf(config, ring);
  appId = meta.appId;
  sim = await startMetaSimulator({ appId: meta.appId, appSecret: meta.appSecret });
  t = await buildTestApp(tdb.current.database, { env: { META_GRAPH_URL: sim.url } });
  for (const role of ['owner', 'admin', 'operator', 'viewer'] as const) cookies[role] = await signInCookie(t, (await createUser(tdb.current.database, role)).email);
});
afterAll(async () => {
  await t?.app.close();
  await sim?.close();
});

const db = () => tdb.current.database.db;
const get = (url: string, role: Role = 'viewer') => t.app.inject({ method: 'GET', url, headers: { cookie: cookies[role] } });
const post = (url: string, role: Role = 'admin', payload?: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url, headers: { ...sameOrigin, cookie: cookies[role] }, ...(payload ? { payload } : {}) });

interface Assets {
  businessId: string;
  wabaId: string;
  phoneNumberId: string;
}

/** Staff Embedded Signup: start (optionally as a reconnect of `recordId`), FINISH, then the code. */
async function connect(a: Assets, o: { recordId?: string } = {}) {
  const start = await post('/api/v1/onboarding/attempts', 'admin', o.recordId ? { recordId: o.recordId } : undefined);
  expect(start.statusCode, start.body).toBe(201);
  const { attemptId, recordId } = start.json() as { attemptId: string; recordId: string };
  const session = await post(`/api/v1/onboarding/attempts/${attemptId}/session`, 'admin', {
    type: 'WA_EMBEDDED_SIGNUP',
    event: 'FINISH',
    data: { waba_id: a.wabaId, phone_number_id: a.phoneNumberId, business_id: a.businessId },
  });
  expect(session.statusCode, session.body).toBe(200);
  const { code } = sim.simulator.mintCode(a);
  const res = await post(`/api/v1/onboarding/attempts/${attemptId}/code`, 'admin', { code });
  expect(res.statusCode, res.body).toBe(200);
  t.clock.advance(1000);
  return { attemptId, startedRecordId: recordId, outcome: res.json() as { recordId: string; state: string; reason: string | null } };
}

async function detail(recordId: string) {
  const res = await get(`/api/v1/onboarding/${recordId}`);
  expect(res.statusCode, res.body).toBe(200);
  return { body: res.body, json: res.json() };
}

async function vaultRows(recordId: string): Promise<{ purpose: string; ciphertext: string }[]> {
  const r = await db().execute<{ purpose: string; ciphertext: string }>(sql`SELECT purpose, ciphertext FROM vault_secrets WHERE owner_id = ${recordId} ORDER BY purpose`);
  return r.rows;
}

const tokenOf = (recordId: string) => useSecret(db(), ring, tokenRef(recordId), 'test_inspect', SYSTEM_ACTOR, async (v) => v);

async function auditActions(recordId: string, like = 'onboarding.%'): Promise<{ action: string; details: Record<string, unknown> }[]> {
  const r = await db().execute<{ action: string; details: Record<string, unknown> }>(
    sql`SELECT action, details FROM audit_events WHERE target_id = ${recordId} AND action LIKE ${like} ORDER BY id`,
  );
  return r.rows;
}

async function listIds(query: string): Promise<string[]> {
  const res = await get(`/api/v1/onboarding${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return (res.json().items as { id: string }[]).map((i) => i.id);
}

/** Ids of the records this file made, by role in the story. */
const rec = {} as { lucky: string; cancelled: string; jaspersUs: string; jaspersEu: string; started: string };

describe('reconnect', () => {
  it('a second Embedded Signup for the same WABA is merged into the first record', async () => {
    const first = await connect(LS);
    expect(first.outcome).toEqual({ recordId: first.startedRecordId, state: 'connected', reason: null });
    rec.lucky = first.outcome.recordId;
    const before = await detail(rec.lucky);
    expect(before.json.record).toMatchObject({ run: 1, state: 'connected', token: { stored: true }, registrationPin: { stored: true, revealable: true } });
    const vaultBefore = await vaultRows(rec.lucky);
    expect(vaultBefore.map((v) => v.purpose)).toEqual(['registration_pin', 'waba_token']);
    const tokenBefore = await tokenOf(rec.lucky);

    // reconnect from the record's page: POST /attempts with { recordId }
    const second = await connect(LS, { recordId: rec.lucky });
    expect(second.startedRecordId).not.toBe(rec.lucky);
    expect(second.outcome).toEqual({ recordId: rec.lucky, state: 'connected', reason: null });
    // the connect page's poll follows the merge
    const poll = await get(`/api/v1/onboarding/attempts/${second.attemptId}`);
    expect(poll.json()).toMatchObject({ recordId: rec.lucky, state: 'connected', wabaId: LS.wabaId, displayPhoneNumber: '+1 555-078-3881' });
    // the attempt's own record is gone
    expect((await get(`/api/v1/onboarding/${second.startedRecordId}`)).statusCode).toBe(404);

    const after = await detail(rec.lucky);
    expect(after.json.record).toMatchObject({ id: rec.lucky, run: 2, state: 'connected', wabaId: LS.wabaId, token: { stored: true } });
    const steps = after.json.steps as { run: number; step: string; status: string }[];
    expect(steps.filter((s) => s.run === 1).map((s) => s.step)).toEqual(['exchange', 'verify', 'lookup', 'subscribe', 'override', 'register']);
    expect(steps.filter((s) => s.run === 2).map((s) => s.step)).toEqual(['exchange', 'verify', 'lookup', 'subscribe', 'override', 'register']);
    expect(steps.find((s) => s.run === 2 && s.step === 'register')?.status).toBe('skipped');
    expect(steps.every((s) => s.run === 1 || s.run === 2)).toBe(true);

    // the vault holds the new token for the record (the PIN stays)
    const vaultAfter = await vaultRows(rec.lucky);
    expect(vaultAfter.map((v) => v.purpose)).toEqual(['registration_pin', 'waba_token']);
    expect(vaultAfter.find((v) => v.purpose === 'waba_token')!.ciphertext).not.toBe(vaultBefore.find((v) => v.purpose === 'waba_token')!.ciphertext);
    expect(vaultAfter.find((v) => v.purpose === 'registration_pin')!.ciphertext).toBe(vaultBefore.find((v) => v.purpose === 'registration_pin')!.ciphertext);
    const tokenAfter = await tokenOf(rec.lucky);
    expect(tokenAfter).toMatch(/^EAA/);
    expect(tokenAfter).not.toBe(tokenBefore);
    expect((await vaultRows(second.startedRecordId)).length).toBe(0);

    // one record for the WABA
    expect(await listIds(`?q=${LS.wabaId}`)).toEqual([rec.lucky]);
    expect((await auditActions(rec.lucky, 'onboarding.reconnected')).map((a) => a.details)).toEqual([{ mergedRecord: second.startedRecordId, run: 2 }]);
  });

  it('a cancelled reconnect leaves the connected record untouched', async () => {
    const before = await detail(rec.lucky);
    const vaultBefore = await vaultRows(rec.lucky);
    const start = await post('/api/v1/onboarding/attempts', 'admin', { recordId: rec.lucky });
    expect(start.statusCode).toBe(201);
    const { attemptId, recordId } = start.json();
    t.clock.advance(1000);
    const cancel = await post(`/api/v1/onboarding/attempts/${attemptId}/session`, 'admin', { type: 'WA_EMBEDDED_SIGNUP', event: 'CANCEL', data: { current_step: 'WABA_PHONE_REGISTRATION' } });
    expect(cancel.statusCode).toBe(200);
    expect(cancel.json()).toEqual({ recordId, state: 'abandoned', reason: 'left Embedded Signup' });
    rec.cancelled = recordId;
    t.clock.advance(1000);

    const after = await detail(rec.lucky);
    expect(after.body).toBe(before.body);
    expect(await vaultRows(rec.lucky)).toEqual(vaultBefore);
    expect((await detail(recordId)).json.record).toMatchObject({ state: 'abandoned', abandonedStep: 'WABA_PHONE_REGISTRATION', wabaId: null, run: 1 });

    // reconnecting an unknown record, or one still running, is refused
    expect((await post('/api/v1/onboarding/attempts', 'admin', { recordId: '00000000-0000-4000-8000-000000000000' })).statusCode).toBe(404);
    const running = (await post('/api/v1/onboarding/attempts')).json();
    expect((await post('/api/v1/onboarding/attempts', 'admin', { recordId: running.recordId })).statusCode).toBe(409);
    rec.started = running.recordId;
    t.clock.advance(1000);
  });
});

describe('retry and refresh', () => {
  it('retry: an operator may (and it connects), a viewer may not', async () => {
    // Meta refuses the subscribe once (not retryable): the record fails at that step
    sim.simulator.injectFault({ code: 100, message: '(#100) Injected subscribe failure', method: 'POST', path: '/subscribed_apps' });
    const start = (await post('/api/v1/onboarding/attempts')).json();
    await post(`/api/v1/onboarding/attempts/${start.attemptId}/session`, 'admin', {
      event: 'FINISH',
      data: { waba_id: JM.usWabaId, phone_number_id: JM.usPhoneNumberIds[0], business_id: JM.businessId },
    });
    const { code } = sim.simulator.mintCode({ businessId: JM.businessId, wabaId: JM.usWabaId, phoneNumberId: JM.usPhoneNumberIds[0] });
    const failed = await post(`/api/v1/onboarding/attempts/${start.attemptId}/code`, 'admin', { code });
    expect(failed.json()).toMatchObject({ recordId: start.recordId, state: 'failed' });
    rec.jaspersUs = start.recordId;
    t.clock.advance(1000);

    const viewer = await post(`/api/v1/onboarding/${rec.jaspersUs}/retry`, 'viewer');
    expect(viewer.statusCode).toBe(403);
    expect((await detail(rec.jaspersUs)).json.record.state).toBe('failed');
    const operator = await post(`/api/v1/onboarding/${rec.jaspersUs}/retry`, 'operator');
    expect(operator.statusCode, operator.body).toBe(200);
    expect(operator.json()).toEqual({ recordId: rec.jaspersUs, state: 'connected', reason: null });
    const steps = (await detail(rec.jaspersUs)).json.steps as { step: string; status: string }[];
    expect(steps.filter((s) => s.step === 'subscribe').map((s) => s.status)).toEqual(['failed', 'succeeded']);
    // a connected record has nothing to retry
    expect((await post(`/api/v1/onboarding/${rec.jaspersUs}/retry`, 'operator')).statusCode).toBe(409);
    t.clock.advance(1000);
  });

  it('refresh: 200 connected with what Meta says now; a viewer gets 403', async () => {
    sim.simulator.world.phoneNumbers.get(LS.phoneNumberId)!.qualityRating = 'YELLOW';
    const viewer = await post(`/api/v1/onboarding/${rec.lucky}/refresh`, 'viewer');
    expect(viewer.statusCode).toBe(403);
    const res = await post(`/api/v1/onboarding/${rec.lucky}/refresh`, 'operator');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ recordId: rec.lucky, state: 'connected', reason: null });
    const d = await detail(rec.lucky);
    expect(d.json.phoneNumbers.find((p: { phoneNumberId: string }) => p.phoneNumberId === LS.phoneNumberId)).toMatchObject({ qualityRating: 'YELLOW' });
    expect((await post(`/api/v1/onboarding/${rec.cancelled}/refresh`, 'operator')).statusCode).toBe(409);
  });
});

describe('PIN reveal', () => {
  it('owner only, with the right password, once; the PIN is the one Meta registered', async () => {
    const url = `/api/v1/onboarding/${rec.lucky}/pin/reveal`;
    const admin = await post(url, 'admin', { password: TEST_PASSWORD });
    expect(admin.statusCode).toBe(403);
    const wrong = await post(url, 'owner', { password: 'not my password at all' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().errors.map((e: { path: string }) => e.path)).toEqual(['password']);
    expect(wrong.body).not.toMatch(/"pin"/);
    expect((await detail(rec.lucky)).json.record.registrationPin).toEqual({ stored: true, revealable: true });

    const ok = await post(url, 'owner', { password: TEST_PASSWORD });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['cache-control']).toBe('no-store');
    const { pin } = ok.json() as { pin: string };
    expect(pin).toMatch(/^\d{6}$/);
    expect(sim.simulator.world.phoneNumbers.get(LS.phoneNumberId)!.pin).toBe(pin);

    const again = await post(url, 'owner', { password: TEST_PASSWORD });
    expect(again.statusCode).toBe(409);
    expect(again.body).not.toContain(pin);
    expect((await detail(rec.lucky)).json.record.registrationPin).toEqual({ stored: true, revealable: false });
    expect((await auditActions(rec.lucky, 'onboarding.pin_revealed')).length).toBe(1);
    // the PIN itself is in no audit row
    const audit = await db().execute<{ row: string }>(sql`SELECT t::text AS row FROM audit_events t`);
    expect(audit.rows.map((r) => r.row).join('\n')).not.toContain(`"${pin}"`);
  });
});

describe('the list', () => {
  it('filters by state, searches WABA names and phone numbers, pages with a keyset cursor', async () => {
    const eu = await connect({ businessId: JM.businessId, wabaId: JM.euWabaId, phoneNumberId: JM.euPhoneNumberId });
    expect(eu.outcome.state).toBe('connected');
    rec.jaspersEu = eu.outcome.recordId;

    // newest first; updatedAt does not matter, createdAt does
    const all = await listIds('');
    expect(all).toEqual([rec.jaspersEu, rec.jaspersUs, rec.started, rec.cancelled, rec.lucky]);
    expect((await listIds('?state=connected')).sort()).toEqual([rec.lucky, rec.jaspersUs, rec.jaspersEu].sort());
    expect(await listIds('?state=abandoned')).toEqual([rec.cancelled]);
    expect(await listIds('?state=started')).toEqual([rec.started]);
    expect(await listIds('?state=failed')).toEqual([]);

    expect(await listIds('?q=Lucky')).toEqual([rec.lucky]);
    expect(await listIds(`?q=${encodeURIComponent("Jasper's Market EU")}`)).toEqual([rec.jaspersEu]);
    expect(await listIds('?q=jasper')).toEqual([rec.jaspersEu, rec.jaspersUs]);
    expect(await listIds(`?q=${encodeURIComponent('555-078-3881')}`)).toEqual([rec.lucky]);
    expect(await listIds(`?q=${encodeURIComponent('+49 30 901820')}`)).toEqual([rec.jaspersEu]);
    expect(await listIds(`?q=${JM.usPhoneNumberIds[1]}`)).toEqual([rec.jaspersUs]);
    expect(await listIds('?q=nobody-has-this')).toEqual([]);
    expect(await listIds('?q=Jasper&state=connected&limit=1')).toEqual([rec.jaspersEu]);

    // an item as the contract describes it
    const items = (await get('/api/v1/onboarding?q=Lucky')).json().items;
    expect(items[0]).toMatchObject({ id: rec.lucky, via: 'staff', link: null, startedBy: { displayName: expect.stringMatching(/^admin /) }, wabaName: 'Lucky Shrub', businessName: 'Lucky Shrub' });
    expect(items[0].phoneNumbers.map((p: { phoneNumberId: string }) => p.phoneNumberId).sort()).toEqual([LS.phoneNumberId, LS.unverifiedPhoneNumberId].sort());

    // keyset pagination, one at a time
    const walked: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 10; i++) {
      const res = await get(`/api/v1/onboarding?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.statusCode).toBe(200);
      const page = res.json() as { items: { id: string }[]; nextCursor: string | null };
      expect(page.items.length).toBeLessThanOrEqual(1);
      walked.push(...page.items.map((x) => x.id));
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    expect(walked).toEqual(all);
    expect(cursor).toBeNull();
    // the cursor combines with the filter
    const firstConnected = (await get('/api/v1/onboarding?state=connected&limit=2')).json();
    expect(firstConnected.items.map((x: { id: string }) => x.id)).toEqual([rec.jaspersEu, rec.jaspersUs]);
    const restConnected = (await get(`/api/v1/onboarding?state=connected&limit=2&cursor=${encodeURIComponent(firstConnected.nextCursor)}`)).json();
    expect(restConnected).toEqual({ items: [expect.objectContaining({ id: rec.lucky })], nextCursor: null });

    for (const bad of ['not-a-cursor', Buffer.from('["x","y"]').toString('base64url'), '%%%']) {
      const res = await get(`/api/v1/onboarding?cursor=${encodeURIComponent(bad)}`);
      expect(res.statusCode, bad).toBe(400);
      expect(res.json().errors.map((e: { path: string }) => e.path)).toEqual(['cursor']);
    }
    const badState = await get('/api/v1/onboarding?state=nope');
    expect(badState.statusCode).toBe(400);
    expect(badState.json().errors[0].path).toBe('state');
  });
});

describe('disconnect', () => {
  it('a Meta 5xx on unsubscribe: 502 upstream_failed and nothing changed', async () => {
    const id = rec.jaspersEu;
    const before = await detail(id);
    const vaultBefore = await vaultRows(id);
    expect(vaultBefore.map((v) => v.purpose)).toEqual(['registration_pin', 'waba_token']);
    expect(sim.simulator.world.wabas.get(JM.euWabaId)!.subscriptions.has(appId)).toBe(true);

    sim.simulator.injectFault({ code: 2, message: 'Service temporarily unavailable', httpStatus: 503, isTransient: true, method: 'DELETE', path: '/subscribed_apps', times: 10 });
    try {
      const res = await post(`/api/v1/onboarding/${id}/disconnect`);
      expect(res.statusCode, res.body).toBe(502);
      expect(res.json().code).toBe('upstream_failed');
    } finally {
      sim.simulator.clearFaults();
    }
    expect((await detail(id)).body).toBe(before.body);
    expect(await vaultRows(id)).toEqual(vaultBefore);
    expect(sim.simulator.world.wabas.get(JM.euWabaId)!.subscriptions.has(appId)).toBe(true);
    expect((await auditActions(id, 'onboarding.disconnect%')).map((a) => a.action)).toEqual(['onboarding.disconnect_failed']);
  });

  it('as admin: disconnected, unsubscribed at Meta, no secrets left, audited; a second disconnect is 409', async () => {
    const id = rec.jaspersEu;
    expect((await post(`/api/v1/onboarding/${id}/disconnect`, 'operator')).statusCode).toBe(403);
    expect((await post(`/api/v1/onboarding/${id}/disconnect`, 'viewer')).statusCode).toBe(403);
    const res = await post(`/api/v1/onboarding/${id}/disconnect`, 'admin');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ recordId: id, state: 'disconnected' });

    expect(sim.simulator.world.wabas.get(JM.euWabaId)!.subscriptions.size).toBe(0);
    expect(await vaultRows(id)).toEqual([]);
    const d = (await detail(id)).json;
    expect(d.record).toMatchObject({ state: 'disconnected', wabaId: JM.euWabaId, token: { stored: false }, registrationPin: { stored: false, revealable: false } });
    expect(d.record.disconnectedAt).toBe(t.clock.now().toISOString());
    expect((await auditActions(id, 'onboarding.disconnected')).map((a) => a.details)).toEqual([{ unsubscribed: true }]);
    // other WABAs keep their subscription
    expect(sim.simulator.world.wabas.get(LS.wabaId)!.subscriptions.has(appId)).toBe(true);

    const again = await post(`/api/v1/onboarding/${id}/disconnect`, 'admin');
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('conflict');
    expect(await listIds('?state=disconnected')).toEqual([id]);
    // a disconnected record cannot be refreshed, and nothing is left to reveal
    expect((await post(`/api/v1/onboarding/${id}/refresh`, 'operator')).statusCode).toBe(409);
    expect((await post(`/api/v1/onboarding/${id}/pin/reveal`, 'owner', { password: TEST_PASSWORD })).statusCode).toBe(409);
  });
});
