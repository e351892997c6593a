/**
 * POST /meta/deauthorize over app.inject, with WABAs connected through a real simulator: a revoked
 * token disconnects its record (credentials erased, history, audit); a token that still works keeps
 * the record connected with meta_status.deauthorized; no match is a normal 200; a forged or
 * malformed request is a 400 problem and stores nothing.
 */
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.js';
import { auditEvents, metaCallbacks, onboardingRecordHistory, privacyRequests, vaultSecrets } from '../../db/schema.js';
import { SEED, startMetaSimulator, type RunningSimulator } from '../../meta-simulator/index.js';
import { buildTestApp, createUser, sameOrigin, signInCookie, type TestApp } from '../../test-support/test-app.js';
import { useTestDatabase } from '../../test-support/test-db.js';
import { findRecord } from '../onboarding/onboarding.repo.js';
import { metaAppOf } from '../sandbox/sandbox-meta.js';
import { loadKeyRing } from '../vault/keyring.js';
import { REMOVED_ON_META } from './deauthorize.service.js';
import { signRequest } from './signed-request.js';

const tdb = useTestDatabase();
const KEY = Buffer.alloc(32, 7).toString('base64');
let t: TestApp;
let sim: RunningSimulator;
let cookie: string;
let appSecret: string;

beforeAll(async () => {
  const config = loadConfig({ DATA_DIR: '/nonexistent-test-data', ENCRYPTION_KEY: KEY });
  const meta = metaAppOf(config, loadKeyRing({ key: KEY, dataDir: config.dataDir, embedded: false }));
  appSecret = meta.appSecret;
  sim = await startMetaSimulator({ appId: meta.appId, appSecret: meta.appSecret });
  t = await buildTestApp(tdb.current.database, { env: { META_GRAPH_URL: sim.url } });
  cookie = await signInCookie(t, (await createUser(tdb.current.database, 'admin')).email);
});
afterAll(async () => {
  await t.app.close();
  await sim.close();
});

const db = () => tdb.current.database.db;
const post = (url: string, payload?: Record<string, unknown>) => t.app.inject({ method: 'POST', url, headers: { ...sameOrigin, cookie }, ...(payload ? { payload } : {}) });

/** Connects a WABA through Embedded Signup as `userId`; returns the record id. */
async function connect(a: { businessId: string; wabaId: string; phoneNumberId: string }, userId: string): Promise<string> {
  const { attemptId, recordId } = (await post('/api/v1/onboarding/attempts')).json();
  await post(`/api/v1/onboarding/attempts/${attemptId}/session`, { event: 'FINISH', data: { waba_id: a.wabaId, phone_number_id: a.phoneNumberId, business_id: a.businessId } });
  const { code } = sim.simulator.mintCode({ ...a, userId });
  const res = await post(`/api/v1/onboarding/attempts/${attemptId}/code`, { code, metaUserId: userId });
  expect(res.json()).toMatchObject({ recordId, state: 'connected' });
  return recordId;
}

/** Meta's form post. */
const deauthorize = (signedRequest: string, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'POST',
    url: '/meta/deauthorize',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: `signed_request=${encodeURIComponent(signedRequest)}`,
  });

const issuedAt = () => Math.floor(t.clock.now().getTime() / 1000) - 5;
const signedFor = (userId: string) => signRequest({ algorithm: 'HMAC-SHA256', issued_at: issuedAt(), user_id: userId }, appSecret);

const secretsOf = async (recordId: string) => (await db().select().from(vaultSecrets).where(eq(vaultSecrets.ownerId, recordId))).length;
const auditOf = async (action: string) => db().select().from(auditEvents).where(eq(auditEvents.action, action));
const countRows = async () => {
  const [row] = (await db().execute(sql`select (select count(*) from meta_callbacks) as callbacks, (select count(*) from privacy_requests) as requests, (select count(*) from audit_events) as audits, (select count(*) from onboarding_record_history) as history`)).rows;
  return row;
};

describe('POST /meta/deauthorize', () => {
  it('disconnects a record whose token Meta revoked: token and PIN erased, history, audit, callback stored', async () => {
    const userId = '218471000000001';
    const recordId = await connect(SEED.luckyShrub, userId);
    expect(await secretsOf(recordId)).toBeGreaterThan(0);
    expect(sim.simulator.revokeTokens({ userId })).toBe(1);

    const res = await deauthorize(signedFor(userId));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({});

    const rec = await findRecord(db(), recordId);
    expect(rec).toMatchObject({ state: 'disconnected', reason: REMOVED_ON_META });
    expect(rec!.disconnectedAt).not.toBeNull();
    expect(await secretsOf(recordId)).toBe(0);
    const history = await db().select().from(onboardingRecordHistory).where(eq(onboardingRecordHistory.recordId, recordId));
    expect(history).toEqual([expect.objectContaining({ source: 'deauthorize', topic: 'state', after: { state: 'disconnected', reason: REMOVED_ON_META } })]);
    const audit = await auditOf('onboarding.disconnected_by_meta');
    expect(audit).toEqual([expect.objectContaining({ actorType: 'meta', targetType: 'onboarding', targetId: recordId, details: { event: 'deauthorize' } })]);
    expect((await auditOf('meta.deauthorize_received')).at(-1)).toMatchObject({ actorType: 'meta', details: { matched: 1 } });
    const [cb] = await db().select().from(metaCallbacks).where(eq(metaCallbacks.metaUserId, userId));
    expect(cb).toMatchObject({ kind: 'deauthorize', outcome: { result: 'matched', records: [{ recordId, result: 'disconnected' }] } });

    // Meta repeats the callback: nothing more happens to the record
    const again = await deauthorize(signedFor(userId));
    expect(again.statusCode).toBe(200);
    expect((await auditOf('onboarding.disconnected_by_meta')).length).toBe(1);
    const callbacks = await db().select().from(metaCallbacks).where(eq(metaCallbacks.metaUserId, userId));
    expect(callbacks.at(-1)!.outcome).toMatchObject({ records: [{ recordId, result: 'already_disconnected' }] });
  });

  it('keeps a record whose token still works, noting the removal in meta_status', async () => {
    const userId = '218471000000002';
    const recordId = await connect({ businessId: SEED.jaspersMarket.businessId, wabaId: SEED.jaspersMarket.usWabaId, phoneNumberId: SEED.jaspersMarket.usPhoneNumberIds[0] }, userId);
    const res = await deauthorize(signedFor(userId));
    expect(res.statusCode).toBe(200);
    const rec = await findRecord(db(), recordId);
    expect(rec!.state).toBe('connected');
    expect((rec!.metaStatus as Record<string, unknown>).deauthorized).toEqual({ at: new Date(issuedAt() * 1000).toISOString(), note: 'the person who connected it removed the app' });
    expect(await secretsOf(recordId)).toBeGreaterThan(0);
    const history = await db().select().from(onboardingRecordHistory).where(eq(onboardingRecordHistory.recordId, recordId));
    expect(history).toEqual([expect.objectContaining({ source: 'deauthorize', topic: 'deauthorized' })]);
    const [cb] = await db().select().from(metaCallbacks).where(eq(metaCallbacks.metaUserId, userId));
    expect(cb!.outcome).toMatchObject({ records: [{ recordId, result: 'kept' }] });
    expect((await auditOf('vault.secret_used')).some((e) => e.targetId === recordId && (e.details as { purpose: string }).purpose === 'meta_deauthorize')).toBe(true);
  });

  it('answers 200 and stores the callback when nothing matches', async () => {
    const res = await deauthorize(signedFor('777000111'), { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({});
    const [cb] = await db().select().from(metaCallbacks).where(eq(metaCallbacks.metaUserId, '777000111'));
    expect(cb).toMatchObject({ kind: 'deauthorize', issuedAt: issuedAt(), outcome: { result: 'no_match', records: [] } });
    expect((await auditOf('meta.deauthorize_received')).at(-1)).toMatchObject({ details: { matched: 0 } });
  });

  it('refuses forged and malformed requests with a 400 problem and stores nothing', async () => {
    const before = await countRows();
    const forged = signRequest({ algorithm: 'HMAC-SHA256', issued_at: issuedAt(), user_id: '218471000000002' }, 'not-the-app-secret');
    for (const res of [
      await deauthorize(forged),
      await deauthorize('abc.def.ghi'),
      await deauthorize(''),
      await t.app.inject({ method: 'POST', url: '/meta/deauthorize', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'other=1' }),
      await t.app.inject({ method: 'POST', url: '/meta/deauthorize', payload: {} }),
      await t.app.inject({ method: 'POST', url: '/meta/data-deletion', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `signed_request=${encodeURIComponent(forged)}` }),
    ]) {
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({ code: 'validation_failed', errors: [{ path: 'signed_request' }] });
    }
    // a repeated field is refused too
    const twice = await t.app.inject({ method: 'POST', url: '/meta/deauthorize', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `signed_request=${encodeURIComponent(signedFor('1'))}&signed_request=${encodeURIComponent(signedFor('2'))}` });
    expect(twice.statusCode).toBe(400);
    const big = await t.app.inject({ method: 'POST', url: '/meta/deauthorize', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `signed_request=${'A'.repeat(20_000)}` });
    expect(big.statusCode).toBe(413);
    expect(big.headers['content-type']).toContain('application/problem+json');
    const plain = await t.app.inject({ method: 'POST', url: '/meta/deauthorize', headers: { 'content-type': 'text/plain' }, payload: 'signed_request=x.y' });
    expect(plain.statusCode).toBe(415);
    expect(await countRows()).toEqual(before);
    const refusals = t.logs.filter((l) => l.includes('Meta callback refused'));
    expect(refusals.length).toBeGreaterThanOrEqual(6);
    expect(t.logs.join('\n')).not.toContain(forged.split('.')[0]);
    expect(await db().select().from(privacyRequests)).toEqual([]);
  });
});
