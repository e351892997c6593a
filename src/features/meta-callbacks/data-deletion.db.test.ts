/**
 * POST /meta/data-deletion and GET /data-deletion/status/:code over app.inject: the answer's exact
 * shape, idempotency on (user_id, issued_at), completion at once when nothing is linked, in_progress
 * when records are, the status page (HTML and JSON) saying so without anyone's ids, and 404s.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, metaCallbacks, privacyRequests } from '../../db/schema.js';
import { buildTestApp, type TestApp } from '../../test-support/test-app.js';
import { useTestDatabase } from '../../test-support/test-db.js';
import { insertRecord, updateRecord } from '../onboarding/onboarding.repo.js';
import { metaAppOf } from '../sandbox/sandbox-meta.js';
import { loadKeyRing } from '../vault/keyring.js';
import { NOTHING_LINKED_NOTE } from './data-deletion.service.js';
import { signRequest } from './signed-request.js';

const tdb = useTestDatabase();
let t: TestApp;
let appSecret: string;

beforeAll(async () => {
  t = await buildTestApp(tdb.current.database);
  appSecret = metaAppOf(t.config, loadKeyRing({ key: t.config.encryptionKey, dataDir: t.config.dataDir, embedded: false })).appSecret;
});
afterAll(async () => {
  await t.app.close();
});

const db = () => tdb.current.database.db;
const issuedAt = () => Math.floor(t.clock.now().getTime() / 1000) - 10;
const signed = (userId: string, at: number | undefined = issuedAt()) => signRequest({ algorithm: 'HMAC-SHA256', expires: (at ?? 0) + 3600, issued_at: at, user_id: userId }, appSecret);
const requestDeletion = (signedRequest: string) =>
  t.app.inject({ method: 'POST', url: '/meta/data-deletion', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `signed_request=${encodeURIComponent(signedRequest)}` });
const status = (code: string, accept?: string) => t.app.inject({ method: 'GET', url: `/data-deletion/status/${code}`, headers: accept ? { accept } : {} });

describe('POST /meta/data-deletion', () => {
  it('answers exactly {url, confirmation_code}; nothing linked: completed at once, and the status page says so', async () => {
    const userId = '218471';
    const res = await requestDeletion(signed(userId));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['confirmation_code', 'url']);
    expect(body.confirmation_code).toMatch(/^[A-Za-z0-9]{16,}$/);
    expect(body.url).toBe(new URL(`/data-deletion/status/${body.confirmation_code}`, t.config.publicUrl).toString());

    const [row] = await db().select().from(privacyRequests).where(eq(privacyRequests.confirmationCode, body.confirmation_code));
    expect(row).toMatchObject({ kind: 'deletion', source: 'meta_callback', state: 'completed', metaUserId: userId, metaIssuedAt: issuedAt(), outcome: { deleted: [], kept: [], note: NOTHING_LINKED_NOTE } });
    expect(row!.completedAt).toEqual(t.clock.now());
    expect(row!.dueAt.getTime() - row!.receivedAt.getTime()).toBe(30 * 24 * 3600_000);
    expect(await db().select().from(auditEvents).where(eq(auditEvents.action, 'privacy.request_received'))).toEqual([
      expect.objectContaining({ actorType: 'meta', targetType: 'privacy_request', targetId: row!.id, details: { kind: 'deletion', source: 'meta_callback' } }),
    ]);
    expect(await db().select().from(metaCallbacks).where(eq(metaCallbacks.metaUserId, userId))).toEqual([expect.objectContaining({ kind: 'data_deletion', issuedAt: issuedAt() })]);

    const json = await status(body.confirmation_code, 'application/json');
    expect(json.statusCode).toBe(200);
    expect(json.json()).toEqual({
      state: 'completed',
      stateText: expect.any(String),
      receivedAt: t.clock.now().toISOString(),
      completedAt: t.clock.now().toISOString(),
      deleted: [],
      kept: [],
      note: NOTHING_LINKED_NOTE,
    });
    expect(json.body).not.toContain(userId);
    expect(json.body).not.toContain(row!.id);

    const html = await status(body.confirmation_code, 'text/html,application/xhtml+xml,*/*;q=0.8');
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.headers['cache-control']).toBe('no-store');
    expect(html.body).toContain('Your request is complete.');
    expect(html.body).toContain(NOTHING_LINKED_NOTE);
    expect(html.body).not.toContain(userId);
    expect(html.body).not.toMatch(/<script/i);
    // without an Accept header a browser-ish client gets the page too
    expect((await status(body.confirmation_code)).headers['content-type']).toContain('text/html');
  });

  it('returns the same code for a repeat of (user_id, issued_at), a new one for a new issued_at', async () => {
    const userId = '5550001';
    const sr = signed(userId);
    const first = (await requestDeletion(sr)).json();
    const again = (await requestDeletion(sr)).json();
    expect(again).toEqual(first);
    const [a, b] = await Promise.all([requestDeletion(signed(userId, issuedAt() - 60)), requestDeletion(signed(userId, issuedAt() - 60))]);
    expect(a.json()).toEqual(b.json());
    expect(a.json().confirmation_code).not.toBe(first.confirmation_code);
    expect(await db().select().from(privacyRequests).where(eq(privacyRequests.metaUserId, userId))).toHaveLength(2);
    expect(await db().select().from(metaCallbacks).where(eq(metaCallbacks.metaUserId, userId))).toHaveLength(4);
    // without issued_at a repeat is still the same request
    const noTime = signRequest({ algorithm: 'HMAC-SHA256', user_id: userId }, appSecret);
    const n1 = (await requestDeletion(noTime)).json();
    expect((await requestDeletion(noTime)).json()).toEqual(n1);
  });

  it('keeps a request in_progress when onboarding records are linked to the Meta user', async () => {
    const userId = '5550002';
    const rec = await insertRecord(db(), { attemptId: 'deletion-linked-1', startedBy: null, linkId: null, at: t.clock.now() });
    await updateRecord(db(), rec.id, { metaUserId: userId }, t.clock.now());
    const rec2 = await insertRecord(db(), { attemptId: 'deletion-linked-2', startedBy: null, linkId: null, at: t.clock.now() });
    await updateRecord(db(), rec2.id, { tokenUserId: userId }, t.clock.now());
    const body = (await requestDeletion(signed(userId))).json();
    const [row] = await db().select().from(privacyRequests).where(eq(privacyRequests.confirmationCode, body.confirmation_code));
    expect(row).toMatchObject({ state: 'in_progress', completedAt: null, outcome: { linkedRecords: 2 } });
    const json = await status(body.confirmation_code, 'application/json');
    expect(json.json()).toMatchObject({ state: 'in_progress', completedAt: null, deleted: [], kept: [], note: null });
    expect(json.body).not.toContain(userId);
    expect(json.body).not.toContain(rec.id);
    expect(json.body).not.toContain('linkedRecords');
  });
});

describe('GET /data-deletion/status/:code', () => {
  it('404s an unknown or malformed code: problem+json for JSON clients, a page for browsers', async () => {
    for (const code of ['AAAAAAAAAAAAAAAAAAAA', 'short', 'not-a-code-at-all-0000']) {
      const json = await status(code, 'application/json');
      expect(json.statusCode).toBe(404);
      expect(json.headers['content-type']).toContain('application/problem+json');
      expect(json.json()).toMatchObject({ code: 'not_found' });
      const html = await status(code, 'text/html');
      expect(html.statusCode).toBe(404);
      expect(html.headers['content-type']).toContain('text/html');
      expect(html.body).toContain('Request not found');
    }
  });

  it('escapes what the privacy workflow wrote', async () => {
    const body = (await requestDeletion(signed('5550003'))).json();
    await db()
      .update(privacyRequests)
      .set({ outcome: { deleted: ['<b>records</b>'], kept: [{ what: 'invoices', why: '<script>alert(1)</script> tax law' }], note: '"quoted" & <i>' } })
      .where(eq(privacyRequests.confirmationCode, body.confirmation_code));
    const html = (await status(body.confirmation_code, 'text/html')).body;
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>records');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62; tax law');
    expect(html).toContain('&#34;quoted&#34; &#38; &#60;i&#62;');
  });
});
