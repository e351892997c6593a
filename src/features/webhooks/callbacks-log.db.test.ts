/**
 * GET /api/v1/webhooks/callbacks: the log of Meta's deauthorize and data deletion callbacks, fed by
 * real signed callbacks over app.inject (a WABA connected through a real simulator): what each came
 * to (matched records and what happened, no match, a repeat), newest first in keyset pages, by role,
 * and never a signed_request or a confirmation code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.js';
import { SEED, startMetaSimulator, type RunningSimulator } from '../../meta-simulator/index.js';
import { buildTestApp, createUser, sameOrigin, signInCookie, type TestApp } from '../../test-support/test-app.js';
import { useTestDatabase } from '../../test-support/test-db.js';
import { signRequest } from '../meta-callbacks/signed-request.js';
import { metaAppOf } from '../sandbox/sandbox-meta.js';
import { loadKeyRing } from '../vault/keyring.js';
import type { CallbackItem } from './callbacks-log.js';

const tdb = useTestDatabase();
const KEY = Buffer.alloc(32, 7).toString('base64');
const LS = SEED.luckyShrub;
const CONNECTOR = '218471000000555';
const NOBODY = '777000222';
let t: TestApp;
let sim: RunningSimulator;
let appSecret: string;
let cookies: Record<'owner' | 'admin' | 'operator' | 'viewer', string>;
let recordId: string;
const signedRequests: string[] = [];
const confirmationCodes: string[] = [];

beforeAll(async () => {
  const config = loadConfig({ DATA_DIR: '/nonexistent-test-data', ENCRYPTION_KEY: KEY });
  const meta = metaAppOf(config, loadKeyRing({ key: KEY, dataDir: config.dataDir, embedded: false }));
  appSecret = meta.appSecret;
  sim = await startMetaSimulator({ appId: meta.appId, appSecret: meta.appSecret });
  t = await buildTestApp(tdb.current.database, { env: { META_GRAPH_URL: sim.url } });
  const sign = async (role: 'owner' | 'admin' | 'operator' | 'viewer') => signInCookie(t, (await createUser(tdb.current.database, role)).email);
  cookies = { owner: await sign('owner'), admin: await sign('admin'), operator: await sign('operator'), viewer: await sign('viewer') };
  const post = (url: string, payload?: Record<string, unknown>) => t.app.inject({ method: 'POST', url, headers: { ...sameOrigin, cookie: cookies.admin }, ...(payload ? { payload } : {}) });
  const { attemptId, recordId: id } = (await post('/api/v1/onboarding/attempts')).json();
  recordId = id;
  await post(`/api/v1/onboarding/attempts/${attemptId}/session`, { event: 'FINISH', data: { waba_id: LS.wabaId, phone_number_id: LS.phoneNumberId, business_id: LS.businessId } });
  const { code } = sim.simulator.mintCode({ businessId: LS.businessId, wabaId: LS.wabaId, phoneNumberId: LS.phoneNumberId, userId: CONNECTOR });
  expect((await post(`/api/v1/onboarding/attempts/${attemptId}/code`, { code, metaUserId: CONNECTOR })).json()).toMatchObject({ state: 'connected' });
});
afterAll(async () => {
  await t.app.close();
  await sim.close();
});

/** Meta's form post of a signed callback; one second later on the test clock each time (distinct received_at). */
async function callback(kind: 'deauthorize' | 'data-deletion', userId: string, issuedAt = Math.floor(t.clock.now().getTime() / 1000)) {
  t.clock.advance(1000);
  const signed = signRequest({ algorithm: 'HMAC-SHA256', issued_at: issuedAt, user_id: userId }, appSecret);
  signedRequests.push(signed);
  const res = await t.app.inject({ method: 'POST', url: `/meta/${kind}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `signed_request=${encodeURIComponent(signed)}` });
  expect(res.statusCode, res.body).toBe(200);
  if (kind === 'data-deletion') confirmationCodes.push(res.json().confirmation_code);
}

const list = (query = '', cookie: string | null = cookies.operator) => t.app.inject({ url: `/api/v1/webhooks/callbacks${query}`, headers: cookie ? { cookie } : {} });

describe('GET /api/v1/webhooks/callbacks', () => {
  it('lists each callback with what it came to, newest first, with no signed request or confirmation code', async () => {
    await callback('deauthorize', CONNECTOR); // the token still works: kept
    await callback('deauthorize', NOBODY); // no match
    const issued = Math.floor(t.clock.now().getTime() / 1000);
    await callback('data-deletion', NOBODY, issued); // nothing linked: no match
    await callback('data-deletion', NOBODY, issued); // Meta repeats it
    await callback('data-deletion', CONNECTOR); // one record linked

    const res = await list();
    expect(res.statusCode, res.body).toBe(200);
    for (const s of signedRequests) expect(res.body).not.toContain(s.split('.')[0]!);
    for (const c of confirmationCodes) expect(res.body).not.toContain(c);
    expect(res.body).not.toMatch(/signed_request|confirmation|access_token/i);
    const { items, nextCursor } = res.json() as { items: CallbackItem[]; nextCursor: string | null };
    expect(nextCursor).toBeNull();
    expect(items.map((i) => [i.kind, i.metaUserId, i.outcome.result])).toEqual([
      ['data_deletion', CONNECTOR, 'matched'],
      ['data_deletion', NOBODY, 'repeat'],
      ['data_deletion', NOBODY, 'no_match'],
      ['deauthorize', NOBODY, 'no_match'],
      ['deauthorize', CONNECTOR, 'matched'],
    ]);
    const times = items.map((i) => Date.parse(String(i.receivedAt)));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(items[4]!.outcome).toEqual({ result: 'matched', records: [{ recordId, result: 'kept', name: 'Lucky Shrub' }], linkedRecords: null, deletionRequest: null });
    expect(items[3]!.outcome).toEqual({ result: 'no_match', records: [], linkedRecords: null, deletionRequest: null });
    expect(items[2]!.outcome).toMatchObject({ result: 'no_match', records: [], linkedRecords: 0, deletionRequest: { state: 'completed' } });
    expect(items[1]!.outcome.deletionRequest!.id).toBe(items[2]!.outcome.deletionRequest!.id);
    expect(items[0]!.outcome).toMatchObject({ result: 'matched', linkedRecords: 1, deletionRequest: { state: 'in_progress' } });
    expect(items[2]!.issuedAt).toBe(new Date(issued * 1000).toISOString());
  });

  it('filters by kind and pages with a keyset cursor', async () => {
    const deauth = (await list('?kind=deauthorize')).json() as { items: CallbackItem[] };
    expect(deauth.items.map((i) => i.kind)).toEqual(['deauthorize', 'deauthorize']);

    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await list(`?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.statusCode).toBe(200);
      const page = res.json() as { items: CallbackItem[]; nextCursor: string | null };
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    const all = ((await list()).json() as { items: CallbackItem[] }).items.map((i) => i.id);
    expect(seen).toEqual(all);
    expect(new Set(seen).size).toBe(5);
  });

  it('is for owners, admins and operators: viewers get 403, no session 401; bad input names its field', async () => {
    for (const role of ['owner', 'admin', 'operator'] as const) expect((await list('', cookies[role])).statusCode, role).toBe(200);
    const viewer = await list('', cookies.viewer);
    expect(viewer.statusCode).toBe(403);
    expect(viewer.body).not.toContain(CONNECTOR);
    expect((await list('', null)).statusCode).toBe(401);
    expect((await list('?cursor=nope')).json().errors[0].path).toBe('cursor');
    expect((await list('?kind=webhook')).json().errors[0].path).toBe('kind');
    expect((await list('?limit=500')).json().errors[0].path).toBe('limit');
  });
});
