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

  it('does not exist when a Meta app is configured', async () => {
    const prod = await buildTestApp(tdb.current.database, { env: { META_APP_ID: '123456789', META_APP_SECRET: 'x'.repeat(32) } });
    try {
      for (const [method, url] of [['POST', '/sandbox/meta/codes'], ['GET', '/sandbox/meta/graph/v25.0/debug_token'], ['GET', '/sandbox/anything']] as const) {
        const res = await prod.app.inject({ method, url, remoteAddress: '127.0.0.1', ...(method === 'POST' ? { payload: {} } : {}) });
        expect(res.statusCode, url).toBe(404);
      }
    } finally {
      await prod.app.close();
    }
  });
});
