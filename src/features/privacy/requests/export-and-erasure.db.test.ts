/**
 * One person with rows in every table that can hold their data: the access export carries every
 * one of them; a verified deletion request then erases them, and a scan of every text, jsonb and
 * array column of every table (information_schema) finds their email and name only in the
 * documented exception (the deletion request itself, proof of handling). A legal hold keeps a
 * held user's data untouched, and the status page shows the outcome.
 */
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditEvents,
  auditPersonalValues,
  deviceLocks,
  emailChanges,
  erasureLog,
  invitations,
  legalHolds,
  loginActivity,
  outboxMails,
  privacyRequests,
  setupTokens,
  users,
} from '../../../db/schema.js';
import { buildTestApp, createUser, sameOrigin, signInCookie, type TestApp } from '../../../test-support/test-app.js';
import { useTestDatabase } from '../../../test-support/test-db.js';
import type { Executor } from '../../../db/client.js';
import type { UserRow } from '../../access/users.repo.js';
import { hashToken, newToken } from '../../../lib/tokens.js';
import { newConfirmationCode } from '../../meta-callbacks/data-deletion.service.js';
import { insertRecord, updateRecord } from '../../onboarding/onboarding.repo.js';
import { insertLink } from '../../onboarding/customer-links/customer-links.repo.js';
import { addMonths } from '../request-states.js';

const tdb = useTestDatabase();
let t: TestApp;
let owner: UserRow;
let admin: UserRow;
let erin: UserRow;
const cookie: Record<string, string> = {};

const EMAIL = 'erin.quillfeather@example.test';
const NAME = 'Erin Quillfeather';

beforeAll(async () => {
  t = await buildTestApp(tdb.current.database);
  owner = await createUser(tdb.current.database, 'owner');
  admin = await createUser(tdb.current.database, 'admin');
  erin = await createUser(tdb.current.database, 'operator', { email: EMAIL });
  for (const u of [owner, admin, erin]) cookie[u.id] = await signInCookie(t, u.email);
});
afterAll(async () => {
  await t.app.close();
});

const db = () => tdb.current.database.db;
const call = (as: UserRow, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: { ...sameOrigin, cookie: cookie[as.id]! }, ...(method === 'GET' ? {} : { payload: (payload ?? {}) as object }) });

/** Every (table, column) whose value contains `needle` (case-insensitive), with the row's id where there is one. */
async function scan(ex: Executor, needle: string): Promise<string[]> {
  const cols = await ex.execute<{ table_name: string; column_name: string; data_type: string }>(sql`
    SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
    JOIN information_schema.tables tb ON tb.table_schema = c.table_schema AND tb.table_name = c.table_name AND tb.table_type = 'BASE TABLE'
    WHERE c.table_schema = 'public' AND c.data_type IN ('text', 'character varying', 'jsonb', 'json', 'ARRAY', 'USER-DEFINED')
    ORDER BY c.table_name, c.column_name`);
  const hits: string[] = [];
  for (const c of cols.rows) {
    const q = `SELECT count(*)::int AS n FROM "${c.table_name}" WHERE "${c.column_name}"::text ILIKE $1`;
    const r = await tdb.current.database.pool.query<{ n: number }>(q, [`%${needle}%`]);
    if (r.rows[0]!.n > 0) hits.push(`${c.table_name}.${c.column_name}`);
  }
  return hits;
}

describe('access export and deletion of one person', () => {
  let accessId: string;
  let deletionId: string;
  let deletionCode: string;

  it('gives the person rows in every table that can hold their data', async () => {
    const at = t.clock.now();
    // profile change by themselves (audit actor, personal values), a role change by an admin (target)
    await call(erin, 'PATCH', '/api/v1/me', { displayName: NAME });
    expect((await call(owner, 'PATCH', `/api/v1/users/${erin.id}/role`, { role: 'viewer' })).statusCode).toBe(200);
    cookie[erin.id] = await signInCookie(t, EMAIL); // the role change ended their sessions
    // a failed sign-in, and an attempt that typed the email before the account existed
    await t.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', headers: sameOrigin, payload: { email: EMAIL, password: 'wrong password here' } });
    await db().insert(loginActivity).values({ at, result: 'failure', reason: 'unknown_user', attemptedEmail: EMAIL, ip: '198.51.100.7', userAgent: 'probe' });
    await db().insert(deviceLocks).values({ deviceId: 'dev-erin', userId: erin.id, failedCount: 2 });
    await db().insert(invitations).values({ userId: erin.id, tokenHash: hashToken(newToken()), invitedBy: owner.id, createdAt: at, expiresAt: at, usedAt: at });
    expect((await call(admin, 'POST', `/api/v1/users/${erin.id}/password-reset`)).statusCode).toBe(200); // password_resets + an outbox mail
    await db().insert(setupTokens).values({ tokenHash: hashToken(newToken()), email: EMAIL, displayName: NAME, expiresAt: at });
    await db().insert(emailChanges).values({ userId: erin.id, newEmail: 'erin.elsewhere@example.test', tokenHash: hashToken(newToken()), createdAt: at, expiresAt: at });
    const record = await insertRecord(db(), { attemptId: 'erin-attempt', startedBy: erin.id, linkId: null, at });
    await updateRecord(db(), record.id, { wabaId: 'waba-erin', businessName: 'Erin Bakery' }, at);
    await insertLink(db(), { tokenHash: hashToken(newToken()), label: 'link by erin', createdBy: erin.id, expiresAt: at, prefillPurgeAfter: at, email: 'customer@example.test' });
    await insertLink(db(), { tokenHash: hashToken(newToken()), label: 'link naming erin', createdBy: admin.id, expiresAt: at, prefillPurgeAfter: at, email: EMAIL });
    await db().insert(outboxMails).values({ to: 'colleague@example.test', subject: 'Note', text: `${NAME} <${EMAIL}> joined the team.` });
    // an earlier public request by the same person (with their words), its audit value filed under the request
    const [earlier] = await db()
      .insert(privacyRequests)
      .values({ kind: 'deletion', source: 'public_form', state: 'cancelled', confirmationCode: newConfirmationCode(), receivedAt: at, dueAt: addMonths(at, 1), updatedAt: at, email: EMAIL, message: `I am ${NAME}`, details: { scope: 'all' } })
      .returning();
    const [ev] = await db().insert(auditEvents).values({ actorType: 'customer', action: 'privacy.request_received', targetType: 'privacy_request', targetId: earlier!.id, details: {} }).returning();
    await db().insert(auditPersonalValues).values({ eventId: ev!.id, field: 'email', kind: 'value', subjectType: 'person', subjectId: earlier!.id, value: EMAIL });

    const filed = await call(erin, 'POST', '/api/v1/me/privacy-requests', { kind: 'access', message: 'copy please' });
    expect(filed.json().request.state).toBe('completed');
    accessId = filed.json().request.id;

    // the scan sees them in many places before the deletion (so its silence later means something)
    const before = await scan(db(), EMAIL);
    expect(before).toEqual(expect.arrayContaining(['users.email', 'login_activity.attempted_email', 'outbox_mails.to', 'setup_tokens.email', 'onboarding_links.email', 'privacy_requests.email', 'audit_personal_values.value']));
    expect(await scan(db(), NAME)).toEqual(expect.arrayContaining(['users.display_name', 'audit_personal_values.value', 'outbox_mails.text', 'privacy_requests.message', 'setup_tokens.display_name']));
  });

  it('the export contains every one of those rows, and no secret', async () => {
    const res = await call(erin, 'GET', `/api/v1/me/privacy-requests/${accessId}/export`);
    expect(res.statusCode).toBe(200);
    const x = res.json();
    expect(x.account).toMatchObject({ id: erin.id, email: EMAIL, displayName: NAME, role: 'viewer' });
    expect(x.statusHistory.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['user.role_changed']));
    expect(x.auditEvents.some((e: { role: string; action: string; personalValues: { value: string }[] }) => e.role === 'actor' && e.action === 'profile.updated' && e.personalValues.some((p) => p.value === NAME))).toBe(true);
    expect(x.auditEvents.some((e: { role: string; action: string }) => e.role === 'target' && e.action === 'user.role_changed')).toBe(true);
    expect(x.loginActivity.map((l: { result: string }) => l.result).sort()).toEqual(['failure', 'failure', 'success', 'success']);
    expect(x.loginActivity.some((l: { attemptedEmail: string | null }) => l.attemptedEmail === EMAIL)).toBe(true);
    expect(x.sessions.length).toBeGreaterThan(0);
    expect(x.deviceLocks).toEqual([expect.objectContaining({ failedCount: 2 })]);
    expect(x.invitations).toHaveLength(1);
    expect(x.passwordResets).toHaveLength(1);
    expect(x.setupLinks).toEqual([expect.objectContaining({ email: EMAIL })]);
    expect(x.emailChanges).toEqual([expect.objectContaining({ newEmail: 'erin.elsewhere@example.test' })]);
    expect(x.onboardingRecordsStarted).toEqual([expect.objectContaining({ wabaId: 'waba-erin', businessName: 'Erin Bakery' })]);
    expect(x.onboardingLinksCreated.map((l: { label: string }) => l.label).sort()).toEqual(['link by erin', 'link naming erin']);
    expect(x.privacyRequests.map((r: { id: string }) => r.id)).toContain(accessId);
    expect(x.privacyRequests.some((r: { message: string | null }) => r.message === `I am ${NAME}`)).toBe(true);
    expect(x.otherAuditEventsWithYourValues.length + x.auditEvents.length).toBeGreaterThan(2);
    expect(x.outboxMails.some((m: { subject: string }) => /password/i.test(m.subject))).toBe(true);
    expect(x.summary).toContain(EMAIL);
    expect(res.body).not.toMatch(/token_?hash|password_?hash|\$argon2/i);
    const text = await call(erin, 'GET', `/api/v1/me/privacy-requests/${accessId}/export?format=text`);
    expect(text.headers['content-type']).toContain('text/plain');
    expect(text.body).toContain('sign-in attempts');
    const downloads = await db().select().from(auditEvents).where(eq(auditEvents.action, 'privacy.export_downloaded'));
    expect(downloads.map((d) => d.details)).toEqual([{ by: 'subject', format: 'json' }, { by: 'subject', format: 'text' }]);
  });

  it('a verified public deletion request erases them; the email and name remain only in the request itself', async () => {
    const at = t.clock.now();
    deletionCode = newConfirmationCode();
    const [row] = await db()
      .insert(privacyRequests)
      .values({ kind: 'deletion', source: 'public_form', state: 'in_progress', confirmationCode: deletionCode, receivedAt: at, dueAt: addMonths(at, 1), updatedAt: at, email: EMAIL, message: `Delete everything about ${NAME}`, details: { scope: 'all' }, verifiedAt: at, verifiedHow: 'email_link' })
      .returning();
    deletionId = row!.id;
    const res = await call(owner, 'POST', `/api/v1/privacy-requests/${deletionId}/fulfil`);
    expect(res.statusCode).toBe(200);
    const outcome = res.json().request.outcome;
    expect(res.json().request.state).toBe('completed');
    expect(outcome.deleted.join('\n')).toMatch(/pseudonym/);
    expect(outcome.deleted.join('\n')).toMatch(/sign-in activity/);
    expect(outcome.kept.map((k: { why: string }) => k.why).join('\n')).toMatch(/proof/);

    expect(await scan(db(), EMAIL)).toEqual(['privacy_requests.email']);
    const holders = await db().select({ id: privacyRequests.id }).from(privacyRequests).where(sql`${privacyRequests.email} ILIKE ${EMAIL}`);
    expect(holders.map((h) => h.id)).toEqual([deletionId]);
    expect(await scan(db(), NAME)).toEqual([]);

    const [u] = await db().select().from(users).where(eq(users.id, erin.id));
    expect(u).toMatchObject({ status: 'removed', passwordHash: null });
    expect(await db().select().from(loginActivity).where(eq(loginActivity.userId, erin.id))).toEqual([]);
    // recorded for restores from older backups (src/features/backup)
    expect(await db().select({ action: erasureLog.action, details: erasureLog.details }).from(erasureLog).where(eq(erasureLog.subjectId, erin.id))).toEqual([{ action: 'user_deleted', details: { requestId: deletionId } }]);
    // the audit trail stays, pseudonymous
    expect((await db().select().from(auditEvents).where(eq(auditEvents.actorId, erin.id))).length).toBeGreaterThan(0);
    // the removed person's session no longer works
    expect((await call(erin, 'GET', '/api/v1/me/privacy-requests')).statusCode).toBe(401);
  });

  it('the public status page shows the outcome', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/data-deletion/status/${deletionCode}`, headers: { accept: 'application/json' } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.state).toBe('completed');
    expect(body.deleted.length).toBeGreaterThan(2);
    expect(body.kept.length).toBeGreaterThan(0);
    expect(res.body).not.toContain(EMAIL);
  });
});

describe('legal hold', () => {
  it('a held user is not deleted, and the outcome says why', async () => {
    const held = await createUser(tdb.current.database, 'viewer', { email: 'held.person@example.test' });
    await db().insert(legalHolds).values({ subjectType: 'user', subjectId: held.id, reason: 'litigation', placedBy: owner.id, placedAt: t.clock.now() });
    const filed = (await call(admin, 'POST', '/api/v1/privacy-requests', { kind: 'deletion', subjectUserId: held.id, verifyReason: 'identity checked by video call' })).json().request;
    const res = await call(admin, 'POST', `/api/v1/privacy-requests/${filed.id}/fulfil`);
    expect(res.json().request).toMatchObject({ state: 'completed', outcome: { deleted: [] } });
    expect(res.json().request.outcome.kept[0].why).toMatch(/legal hold/);
    const [u] = await db().select().from(users).where(eq(users.id, held.id));
    expect(u).toMatchObject({ email: 'held.person@example.test', status: 'active' });
  });

  it('an admin cannot remove an owner through a request (the users page rule: rank ceiling)', async () => {
    const second = await createUser(tdb.current.database, 'owner');
    const filed = (await call(admin, 'POST', '/api/v1/privacy-requests', { kind: 'deletion', subjectUserId: second.id, verifyReason: 'asked in writing' })).json().request;
    expect((await call(admin, 'POST', `/api/v1/privacy-requests/${filed.id}/fulfil`)).statusCode).toBe(403);
    expect((await call(owner, 'POST', `/api/v1/privacy-requests/${filed.id}/fulfil`)).json().request.state).toBe('completed');
  });
});

describe('scope chosen on the public form', () => {
  it('deletes only the sign-in history when that is all that was asked for', async () => {
    const u = await createUser(tdb.current.database, 'viewer', { email: 'only.history@example.test' });
    await signInCookie(t, u.email);
    expect((await db().select().from(loginActivity).where(eq(loginActivity.userId, u.id))).length).toBe(1);
    const at = t.clock.now();
    const [row] = await db()
      .insert(privacyRequests)
      .values({ kind: 'deletion', source: 'public_form', state: 'in_progress', confirmationCode: newConfirmationCode(), receivedAt: at, dueAt: addMonths(at, 1), updatedAt: at, email: u.email, subjectUserId: u.id, details: { scope: ['sign_in_history'] }, verifiedAt: at, verifiedHow: 'email_link' })
      .returning();
    const res = await call(owner, 'POST', `/api/v1/privacy-requests/${row!.id}/fulfil`);
    expect(res.json().request.outcome.deleted).toEqual(['1 sign-in activity entry']);
    expect(res.json().request.outcome.kept[0].why).toMatch(/not part of this request/);
    expect(await db().select().from(loginActivity).where(eq(loginActivity.userId, u.id))).toEqual([]);
    const [still] = await db().select().from(users).where(eq(users.id, u.id));
    expect(still).toMatchObject({ email: 'only.history@example.test', status: 'active' });
  });
});
