/**
 * The privacy request queue and "My data" over HTTP: who may call what, every state change (and
 * only those canMove allows) audited, manual verification, the one extension, rejection,
 * cancellation, fulfilment refused before verification, self requests, Meta-originated deletion
 * with the public status page, and legal holds.
 */
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, erasureLog, legalHolds, onboardingRecords, outboxMails, privacyRequests } from '../../../db/schema.js';
import { buildTestApp, createUser, sameOrigin, signInCookie, type TestApp } from '../../../test-support/test-app.js';
import { useTestDatabase } from '../../../test-support/test-db.js';
import type { UserRow } from '../../access/users.repo.js';
import { insertRecord, updateRecord } from '../../onboarding/onboarding.repo.js';
import { newConfirmationCode } from '../../meta-callbacks/data-deletion.service.js';
import { addMonths } from '../request-states.js';

const tdb = useTestDatabase();
let t: TestApp;
let owner: UserRow;
let admin: UserRow;
let operator: UserRow;
let viewer: UserRow;
const cookie: Record<string, string> = {};

beforeAll(async () => {
  t = await buildTestApp(tdb.current.database);
  owner = await createUser(tdb.current.database, 'owner');
  admin = await createUser(tdb.current.database, 'admin');
  operator = await createUser(tdb.current.database, 'operator');
  viewer = await createUser(tdb.current.database, 'viewer');
  for (const u of [owner, admin, operator, viewer]) cookie[u.id] = await signInCookie(t, u.email);
});
afterAll(async () => {
  await t.app.close();
});

const db = () => tdb.current.database.db;
const call = (as: UserRow, method: 'GET' | 'POST', url: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: { ...sameOrigin, cookie: cookie[as.id]! }, ...(method === 'POST' ? { payload: (payload ?? {}) as object } : {}) });
const actionsOf = async (id: string) =>
  (await db().select().from(auditEvents).where(and(eq(auditEvents.targetType, 'privacy_request'), eq(auditEvents.targetId, id))).orderBy(auditEvents.id)).map((e) => e.action);

describe('permissions', () => {
  it('the queue is for owners and admins; My data is for everyone', async () => {
    for (const u of [owner, admin]) expect((await call(u, 'GET', '/api/v1/privacy-requests')).statusCode).toBe(200);
    for (const u of [operator, viewer]) {
      expect((await call(u, 'GET', '/api/v1/privacy-requests')).statusCode).toBe(403);
      expect((await call(u, 'POST', '/api/v1/privacy-requests', { kind: 'access', subjectUserId: u.id })).statusCode).toBe(403);
      expect((await call(u, 'GET', '/api/v1/me/privacy-requests')).statusCode).toBe(200);
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me/privacy-requests' })).statusCode).toBe(401);
  });
});

describe('life cycle', () => {
  it('an admin files for a user without verifying: received; fulfilment refused until verified with a reason', async () => {
    const res = await call(admin, 'POST', '/api/v1/privacy-requests', { kind: 'access', subjectUserId: viewer.id });
    expect(res.statusCode).toBe(201);
    const req = res.json().request;
    expect(req).toMatchObject({ state: 'received', source: 'admin', verifiedHow: null });
    const refused = await call(admin, 'POST', `/api/v1/privacy-requests/${req.id}/fulfil`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toMatch(/not verified/);
    // an unverified request releases nothing
    expect((await call(admin, 'GET', `/api/v1/privacy-requests/${req.id}/export`)).statusCode).toBe(409);
    const missingReason = await call(admin, 'POST', `/api/v1/privacy-requests/${req.id}/verify`, {});
    expect(missingReason.statusCode).toBe(400);
    expect(missingReason.json().errors[0].path).toBe('reason');
    const verified = await call(admin, 'POST', `/api/v1/privacy-requests/${req.id}/verify`, { reason: 'asked in person at the office' });
    expect(verified.json().request).toMatchObject({ state: 'in_progress', verifiedHow: 'admin' });
    expect((await call(admin, 'POST', `/api/v1/privacy-requests/${req.id}/verify`, { reason: 'again' })).statusCode).toBe(409);
    const done = await call(admin, 'POST', `/api/v1/privacy-requests/${req.id}/fulfil`);
    expect(done.json().request).toMatchObject({ state: 'completed', outcome: { export: true } });
    const dl = await call(admin, 'GET', `/api/v1/privacy-requests/${req.id}/export`);
    expect(dl.statusCode).toBe(200);
    expect(dl.headers['content-disposition']).toMatch(/attachment/);
    expect(dl.json().account.email).toBe(viewer.email);
    // the subject downloads it too; another user cannot
    expect((await call(viewer, 'GET', `/api/v1/me/privacy-requests/${req.id}/export?format=text`)).body).toContain(viewer.email);
    expect((await call(operator, 'GET', `/api/v1/me/privacy-requests/${req.id}/export`)).statusCode).toBe(404);
    expect(await actionsOf(req.id)).toEqual(['privacy.request_received', 'privacy.request_verified', 'privacy.request_completed', 'privacy.export_downloaded', 'privacy.export_downloaded']);
    // final: nothing moves any more
    for (const a of ['reject', 'cancel', 'extend']) expect((await call(admin, 'POST', `/api/v1/privacy-requests/${req.id}/${a}`, { reason: 'too late now' })).statusCode).toBe(409);
    const detail = (await call(owner, 'GET', `/api/v1/privacy-requests/${req.id}`)).json();
    expect(detail.trail.map((e: { action: string }) => e.action)).toContain('privacy.request_verified');
    expect(detail.request.verifyReason).toBe('asked in person at the office');
    expect(detail.can).toEqual({ verify: false, extend: false, reject: false, cancel: false, fulfil: false, download: true });
  });

  it('extends once by two months, with a reason', async () => {
    const req = (await call(owner, 'POST', '/api/v1/privacy-requests', { kind: 'access', email: 'nobody-here@example.test' })).json().request;
    const first = await call(owner, 'POST', `/api/v1/privacy-requests/${req.id}/extend`, { reason: 'complex search across archives' });
    expect(first.statusCode).toBe(200);
    expect(new Date(first.json().request.dueAt)).toEqual(addMonths(new Date(req.dueAt), 2));
    const second = await call(owner, 'POST', `/api/v1/privacy-requests/${req.id}/extend`, { reason: 'still more' });
    expect(second.statusCode).toBe(409);
    expect(second.json().detail).toMatch(/already extended/);
    const rejected = await call(owner, 'POST', `/api/v1/privacy-requests/${req.id}/reject`, { reason: 'no account uses this email' });
    expect(rejected.json().request).toMatchObject({ state: 'rejected', rejectionReason: 'no account uses this email' });
    expect(await actionsOf(req.id)).toEqual(['privacy.request_received', 'privacy.request_extended', 'privacy.request_rejected']);
  });

  it('the queue filters and pages by due date, overdue and due soon standing out', async () => {
    const now = t.clock.now();
    const mk = async (receivedDaysAgo: number, kind = 'deletion') => {
      const at = new Date(now.getTime() - receivedDaysAgo * 86_400_000);
      const [r] = await db()
        .insert(privacyRequests)
        .values({ kind, source: 'public_form', state: 'in_progress', confirmationCode: newConfirmationCode(), receivedAt: at, dueAt: addMonths(at, 1), updatedAt: at, email: `q${receivedDaysAgo}@example.test`, verifiedAt: at, verifiedHow: 'email_link' })
        .returning();
      return r!;
    };
    const overdue = await mk(40);
    const soon = await mk(27);
    await mk(2);
    const o = (await call(admin, 'GET', '/api/v1/privacy-requests?urgency=overdue')).json();
    expect(o.items.map((i: { id: string }) => i.id)).toEqual([overdue.id]);
    expect(o.items[0].urgency).toBe('overdue');
    const s = (await call(admin, 'GET', '/api/v1/privacy-requests?urgency=due_soon')).json();
    expect(s.items.map((i: { id: string }) => i.id)).toEqual([soon.id]);
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { dueAt: string }[]; nextCursor: string | null } = (await call(admin, 'GET', `/api/v1/privacy-requests?state=open&kind=deletion&limit=1${cursor ? `&cursor=${cursor}` : ''}`)).json();
      all.push(...page.items.map((i: { dueAt: string }) => i.dueAt));
      cursor = page.nextCursor;
    } while (cursor);
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect([...all].sort()).toEqual(all);
    expect((await call(admin, 'GET', '/api/v1/privacy-requests?cursor=garbage')).statusCode).toBe(400);
  });

  it('cancellation by an admin and by the requester; not of someone else’s request', async () => {
    const mine = (await call(operator, 'POST', '/api/v1/me/privacy-requests', { kind: 'deletion', message: 'please remove me' })).json().request;
    expect(mine).toMatchObject({ state: 'in_progress', source: 'self', verifiedHow: 'session' });
    expect((await call(viewer, 'POST', `/api/v1/me/privacy-requests/${mine.id}/cancel`)).statusCode).toBe(404);
    expect((await call(operator, 'POST', '/api/v1/me/privacy-requests', { kind: 'deletion' })).statusCode).toBe(409); // one open at a time
    const cancelled = await call(operator, 'POST', `/api/v1/me/privacy-requests/${mine.id}/cancel`);
    expect(cancelled.json().request.state).toBe('cancelled');
    const other = (await call(admin, 'POST', '/api/v1/privacy-requests', { kind: 'deletion', subjectUserId: operator.id })).json().request;
    expect((await call(admin, 'POST', `/api/v1/privacy-requests/${other.id}/cancel`, {})).json().request.state).toBe('cancelled');
    expect(await actionsOf(other.id)).toEqual(['privacy.request_received', 'privacy.request_cancelled']);
  });

  it('the last owner cannot ask for (or be given) their own deletion', async () => {
    const res = await call(owner, 'POST', '/api/v1/me/privacy-requests', { kind: 'deletion' });
    expect(res.statusCode).toBe(409);
    expect(res.json().detail).toMatch(/last active owner/);
    const filed = (await call(admin, 'POST', '/api/v1/privacy-requests', { kind: 'deletion', subjectUserId: owner.id, verifyReason: 'owner asked by phone' })).json().request;
    const refused = await call(owner, 'POST', `/api/v1/privacy-requests/${filed.id}/fulfil`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toMatch(/last active owner/);
    const [row] = await db().select().from(privacyRequests).where(eq(privacyRequests.id, filed.id));
    expect(row!.state).toBe('in_progress');
  });
});

describe('My data', () => {
  it('an own access request is fulfilled at once and listed; a name correction is applied at once', async () => {
    const u = await createUser(tdb.current.database, 'viewer');
    cookie[u.id] = await signInCookie(t, u.email);
    const res = await call(u, 'POST', '/api/v1/me/privacy-requests', { kind: 'access' });
    expect(res.statusCode).toBe(201);
    expect(res.json().request).toMatchObject({ state: 'completed', kind: 'access', outcome: { export: true } });
    const fix = await call(u, 'POST', '/api/v1/me/privacy-requests', { kind: 'correction', correction: { displayName: 'Corrected Name' } });
    expect(fix.json().request).toMatchObject({ state: 'completed', outcome: { corrected: ['display name'] } });
    const list = (await call(u, 'GET', '/api/v1/me/privacy-requests')).json().items;
    expect(list.map((i: { kind: string }) => i.kind).sort()).toEqual(['access', 'correction']);
    const dl = await call(u, 'GET', `/api/v1/me/privacy-requests/${res.json().request.id}/export`);
    expect(dl.json().account.displayName).toBe('Corrected Name');
    const blank = await call(u, 'POST', '/api/v1/me/privacy-requests', { kind: 'correction', correction: {} });
    expect(blank.statusCode).toBe(400);
  });
});

describe('Meta-originated deletion', () => {
  it('removes the Meta user id from the linked records, skips held ones, and the status page shows the outcome', async () => {
    const at = t.clock.now();
    const free = await insertRecord(db(), { attemptId: 'att-free', startedBy: admin.id, linkId: null, at });
    await updateRecord(db(), free.id, { metaUserId: 'fb-777', wabaId: 'waba-1', businessName: 'Shop' }, at);
    const held = await insertRecord(db(), { attemptId: 'att-held', startedBy: admin.id, linkId: null, at });
    await updateRecord(db(), held.id, { tokenUserId: 'fb-777', wabaId: 'waba-2' }, at);
    await db().insert(legalHolds).values({ subjectType: 'onboarding', subjectId: held.id, reason: 'dispute with Meta', placedBy: owner.id, placedAt: at });
    const [req] = await db()
      .insert(privacyRequests)
      .values({ kind: 'deletion', source: 'meta_callback', state: 'in_progress', metaUserId: 'fb-777', metaIssuedAt: 1, confirmationCode: newConfirmationCode(), receivedAt: at, dueAt: addMonths(at, 1), updatedAt: at, verifiedAt: at, verifiedHow: 'meta_signature', outcome: { linkedRecords: 2 } })
      .returning();
    const detail = (await call(admin, 'GET', `/api/v1/privacy-requests/${req!.id}`)).json();
    expect(detail.request).toMatchObject({ metaOriginated: true, requester: 'Facebook user (Meta callback)' });
    const res = await call(admin, 'POST', `/api/v1/privacy-requests/${req!.id}/fulfil`);
    expect(res.statusCode).toBe(200);
    const [f] = await db().select().from(onboardingRecords).where(eq(onboardingRecords.id, free.id));
    expect(f).toMatchObject({ metaUserId: null, wabaId: 'waba-1', businessName: 'Shop' });
    const [h] = await db().select().from(onboardingRecords).where(eq(onboardingRecords.id, held.id));
    expect(h!.tokenUserId).toBe('fb-777');
    const page = await t.app.inject({ method: 'GET', url: `/data-deletion/status/${req!.confirmationCode}`, headers: { accept: 'application/json' } });
    const body = page.json();
    expect(body.state).toBe('completed');
    expect(body.deleted).toEqual(['your Facebook user id on 1 WhatsApp onboarding record']);
    expect(body.kept.map((k: { why: string }) => k.why).join(' ')).toMatch(/legal hold/);
    expect(JSON.stringify(body)).not.toContain('fb-777');
    expect(await db().select({ action: erasureLog.action, details: erasureLog.details }).from(erasureLog).where(eq(erasureLog.subjectId, 'fb-777'))).toEqual([{ action: 'meta_user', details: { recordIds: [free.id], requestId: req!.id } }]);
  });
});

describe('email correction', () => {
  it('is confirmed at the new address: single use, then the email changes, other sessions end, the request completes', async () => {
    const u = await createUser(tdb.current.database, 'viewer');
    cookie[u.id] = await signInCookie(t, u.email);
    const otherSession = await signInCookie(t, u.email);
    const taken = await call(admin, 'POST', '/api/v1/privacy-requests', { kind: 'correction', subjectUserId: u.id, correction: { email: viewer.email } });
    expect(taken.statusCode).toBe(400);
    expect(taken.json().errors[0].path).toBe('correction.email');
    const filed = (await call(admin, 'POST', '/api/v1/privacy-requests', { kind: 'correction', subjectUserId: u.id, correction: { email: 'New.Address@Example.test' }, verifyReason: 'asked from the old address' })).json().request;
    const res = await call(admin, 'POST', `/api/v1/privacy-requests/${filed.id}/fulfil`);
    expect(res.json().request).toMatchObject({ state: 'in_progress', outcome: { pending: 'email' } });
    const [mail] = await db().select().from(outboxMails).where(eq(outboxMails.to, 'new.address@example.test'));
    const token = /#token=([A-Za-z0-9_-]+)/.exec(mail!.text)![1]!;
    // someone else's session cannot use it
    expect((await call(viewer, 'POST', '/api/v1/me/email-change/confirm', { token })).statusCode).toBe(404);
    const ok = await call(u, 'POST', '/api/v1/me/email-change/confirm', { token });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().user.email).toBe('new.address@example.test');
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: otherSession } })).statusCode).toBe(401);
    expect((await call(u, 'GET', '/api/v1/me/privacy-requests')).statusCode).toBe(200);
    expect((await call(u, 'POST', '/api/v1/me/email-change/confirm', { token })).statusCode).toBe(404);
    const [row] = await db().select().from(privacyRequests).where(eq(privacyRequests.id, filed.id));
    expect(row!.state).toBe('completed');
    expect(await actionsOf(filed.id)).toEqual(['privacy.request_received', 'privacy.request_verified', 'privacy.request_completed']);
    const changed = await db().select().from(auditEvents).where(eq(auditEvents.action, 'privacy.email_changed'));
    expect(changed[0]!.details).toEqual({ sessionsEnded: 1 });
    expect(JSON.stringify(changed[0]!.details)).not.toContain('@');
  });

  it('other fields need an admin and a reason', async () => {
    const u = await createUser(tdb.current.database, 'viewer');
    cookie[u.id] = await signInCookie(t, u.email);
    const filed = (await call(u, 'POST', '/api/v1/me/privacy-requests', { kind: 'correction', correction: { other: 'my phone on link "Shop" is wrong' } })).json().request;
    expect(filed.state).toBe('in_progress');
    const noReason = await call(admin, 'POST', `/api/v1/privacy-requests/${filed.id}/fulfil`);
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().errors[0].path).toBe('reason');
    const done = await call(admin, 'POST', `/api/v1/privacy-requests/${filed.id}/fulfil`, { reason: 'phone on the link corrected by hand' });
    expect(done.json().request.outcome.corrected).toEqual(['other fields, by an administrator: phone on the link corrected by hand']);
  });

  it('"My data" files and fulfils a copy in one transaction: a failed fulfilment leaves no request behind to block the retry', async () => {
    const count = async () => (await db().select().from(privacyRequests).where(and(eq(privacyRequests.subjectUserId, viewer.id), eq(privacyRequests.kind, 'access')))).length;
    const before = await count();
    // the completing UPDATE fails (as a crash between filing and fulfilling would cut it short)
    await db().execute(sql`CREATE FUNCTION refuse_completion() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.state = 'completed' THEN RAISE EXCEPTION 'refused by test'; END IF; RETURN NEW; END $$`);
    await db().execute(sql`CREATE TRIGGER refuse_completion BEFORE UPDATE ON privacy_requests FOR EACH ROW EXECUTE FUNCTION refuse_completion()`);
    try {
      expect((await call(viewer, 'POST', '/api/v1/me/privacy-requests', { kind: 'access' })).statusCode).toBe(500);
      expect(await count()).toBe(before);
    } finally {
      await db().execute(sql`DROP TRIGGER refuse_completion ON privacy_requests`);
      await db().execute(sql`DROP FUNCTION refuse_completion()`);
    }
    const retry = await call(viewer, 'POST', '/api/v1/me/privacy-requests', { kind: 'access' });
    expect(retry.statusCode).toBe(201);
    expect(retry.json().request.state).toBe('completed');
    expect(await count()).toBe(before + 1);
  });
});
