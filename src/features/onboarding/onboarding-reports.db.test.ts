/**
 * What Meta reported, as the API shows it, for a WABA connected through the real flow (simulator over
 * HTTP) and fed real signed webhooks and a signed deauthorize callback:
 * - GET /api/v1/onboarding/:id: `record.metaStatus` (ban, violation, review, capabilities, partner,
 *   the connector removing the app, the Meta removal that disconnected it), `history` (newest first,
 *   at most 100) and per phone number `meta` and `messages` counters — and no token or signed request;
 * - GET /api/v1/onboarding/shared-accounts: WABAs shared with the app that no record holds, keyset pages.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.js';
import { onboardingRecordHistory } from '../../db/schema.js';
import { SEED, startMetaSimulator, type RunningSimulator } from '../../meta-simulator/index.js';
import { buildTestApp, createUser, sameOrigin, signInCookie, type TestApp } from '../../test-support/test-app.js';
import { useTestDatabase } from '../../test-support/test-db.js';
import { signRequest } from '../meta-callbacks/signed-request.js';
import { metaAppOf } from '../sandbox/sandbox-meta.js';
import { loadKeyRing } from '../vault/keyring.js';
import { useSecret } from '../vault/vault.service.js';
import { deliver, envelope, processAll } from '../webhooks/test-fixtures/webhook-harness.js';
import { SYSTEM_ACTOR, tokenRef } from './onboarding.types.js';

const tdb = useTestDatabase();
const KEY = Buffer.alloc(32, 7).toString('base64');
const LS = SEED.luckyShrub;
const META_USER = '218471000000777';
let t: TestApp;
let sim: RunningSimulator;
let appSecret: string;
let admin: string;
let viewer: string;
let recordId: string;
/** the business token the vault holds for the record (read to prove no answer carries it) */
let token: string;
const signedRequests: string[] = [];
const ring = loadKeyRing({ key: KEY, dataDir: loadConfig({ DATA_DIR: '/nonexistent-test-data', ENCRYPTION_KEY: KEY }).dataDir, embedded: false });
const db = () => tdb.current.database.db;

beforeAll(async () => {
  const config = loadConfig({ DATA_DIR: '/nonexistent-test-data', ENCRYPTION_KEY: KEY });
  const meta = metaAppOf(config, ring);
  appSecret = meta.appSecret;
  sim = await startMetaSimulator({ appId: meta.appId, appSecret: meta.appSecret });
  t = await buildTestApp(tdb.current.database, { env: { META_GRAPH_URL: sim.url } });
  admin = await signInCookie(t, (await createUser(tdb.current.database, 'admin')).email);
  viewer = await signInCookie(t, (await createUser(tdb.current.database, 'viewer')).email);
  const post = (url: string, payload?: Record<string, unknown>) => t.app.inject({ method: 'POST', url, headers: { ...sameOrigin, cookie: admin }, ...(payload ? { payload } : {}) });
  const { attemptId, recordId: id } = (await post('/api/v1/onboarding/attempts')).json();
  recordId = id;
  await post(`/api/v1/onboarding/attempts/${attemptId}/session`, { event: 'FINISH', data: { waba_id: LS.wabaId, phone_number_id: LS.phoneNumberId, business_id: LS.businessId } });
  const { code } = sim.simulator.mintCode({ businessId: LS.businessId, wabaId: LS.wabaId, phoneNumberId: LS.phoneNumberId, userId: META_USER });
  expect((await post(`/api/v1/onboarding/attempts/${attemptId}/code`, { code, metaUserId: META_USER })).json()).toMatchObject({ state: 'connected' });
  token = await useSecret(db(), ring, tokenRef(recordId), 'test_inspect', SYSTEM_ACTOR, async (v) => v);
});
afterAll(async () => {
  await t.app.close();
  await sim.close();
});

/** Seconds since the epoch, `s` seconds after the test clock's now (events after the connection). */
const later = (s: number) => Math.floor(t.clock.now().getTime() / 1000) + s;
const detail = async (cookie = viewer) => {
  const res = await t.app.inject({ url: `/api/v1/onboarding/${recordId}`, headers: { cookie } });
  expect(res.statusCode, res.body).toBe(200);
  return res;
};
const deauthorize = async (userId: string) => {
  const signed = signRequest({ algorithm: 'HMAC-SHA256', issued_at: Math.floor(t.clock.now().getTime() / 1000), user_id: userId }, appSecret);
  signedRequests.push(signed);
  const res = await t.app.inject({ method: 'POST', url: '/meta/deauthorize', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `signed_request=${encodeURIComponent(signed)}` });
  expect(res.statusCode).toBe(200);
};
const noSecrets = (body: string) => {
  expect(body).not.toContain(token);
  for (const s of signedRequests) expect(body).not.toContain(s.split('.')[0]!);
  expect(body).not.toMatch(/access_token|accessToken|signed_request|"pin"|appSecret/i);
};

describe('GET /api/v1/onboarding/:id — what Meta reported', () => {
  it('starts with no Meta status, no history and zero counters', async () => {
    const body = (await detail()).json();
    expect(body.record.metaStatus).toEqual({ ban: null, violation: null, review: null, capabilities: null, partner: null, reconnected: null, appRemovedByConnector: null, removedOnMeta: null });
    expect(body.history).toEqual([]);
    const phone = body.phoneNumbers.find((p: { phoneNumberId: string }) => p.phoneNumberId === LS.phoneNumberId);
    expect(phone.meta).toEqual({ name: null, quality: null });
    expect(phone.messages).toEqual({ inbound: 0, sent: 0, delivered: 0, read: 0, failed: 0, played: 0, other: 0, lastEventAt: null });
  });

  it('shows ban, violation, review, capabilities, the phone’s name and quality events, message counts and the history, newest first', async () => {
    const at = later(60);
    const res = await deliver(
      t,
      envelope(
        { id: LS.wabaId, time: at, changes: [{ field: 'account_update', value: { event: 'DISABLED_UPDATE', ban_info: { waba_ban_state: 'DISABLE', waba_ban_date: 'June 1, 2026' } } }] },
        { id: LS.wabaId, time: at + 1, changes: [{ field: 'account_update', value: { event: 'ACCOUNT_VIOLATION', violation_info: { violation_type: 'SCAM' } } }] },
        { id: LS.wabaId, time: at + 2, changes: [{ field: 'account_review_update', value: { decision: 'REJECTED' } }] },
        { id: LS.wabaId, time: at + 3, changes: [{ field: 'business_capability_update', value: { max_daily_conversations_per_business: 'TIER_1K', max_phone_numbers_per_business: 2 } }] },
        { id: LS.wabaId, time: at + 4, changes: [{ field: 'phone_number_name_update', value: { display_phone_number: '15550783881', decision: 'REJECTED', rejection_reason: 'NAME_FORMAT_UNACCEPTABLE' } }] },
        { id: LS.wabaId, time: at + 5, changes: [{ field: 'phone_number_quality_update', value: { display_phone_number: '15550783881', event: 'FLAGGED', current_limit: 'TIER_250' } }] },
        { id: LS.wabaId, time: at + 6, changes: [{ field: 'account_update', value: { event: 'ACCOUNT_RECONNECTED' } }] },
      ),
    );
    expect(res.statusCode).toBe(200);
    const messages = {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '15550783881', phone_number_id: LS.phoneNumberId },
      contacts: [{ profile: { name: 'Report Reader' }, wa_id: '16505550001' }],
      messages: [{ from: '16505550001', id: 'wamid.REPORT-IN-1', timestamp: String(at + 7), type: 'text', text: { body: 'hello' } }],
      statuses: [
        { id: 'wamid.REPORT-OUT-1', status: 'sent', timestamp: String(at + 8), recipient_id: '16505550001' },
        { id: 'wamid.REPORT-OUT-1', status: 'read', timestamp: String(at + 9), recipient_id: '16505550001' },
      ],
    };
    expect((await deliver(t, envelope({ id: LS.wabaId, changes: [{ field: 'messages', value: messages }] }))).statusCode).toBe(200);
    expect((await processAll(t)).failed).toBe(0);

    const res2 = await detail();
    noSecrets(res2.body);
    expect(res2.body).not.toContain('hello');
    expect(res2.body).not.toContain('16505550001');
    const body = res2.json();
    const iso = (s: number) => new Date(s * 1000).toISOString();
    expect(body.record.metaStatus).toEqual({
      ban: { state: 'DISABLE', date: 'June 1, 2026', at: iso(at) },
      violation: { type: 'SCAM', at: iso(at + 1) },
      review: { decision: 'REJECTED', at: iso(at + 2) },
      capabilities: { maxDailyConversationsPerBusiness: 'TIER_1K', maxDailyConversationPerPhone: null, maxPhoneNumbersPerBusiness: '2', maxPhoneNumbersPerWaba: null, at: iso(at + 3) },
      partner: null,
      reconnected: { at: iso(at + 6) },
      appRemovedByConnector: null,
      removedOnMeta: null,
    });
    const phone = body.phoneNumbers.find((p: { phoneNumberId: string }) => p.phoneNumberId === LS.phoneNumberId);
    expect(phone.meta).toEqual({
      name: { decision: 'REJECTED', rejectionReason: 'NAME_FORMAT_UNACCEPTABLE', at: iso(at + 4) },
      quality: { event: 'FLAGGED', tier: 'TIER_250', at: iso(at + 5) },
    });
    expect(phone).toMatchObject({ qualityRating: 'RED', nameStatus: 'REJECTED', throughput: 'TIER_250' });
    expect(phone.messages).toEqual({ inbound: 1, sent: 1, delivered: 0, read: 1, failed: 0, played: 0, other: 0, lastEventAt: iso(at + 9) });
    expect(body.history.map((h: { source: string; topic: string }) => `${h.source}/${h.topic}`)).toEqual([
      'account_update/account',
      'phone_number_quality_update/messaging_limit',
      'phone_number_name_update/name_status',
      'business_capability_update/capabilities',
      'account_review_update/review',
      'account_update/violation',
      'account_update/ban',
    ]);
    expect(body.history[1]).toMatchObject({ phoneNumberId: LS.phoneNumberId, before: null, after: { event: 'FLAGGED', tier: 'TIER_250' }, at: iso(at + 5) });
    expect(body.history[6]).toMatchObject({ phoneNumberId: null, after: { state: 'DISABLE', date: 'June 1, 2026' } });
  });

  it('notes "the person who connected it removed the app" while the token still works', async () => {
    t.clock.advance(120_000);
    await deauthorize(META_USER);
    const body = (await detail()).json();
    expect(body.record.state).toBe('connected');
    expect(body.record.metaStatus.appRemovedByConnector).toEqual({ at: new Date(Math.floor(t.clock.now().getTime() / 1000) * 1000).toISOString(), tokenChecked: true });
    expect(body.history[0]).toMatchObject({ source: 'deauthorize', topic: 'deauthorized', before: null, after: { note: 'the person who connected it removed the app' } });
    noSecrets(JSON.stringify(body));
  });

  it('names the Meta removal once PARTNER_REMOVED disconnects the record; the partner event shows as no longer shared', async () => {
    const at = later(60);
    await deliver(t, envelope({ id: '999000111', time: at, changes: [{ field: 'account_update', value: { event: 'PARTNER_REMOVED', waba_info: { waba_id: LS.wabaId, owner_business_id: LS.businessId } } }] }));
    expect((await processAll(t)).failed).toBe(0);
    const body = (await detail(admin)).json();
    expect(body.record).toMatchObject({ state: 'disconnected', reason: 'removed on Meta: PARTNER_REMOVED', token: { stored: false } });
    expect(body.record.metaStatus.removedOnMeta).toEqual({ event: 'PARTNER_REMOVED', at: body.record.disconnectedAt });
    expect(body.record.metaStatus.partner).toEqual({ event: 'PARTNER_REMOVED', shared: false, at: new Date(at * 1000).toISOString() });
    expect(body.history.slice(0, 2).map((h: { topic: string }) => h.topic).sort()).toEqual(['partner', 'state']);
    const state = body.history.find((h: { topic: string }) => h.topic === 'state');
    expect(state).toMatchObject({ source: 'account_update', before: { state: 'connected' }, after: { state: 'disconnected', event: 'PARTNER_REMOVED' } });
  });

  it('shows the latest 100 history lines, newest first', async () => {
    const base = new Date('2026-01-01T00:00:00Z').getTime();
    await db()
      .insert(onboardingRecordHistory)
      .values(Array.from({ length: 120 }, (_, i) => ({ recordId, at: new Date(base + i * 1000), source: 'account_review_update', topic: 'review', before: null, after: { decision: `D${i}` } })));
    const body = (await detail()).json();
    expect(body.history).toHaveLength(100);
    const times = body.history.map((h: { at: string }) => Date.parse(h.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // the webhook lines (newer) come first; the oldest seeded lines fall off
    expect(body.history[0].source).not.toBe('account_review_update');
    expect(body.history.at(-1).after.decision).toBe(`D${120 - (100 - 10)}`);
  });

  it('is refused without a session', async () => {
    expect((await t.app.inject({ url: `/api/v1/onboarding/${recordId}` })).statusCode).toBe(401);
  });
});

describe('GET /api/v1/onboarding/shared-accounts', () => {
  const list = (query: string, cookie: string | null = viewer) => t.app.inject({ url: `/api/v1/onboarding/shared-accounts${query}`, headers: cookie ? { cookie } : {} });

  it('lists WABAs shared with the app that no record holds, newest share first, in keyset pages', async () => {
    const at = later(300);
    const shared = ['800000000000001', '800000000000002', '800000000000003', '800000000000004', '800000000000005'];
    await deliver(
      t,
      envelope(
        ...shared.map((wabaId, i) => ({ id: '999000111', time: at + i, changes: [{ field: 'account_update', value: { event: i % 2 ? 'PARTNER_APP_INSTALLED' : 'PARTNER_ADDED', waba_info: { waba_id: wabaId, owner_business_id: `70000000000000${i}` } } }] })),
        // the connected WABA is shared too, but it has a record: not a "shared account"
        { id: '999000111', time: at + 10, changes: [{ field: 'account_update', value: { event: 'PARTNER_ADDED', waba_info: { waba_id: LS.wabaId, owner_business_id: LS.businessId } } }] },
        // the first share ends later
        { id: '999000111', time: at + 20, changes: [{ field: 'account_update', value: { event: 'PARTNER_REMOVED', waba_info: { waba_id: shared[0], owner_business_id: '700000000000000' } } }] },
      ),
    );
    expect((await processAll(t)).failed).toBe(0);

    const seen: { wabaId: string; ownerBusinessId: string | null; sharedAt: string; lastEvent: string; lastEventAt: string; shared: boolean }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await list(`?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json() as { items: typeof seen; nextCursor: string | null };
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen.map((s) => s.wabaId)).toEqual([...shared].reverse());
    expect(seen.at(-1)).toEqual({
      wabaId: shared[0],
      ownerBusinessId: '700000000000000',
      sharedAt: new Date(at * 1000).toISOString(),
      lastEvent: 'PARTNER_REMOVED',
      lastEventAt: new Date((at + 20) * 1000).toISOString(),
      shared: false,
    });
    expect(seen[0]).toMatchObject({ wabaId: shared[4], lastEvent: 'PARTNER_ADDED', shared: true, ownerBusinessId: '700000000000004' });
  });

  it('drops a shared WABA once a record holds it (and shows one whose record no longer names it)', async () => {
    const ids = async () => ((await list('')).json().items as { wabaId: string }[]).map((a) => a.wabaId);
    expect(await ids()).not.toContain(LS.wabaId);
    await db().execute(sql`UPDATE onboarding_records SET waba_id = '800000000000003' WHERE id = ${recordId}`);
    try {
      const now = await ids();
      expect(now).not.toContain('800000000000003');
      expect(now).toContain(LS.wabaId);
    } finally {
      await db().execute(sql`UPDATE onboarding_records SET waba_id = ${LS.wabaId} WHERE id = ${recordId}`);
    }
  });

  it('refuses a foreign cursor naming the field, an unknown query field, and callers without a session', async () => {
    const bad = await list('?cursor=not-a-cursor');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('cursor');
    const foreign = Buffer.from(JSON.stringify(['2026-01-01T00:00:00.000Z', '00000000-0000-4000-8000-000000000000'])).toString('base64url');
    expect((await list(`?cursor=${foreign}`)).statusCode).toBe(400);
    expect((await list('?limit=0')).json().errors[0].path).toBe('limit');
    expect((await list('?state=connected')).statusCode).toBe(400);
    expect((await list('', null)).statusCode).toBe(401);
  });
});
