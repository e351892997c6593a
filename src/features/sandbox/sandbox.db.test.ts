/**
 * Sandbox mode end to end over real HTTP: the app mounts the Meta simulator, a loopback client mints a
 * code, and the production Graph client exchanges and inspects it through the app's own listener.
 * With a real Meta app configured, every /sandbox path is a 404.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../logger.js';
import { createGraphClient } from '../meta/graph-client.js';
import { SEED } from '../../meta-simulator/index.js';
import { loadKeyRing } from '../vault/keyring.js';
import { buildTestApp, createUser, sameOrigin, signInCookie, type TestApp } from '../../test-support/test-app.js';
import { useTestDatabase } from '../../test-support/test-db.js';
import { insertRecord, updateRecord } from '../onboarding/onboarding.repo.js';
import { metaAppOf } from './sandbox-meta.js';

const tdb = useTestDatabase();
let t: TestApp;
let base: string;

beforeAll(async () => {
  t = await buildTestApp(tdb.current.database);
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await t.app.close();
});

describe('sandbox mode', () => {
  it('mints a code for a loopback client and the Graph client exchanges it through the mounted simulator', async () => {
    const minted = await fetch(`${base}/sandbox/meta/codes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ businessId: SEED.luckyShrub.businessId, wabaId: SEED.luckyShrub.wabaId, phoneNumberId: SEED.luckyShrub.phoneNumberId }),
    });
    expect(minted.status).toBe(200);
    const { code } = (await minted.json()) as { code: string };
    const meta = metaAppOf(t.config, loadKeyRing({ key: t.config.encryptionKey, dataDir: t.config.dataDir, embedded: false }));
    const graph = createGraphClient({ baseUrl: `${base}/sandbox/meta/graph`, version: 'v25.0', appId: meta.appId, appSecret: meta.appSecret, timeoutMs: 5000, logger: createLogger('silent') });
    const token = await graph.exchangeCode(code);
    const info = await graph.debugToken(token.accessToken);
    expect(info.isValid).toBe(true);
    expect(JSON.stringify(info)).toContain(SEED.luckyShrub.wabaId);
    await expect(graph.exchangeCode(code)).rejects.toMatchObject({ code: 100, subcode: 36009 });
  });

  it('names the field of a bad mint request', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/sandbox/meta/codes', remoteAddress: '127.0.0.1', payload: { businessId: 'abc', wabaId: SEED.luckyShrub.wabaId } });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toBe('businessId');
  });

  it('refuses remote anonymous clients and operators, lets owners and admins in (with CSRF)', async () => {
    const body = { businessId: SEED.luckyShrub.businessId, wabaId: SEED.luckyShrub.wabaId };
    const remote = '198.51.100.20';
    expect((await t.app.inject({ method: 'POST', url: '/sandbox/meta/codes', remoteAddress: remote, headers: sameOrigin, payload: body })).statusCode).toBe(401);
    const op = await createUser(tdb.current.database, 'operator');
    const opCookie = await signInCookie(t, op.email);
    expect((await t.app.inject({ method: 'POST', url: '/sandbox/meta/codes', remoteAddress: remote, headers: { ...sameOrigin, cookie: opCookie }, payload: body })).statusCode).toBe(403);
    const admin = await createUser(tdb.current.database, 'admin');
    const cookie = await signInCookie(t, admin.email);
    expect((await t.app.inject({ method: 'POST', url: '/sandbox/meta/codes', remoteAddress: remote, headers: { ...sameOrigin, cookie }, payload: body })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: '/sandbox/meta/codes', remoteAddress: remote, headers: { cookie, 'x-csrf-protection': '1', origin: 'https://evil.example' }, payload: body })).statusCode).toBe(403);
  });

  it('names the field of a bad events request', async () => {
    const post = (payload: object) => t.app.inject({ method: 'POST', url: '/sandbox/meta/events', remoteAddress: '127.0.0.1', payload });
    const cases: [object, string][] = [
      [{}, 'kind'],
      [{ kind: 'webhook', wabaId: SEED.luckyShrub.wabaId }, 'field'],
      [{ kind: 'webhook', field: 'messages', event: 'bogus', wabaId: SEED.luckyShrub.wabaId }, 'event'],
      [{ kind: 'webhook', field: 'account_update', wabaId: '99999999999' }, 'wabaId'],
      [{ kind: 'webhook', field: 'messages', wabaId: SEED.luckyShrub.wabaId, phoneNumberId: SEED.jaspersMarket.euPhoneNumberId }, 'phoneNumberId'],
      [{ kind: 'deauthorize' }, 'metaUserId'],
      [{ scenario: 'waba_disabled' }, 'recordId'],
      [{ scenario: 'waba_disabled', recordId: '00000000-0000-4000-8000-000000000000' }, 'recordId'],
      [{ scenario: 'nope', recordId: '00000000-0000-4000-8000-000000000000' }, 'scenario'],
    ];
    for (const [payload, path] of cases) {
      const res = await post(payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().errors.map((e: { path: string }) => e.path), JSON.stringify(payload)).toContain(path);
    }
  });

  it('sends a signed webhook to its own listener and answers 202 after the first attempt', async () => {
    const res = await fetch(`${base}/sandbox/meta/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'webhook', field: 'messages', event: 'delivered', wabaId: SEED.luckyShrub.wabaId, count: 3 }),
    });
    expect(res.status).toBe(202);
    const { deliveries } = (await res.json()) as { deliveries: { target: string; status: number | null; attempts: number; kind: string }[] };
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ kind: 'webhook', target: `${base}/webhooks/whatsapp`, attempts: 1 });
    // the app's receiver (src/features/webhooks) verifies X-Hub-Signature-256 over the bytes the simulator sent
    expect(deliveries[0]!.status).toBe(200);
    const list = await t.app.inject({ method: 'GET', url: '/sandbox/meta/events', remoteAddress: '127.0.0.1' });
    expect(list.json().deliveries[0].attemptLog[0].status).toBe(deliveries[0]!.status);
  });

  it("fires a record's scenario: quality drop shows in later lookups, removed app revokes the token and calls deauthorize", async () => {
    const db = tdb.current.database.db;
    const at = t.clock.now();
    const rec = await insertRecord(db, { attemptId: `sandbox-events-${Date.now()}`, startedBy: null, linkId: null, at });
    await updateRecord(db, rec.id, { state: 'connected', businessId: SEED.luckyShrub.businessId, wabaId: SEED.luckyShrub.wabaId, phoneNumberId: SEED.luckyShrub.phoneNumberId, metaUserId: '10222270944537964' }, at);
    const meta = metaAppOf(t.config, loadKeyRing({ key: t.config.encryptionKey, dataDir: t.config.dataDir, embedded: false }));
    const minted = await t.app.inject({ method: 'POST', url: '/sandbox/meta/codes', remoteAddress: '127.0.0.1', payload: { businessId: SEED.luckyShrub.businessId, wabaId: SEED.luckyShrub.wabaId, userId: '10222270944537964' } });
    const graph = createGraphClient({ baseUrl: `${base}/sandbox/meta/graph`, version: 'v25.0', appId: meta.appId, appSecret: meta.appSecret, timeoutMs: 5000, logger: createLogger('silent') });
    const token = await graph.exchangeCode(minted.json().code);
    const quality = async () => {
      const r = await fetch(`${base}/sandbox/meta/graph/v25.0/${SEED.luckyShrub.phoneNumberId}?fields=quality_rating`, { headers: { authorization: `Bearer ${token.accessToken}` } });
      return ((await r.json()) as { quality_rating?: string; error?: { code: number } });
    };
    expect((await quality()).quality_rating).toBe('GREEN');

    const fire = (scenario: string) =>
      t.app.inject({ method: 'POST', url: '/sandbox/meta/events', remoteAddress: '127.0.0.1', payload: { scenario, recordId: rec.id } });
    const dropped = await fire('quality_dropped');
    expect(dropped.statusCode).toBe(202);
    expect(dropped.json().deliveries.map((d: { kind: string }) => d.kind)).toEqual(['webhook']);
    expect((await quality()).quality_rating).toBe('RED');

    const removed = await fire('customer_removed_app');
    expect(removed.statusCode).toBe(202);
    expect(removed.json().deliveries.map((d: { kind: string; target: string }) => [d.kind, d.target.replace(base, '')])).toEqual([
      ['webhook', '/webhooks/whatsapp'],
      ['deauthorize', '/meta/deauthorize'],
    ]);
    expect((await quality()).error?.code).toBe(190);

    // ... and the callbacks' signed_request (src/features/meta-callbacks)
    expect(removed.json().deliveries.map((d: { status: number }) => d.status)).toEqual([200, 200]);
    const deletion = await fire('data_deletion');
    expect(deletion.json().deliveries[0]).toMatchObject({ kind: 'data_deletion', attempts: 1, status: 200 });
    // the log shows the app's answer (status page address and code) for a deletion, nothing for the others
    const log = (await t.app.inject({ method: 'GET', url: '/sandbox/meta/events', remoteAddress: '127.0.0.1' })).json().deliveries as { id: string; answer: { url: string; confirmation_code: string } | null }[];
    const answer = log.find((d) => d.id === deletion.json().deliveries[0].id)!.answer!;
    expect(answer.url).toMatch(new RegExp(`/data-deletion/status/${answer.confirmation_code}$`));
    expect(log.filter((d) => d.answer === null)).toHaveLength(log.length - 1);
  });

  it('does not exist when a Meta app is configured', async () => {
    const prod = await buildTestApp(tdb.current.database, { env: { META_APP_ID: '123456789', META_APP_SECRET: 'x'.repeat(32) } });
    try {
      for (const [method, url] of [['POST', '/sandbox/meta/codes'], ['POST', '/sandbox/meta/events'], ['GET', '/sandbox/meta/graph/v25.0/debug_token'], ['GET', '/sandbox/anything']] as const) {
        const res = await prod.app.inject({ method, url, remoteAddress: '127.0.0.1', ...(method === 'POST' ? { payload: {} } : {}) });
        expect(res.statusCode, url).toBe(404);
      }
    } finally {
      await prod.app.close();
    }
  });
});
