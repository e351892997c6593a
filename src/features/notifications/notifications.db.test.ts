/**
 * Each trigger through its real producer (webhook processing, the onboarding step engine, the
 * scans, the purge, the chain verification), then the delivery job's service: exactly one
 * notification per occurrence, to exactly the users whose role may act on it, mailed to a real SMTP
 * server unless the user turned the category off.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { onboardingPhoneNumbers, onboardingRecords, privacyRequests } from '../../db/schema.js';
import { createLogger } from '../../logger.js';
import { buildTestApp, createUser, sameOrigin, signInCookie, type TestApp } from '../../test-support/test-app.js';
import { startTestSmtp, type TestSmtp } from '../../test-support/smtp.js';
import { useTestDatabase } from '../../test-support/test-db.js';
import type { UserRow } from '../access/users.repo.js';
import { recordAudit } from '../audit/audit.service.js';
import { anchorChain } from '../audit/chain/anchor.js';
import { sealAll } from '../audit/chain/test-fixtures/seal-all.js';
import { runVerification } from '../audit/chain/verify.service.js';
import { createMailer } from '../mail/mailer.js';
import { settleStep } from '../onboarding/onboarding-runner.js';
import type { OnboardingDeps } from '../onboarding/onboarding.types.js';
import type { RecordRow } from '../onboarding/onboarding.repo.js';
import { runPurge } from '../retention/purge.service.js';
import { loadKeyRing } from '../vault/keyring.js';
import { deliver, envelope, processAll } from '../webhooks/test-fixtures/webhook-harness.js';
import { deliverNotifications } from './deliver.service.js';
import type { NotificationDeps } from './notifications.deps.js';
import { scanTimeTriggers } from './scan.service.js';
import { STEP_MS, totpCodeAt } from '../access/two-factor/totp.js';
import { messages } from './messages.js';
import { notify } from './notify.js';
import { buildAccessExport } from '../privacy/requests/access-export.js';
import { deleteNotificationsOf } from '../privacy/requests/erase.repo.js';
import { createDeliverJob } from './jobs/deliver.job.js';
import { JOBS, notificationsDeliverJob } from '../../jobs/registry.js';
import type { JobContext } from '../../jobs/job-context.js';

const tdb = useTestDatabase();
let t: TestApp;
let smtp: TestSmtp;
let deps: NotificationDeps;
const db = () => tdb.current.database.db;
const DAY = 86_400_000;

let owner: UserRow, admin: UserRow, operator: UserRow, viewer: UserRow, offAdmin: UserRow, invitedAdmin: UserRow;

beforeAll(async () => {
  t = await buildTestApp(tdb.current.database);
  smtp = await startTestSmtp();
  deps = { db: db(), clock: t.clock, mailer: createMailer({ ...t.config, smtpUrl: smtp.url }, db()), publicUrl: t.config.publicUrl, logger: createLogger('silent') };
  owner = await createUser(t.database, 'owner');
  admin = await createUser(t.database, 'admin');
  operator = await createUser(t.database, 'operator');
  viewer = await createUser(t.database, 'viewer');
  offAdmin = await createUser(t.database, 'admin', { status: 'deactivated' });
  invitedAdmin = await createUser(t.database, 'admin', { status: 'invited' });
});
afterAll(async () => {
  await t.app.close();
  await smtp.close();
});
beforeEach(async () => {
  await db().execute(sql`DELETE FROM notifications; DELETE FROM notification_intents; DELETE FROM notification_preferences;
    DELETE FROM webhook_events; DELETE FROM webhook_dedupe_keys; DELETE FROM onboarding_records; DELETE FROM privacy_requests`);
  smtp.mails.length = 0;
});

/** The job's work: scans, fan-out, mail. */
const run = async () => {
  await scanTimeTriggers(deps);
  return deliverNotifications(deps);
};

/** Recipients of a kind, as sorted user ids (one entry per notification row). */
async function recipientsOf(kind: string): Promise<string[]> {
  const r = await db().execute<{ user_id: string }>(sql`SELECT user_id FROM notifications WHERE kind = ${kind} ORDER BY user_id`);
  return r.rows.map((x) => x.user_id);
}
const ownersAndAdmins = () => [owner.id, admin.id].sort();

async function waitForMails(n: number): Promise<void> {
  const until = Date.now() + 5_000;
  while (smtp.mails.length < n && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
}

async function record(over: Partial<typeof onboardingRecords.$inferInsert> = {}): Promise<RecordRow> {
  const [row] = await db()
    .insert(onboardingRecords)
    .values({ attemptId: randomUUID(), wabaId: String(100_000 + Math.floor(Math.random() * 900_000)), state: 'connected', connectedAt: new Date('2026-05-01T00:00:00Z'), wabaName: 'Acme Support', ...over })
    .returning();
  return row!;
}

describe('WhatsApp triggers (owners and admins)', () => {
  it('a token expiring within 14 days: one notification each to the owner and the admin, once, mailed with a plain app link', async () => {
    const now = t.clock.now();
    const rec = await record({ tokenExpiresAt: new Date(now.getTime() + 10 * DAY) });
    await record({ tokenExpiresAt: new Date(now.getTime() + 30 * DAY) }); // not yet
    const first = await run();
    expect(first.notifications).toBe(2);
    t.clock.advance(DAY); // the daily re-scan finds the same token: nothing new
    await run();
    expect(await recipientsOf('token.expiring')).toEqual(ownersAndAdmins());
    await waitForMails(2);
    expect(smtp.mails.map((m) => m.to[0]).sort()).toEqual([owner.email, admin.email].sort());
    const raw = smtp.mails[0]!.raw.replace(/=\r?\n/g, '');
    expect(raw).toContain('WhatsApp token expires on');
    expect(raw).toContain(`/onboarding/${rec.id}`);
    expect(raw).not.toMatch(/token=|#token|crm_session/);
    const states = await db().execute<{ mail_state: string }>(sql`SELECT mail_state FROM notifications`);
    expect(states.rows.map((s) => s.mail_state)).toEqual(['sent', 'sent']);
  });

  it('an expired token: one "expired" notification (and the refresh of the same token would share its key)', async () => {
    const now = t.clock.now();
    await record({ tokenExpiresAt: new Date(now.getTime() - 3_600_000) });
    await record({ state: 'disconnected', tokenExpiresAt: new Date(now.getTime() - 3_600_000) }); // gone: no news
    await run();
    await run();
    expect(await recipientsOf('token.expired')).toEqual(ownersAndAdmins());
    expect(await recipientsOf('token.expiring')).toEqual([]);
  });

  it('the app removed on Meta (PARTNER_APP_UNINSTALLED): one notification, also when Meta delivers it again', async () => {
    const rec = await record();
    const body = envelope({ id: rec.wabaId, time: 1780310300, changes: [{ field: 'account_update', value: { event: 'PARTNER_APP_UNINSTALLED', waba_info: { waba_id: rec.wabaId } } }] });
    expect((await deliver(t, body)).statusCode).toBe(200);
    await processAll(t);
    expect((await deliver(t, body)).statusCode).toBe(200);
    await processAll(t);
    await run();
    expect(await recipientsOf('connection.removed')).toEqual(ownersAndAdmins());
    const n = await db().execute<{ link: string; body: string }>(sql`SELECT link, body FROM notifications LIMIT 1`);
    expect(n.rows[0]).toMatchObject({ link: `/onboarding/${rec.id}` });
    expect(n.rows[0]!.body).toContain('PARTNER_APP_UNINSTALLED');
  });

  it('a WABA disabled, and a policy violation: one notification each', async () => {
    const rec = await record();
    await deliver(t, envelope({ id: rec.wabaId, time: 1780310400, changes: [{ field: 'account_update', value: { event: 'DISABLED_UPDATE', ban_info: { waba_ban_state: 'DISABLE', waba_ban_date: '2026-06-01' } } }] }));
    await deliver(t, envelope({ id: rec.wabaId, time: 1780310500, changes: [{ field: 'account_update', value: { event: 'ACCOUNT_VIOLATION', violation_info: { violation_type: 'SCAM' } } }] }));
    await processAll(t);
    await run();
    const r = await db().execute<{ kind: string; n: number }>(sql`SELECT kind, count(*)::int AS n FROM notifications GROUP BY kind`);
    expect(r.rows).toEqual([{ kind: 'waba.restricted', n: 4 }]);
  });

  it('a phone number dropping to RED: one notification; a second FLAGGED while RED adds none', async () => {
    const rec = await record();
    await db().insert(onboardingPhoneNumbers).values({ recordId: rec.id, phoneNumberId: '5550001', displayPhoneNumber: '+1 555-078-3881', qualityRating: 'GREEN', lookedUpAt: new Date() });
    const flagged = (time: number) =>
      envelope({ id: rec.wabaId, time, changes: [{ field: 'phone_number_quality_update', value: { display_phone_number: '15550783881', event: 'FLAGGED', current_limit: 'TIER_1K' } }] });
    await deliver(t, flagged(1780310600));
    await processAll(t);
    await deliver(t, flagged(1780310700));
    await processAll(t);
    await run();
    expect(await recipientsOf('phone.quality_red')).toEqual(ownersAndAdmins());
  });

  it('an onboarding step that failed for good or needs a person notifies; a retryable failure does not', async () => {
    const rec = await record({ state: 'in_progress' });
    const od = { clock: t.clock } as unknown as OnboardingDeps;
    const actor = { actorType: 'system' as const, actorId: null, requestId: null };
    await db().transaction((tx) => settleStep(tx, od, actor, rec, 'subscribe', 1, { status: 'failed', reason: 'temporarily unavailable', retryable: true }, performance.now(), false));
    await run();
    expect(await recipientsOf('onboarding.failed')).toEqual([]);
    await db().transaction((tx) => settleStep(tx, od, actor, rec, 'subscribe', 2, { status: 'failed', reason: 'permission denied', retryable: false }, performance.now(), false));
    await db().transaction((tx) => settleStep(tx, od, actor, rec, 'register', 1, { status: 'action_required', reason: 'a two-step PIN is already set: enter it' }, performance.now(), false));
    await run();
    expect(await recipientsOf('onboarding.failed')).toEqual(ownersAndAdmins());
    expect(await recipientsOf('onboarding.action_required')).toEqual(ownersAndAdmins());
  });
});

describe('privacy and operations triggers (owners and admins)', () => {
  async function request(receivedAt: Date, dueAt: Date, state: 'received' | 'in_progress' | 'completed' = 'in_progress') {
    const [row] = await db()
      .insert(privacyRequests)
      .values({ kind: 'deletion', source: 'admin', state, confirmationCode: randomUUID().replace(/-/g, ''), receivedAt, dueAt, updatedAt: receivedAt })
      .returning();
    return row!;
  }

  it('received, due within 7 days, overdue: one of each per request, closed requests none', async () => {
    const now = t.clock.now();
    const fresh = await request(new Date(now.getTime() - DAY), new Date(now.getTime() + 29 * DAY), 'received');
    const dueSoon = await request(new Date(now.getTime() - 25 * DAY), new Date(now.getTime() + 5 * DAY));
    const overdue = await request(new Date(now.getTime() - 40 * DAY), new Date(now.getTime() - DAY));
    await request(new Date(now.getTime() - DAY), new Date(now.getTime() - DAY), 'completed');
    await run();
    await run();
    expect(await recipientsOf('privacy.received')).toEqual(ownersAndAdmins());
    expect(await recipientsOf('privacy.due_soon')).toEqual(ownersAndAdmins());
    expect(await recipientsOf('privacy.overdue')).toEqual(ownersAndAdmins());
    const links = await db().execute<{ kind: string; link: string }>(sql`SELECT DISTINCT kind, link FROM notifications ORDER BY kind`);
    expect(links.rows).toEqual([
      { kind: 'privacy.due_soon', link: `/privacy-requests/${dueSoon.id}` },
      { kind: 'privacy.overdue', link: `/privacy-requests/${overdue.id}` },
      { kind: 'privacy.received', link: `/privacy-requests/${fresh.id}` },
    ]);
    // the fresh request goes due later: one more notice then, still one per occurrence
    t.clock.advance(23 * DAY);
    await run();
    await run();
    expect(await recipientsOf('privacy.due_soon')).toEqual([...ownersAndAdmins(), ...ownersAndAdmins()].sort());
    t.clock.set(now);
  });

  it('a retention purge that failed: one notification', async () => {
    const keyring = loadKeyRing({ key: t.config.encryptionKey, dataDir: t.config.dataDir, embedded: false });
    const failing = {
      db: db(),
      clock: t.clock,
      keyring,
      sessionIdleMs: t.config.sessionIdleMs,
      envDefaults: { webhookRawHours: 72, linkPrefillDays: 30 },
      onBatch: () => {
        throw new Error('disk full');
      },
    };
    await expect(runPurge(failing, { dryRun: false, trigger: 'schedule' })).rejects.toThrow('disk full');
    await run();
    expect(await recipientsOf('retention.purge_failed')).toEqual(ownersAndAdmins());
  });

  it('an audit chain verification that found a break: one notification, however often it is re-run', async () => {
    const keyring = loadKeyRing({ key: t.config.encryptionKey, dataDir: t.config.dataDir, embedded: false });
    const actor = { actorType: 'system' as const, actorId: null, requestId: null };
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(await db().transaction((tx) => recordAudit(tx, t.clock, actor, { action: 'user.unlocked', targetType: 'user', targetId: owner.id, details: {} })));
    }
    await sealAll(db(), t.clock);
    await anchorChain(db(), { clock: t.clock, keyring }, 'manual');
    await db().transaction(async (tx) => {
      await tx.execute(sql`SET LOCAL session_replication_role = replica`);
      await tx.execute(sql`UPDATE audit_events SET target_id = ${admin.id} WHERE id = ${ids[1]}`);
    });
    const chain = { db: db(), clock: t.clock, keyring };
    expect((await runVerification(chain, actor, { record: false, anchorFirst: false })).ok).toBe(false);
    await runVerification(chain, actor, { record: false, anchorFirst: false });
    await run();
    expect(await recipientsOf('audit.verify_failed')).toEqual(ownersAndAdmins());
  });
});

describe('own-account security notices and preferences', () => {
  const call = (cookie: string, method: 'GET' | 'PUT' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
    t.app.inject({ method, url, headers: { ...sameOrigin, cookie }, ...(payload === undefined ? {} : { payload: payload as object }) });

  it('a sign-in from a new device notifies only that user (never the first sign-in); audited; always mailed', async () => {
    const u = await createUser(t.database, 'operator');
    await signInCookie(t, u.email); // first sign-in ever: nothing to compare with
    await run();
    expect(await recipientsOf('security.sign_in')).toEqual([]);
    t.clock.advance(60_000);
    await signInCookie(t, u.email); // no device cookie: a new device
    // the user turned every category off: security notices are mailed anyway
    await db().execute(sql`INSERT INTO notification_preferences (user_id, category, mail, updated_at) VALUES (${u.id}, 'security', false, now())`);
    await run();
    expect(await recipientsOf('security.sign_in')).toEqual([u.id]);
    await waitForMails(1);
    expect(smtp.mails.map((m) => m.to[0])).toEqual([u.email]);
    const audit = await db().execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM audit_events WHERE action = 'notification.security_sent' AND target_id = ${u.id}`);
    expect(audit.rows[0]!.n).toBe(1);
  });

  it('with two-factor sign-in: the notice comes when the code completes the sign-in on a new device', async () => {
    const u = await createUser(t.database, 'operator'); // not an admin: later tests count owners and admins
    const cookie = await signInCookie(t, u.email); // first sign-in: no notice
    const start = await call(cookie, 'POST', '/api/v1/me/two-factor/enrolment', {});
    const { secret } = start.json() as { secret: string };
    t.clock.advance(STEP_MS);
    expect((await call(cookie, 'POST', '/api/v1/me/two-factor/enrolment/confirm', { code: totpCodeAt(secret, t.clock.now()) })).statusCode).toBe(200);
    t.clock.advance(STEP_MS);
    const pw = await t.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', headers: sameOrigin, payload: { email: u.email, password: 'correct horse battery staple 42' } });
    const pending = `crm_session=${(pw.cookies as { name: string; value: string }[]).find((c) => c.name === 'crm_session')!.value}`;
    await run();
    expect(await recipientsOf('security.sign_in')).toEqual([]); // the password alone is not a sign-in yet
    expect((await call(pending, 'POST', '/api/v1/auth/second-factor', { code: totpCodeAt(secret, t.clock.now()) })).statusCode).toBe(200);
    await run();
    expect(await recipientsOf('security.sign_in')).toEqual([u.id]);
  });

  it('a known device from the same address is not news; from another address it is', async () => {
    const u = await createUser(t.database, 'viewer');
    const signIn = (remoteAddress: string, device?: string) =>
      t.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', remoteAddress, headers: { ...sameOrigin, ...(device ? { cookie: `crm_device=${device}` } : {}) }, payload: { email: u.email, password: 'correct horse battery staple 42' } });
    const first = await signIn('198.51.100.1');
    const device = (first.cookies as { name: string; value: string }[]).find((c) => c.name === 'crm_device')!.value;
    t.clock.advance(60_000);
    expect((await signIn('198.51.100.1', device)).statusCode).toBe(200);
    await run();
    expect(await recipientsOf('security.sign_in')).toEqual([]);
    t.clock.advance(60_000);
    expect((await signIn('203.0.113.50', device)).statusCode).toBe(200);
    await run();
    expect(await recipientsOf('security.sign_in')).toEqual([u.id]);
    const n = await db().execute<{ title: string; link: string }>(sql`SELECT title, link FROM notifications WHERE kind = 'security.sign_in'`);
    expect(n.rows).toEqual([{ title: 'New sign-in from a new address', link: '/account' }]);
  });

  it('deactivation and reactivation notify the user concerned (deactivated users still hear about it)', async () => {
    const u = await createUser(t.database, 'operator');
    const ownerCookie = await signInCookie(t, owner.email);
    expect((await call(ownerCookie, 'POST', `/api/v1/users/${u.id}/deactivate`)).statusCode).toBe(200);
    await run();
    t.clock.advance(1000);
    expect((await call(ownerCookie, 'POST', `/api/v1/users/${u.id}/reactivate`)).statusCode).toBe(200);
    await run();
    const r = await db().execute<{ user_id: string; title: string }>(sql`SELECT user_id, title FROM notifications WHERE kind = 'security.status_changed' ORDER BY created_at`);
    expect(r.rows).toEqual([
      { user_id: u.id, title: 'Your account was deactivated' },
      { user_id: u.id, title: 'Your account was reactivated' },
    ]);
  });

  it('a password change and a role change notify the user concerned only', async () => {
    const u = await createUser(t.database, 'viewer');
    const cookie = await signInCookie(t, u.email);
    const ownerCookie = await signInCookie(t, owner.email);
    expect((await call(cookie, 'POST', '/api/v1/me/password', { currentPassword: 'correct horse battery staple 42', newPassword: 'another long passphrase 77' })).statusCode).toBe(204);
    expect((await call(ownerCookie, 'PATCH', `/api/v1/users/${u.id}/role`, { role: 'operator' })).statusCode).toBe(200);
    await run();
    expect(await recipientsOf('security.password_changed')).toEqual([u.id]);
    expect(await recipientsOf('security.role_changed')).toEqual([u.id]);
  });

  it('preferences: a category turned off keeps the in-app notification and sends no mail; security cannot be turned off', async () => {
    const cookie = await signInCookie(t, admin.email);
    const prefs = await call(cookie, 'GET', '/api/v1/me/notification-preferences');
    expect(prefs.statusCode).toBe(200);
    expect(prefs.json().categories.map((c: { category: string; mail: boolean; locked: boolean }) => [c.category, c.mail, c.locked])).toEqual([
      ['whatsapp', true, false],
      ['privacy', true, false],
      ['operations', true, false],
      ['security', true, true],
    ]);
    const refused = await call(cookie, 'PUT', '/api/v1/me/notification-preferences', { mail: { security: false } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors).toEqual([{ path: 'mail.security', message: 'security notices about your own account cannot be turned off' }]);
    const bad = await call(cookie, 'PUT', '/api/v1/me/notification-preferences', { mail: { whatsapp: 'no' } });
    expect(bad.statusCode).toBe(400);
    const saved = await call(cookie, 'PUT', '/api/v1/me/notification-preferences', { mail: { whatsapp: false } });
    expect(saved.statusCode).toBe(200);
    expect(saved.json().categories[0]).toMatchObject({ category: 'whatsapp', mail: false });

    smtp.mails.length = 0;
    await record({ tokenExpiresAt: new Date(t.clock.now().getTime() + 2 * DAY) });
    await run();
    expect(await recipientsOf('token.expiring')).toEqual(ownersAndAdmins());
    await waitForMails(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(smtp.mails.map((m) => m.to[0])).toEqual([owner.email]);
    const states = await db().execute<{ user_id: string; mail_state: string }>(sql`SELECT user_id, mail_state FROM notifications WHERE user_id = ${admin.id}`);
    expect(states.rows).toEqual([{ user_id: admin.id, mail_state: 'skipped' }]);
  });
});

describe('the notifications API (own only)', () => {
  const call = (cookie: string, method: 'GET' | 'POST', url: string) => t.app.inject({ method, url, headers: { ...sameOrigin, cookie } });

  it('lists own notifications newest first with keyset pages and the unread count; marks read (read_at) one or all; another user\'s is 404', async () => {
    const now = t.clock.now();
    for (let i = 0; i < 5; i++) {
      await record({ tokenExpiresAt: new Date(now.getTime() + (i + 1) * DAY) });
      t.clock.advance(1000);
    }
    await run();
    const cookie = await signInCookie(t, admin.email);
    const page1 = await call(cookie, 'GET', '/api/v1/notifications?limit=3');
    expect(page1.statusCode).toBe(200);
    const p1 = page1.json();
    expect(p1.items).toHaveLength(3);
    expect(p1.unreadCount).toBe(5);
    const page2 = (await call(cookie, 'GET', `/api/v1/notifications?limit=3&cursor=${p1.nextCursor}`)).json();
    expect(page2.items).toHaveLength(2);
    expect(page2.nextCursor).toBeNull();
    const all = [...p1.items, ...page2.items];
    expect(new Set(all.map((n: { id: string }) => n.id)).size).toBe(5);
    expect(all.map((n: { createdAt: string }) => n.createdAt)).toEqual([...all.map((n: { createdAt: string }) => n.createdAt)].sort().reverse());
    expect(Object.keys(all[0]).sort()).toEqual(['body', 'category', 'createdAt', 'id', 'kind', 'link', 'readAt', 'title']);

    const read = await call(cookie, 'POST', `/api/v1/notifications/${all[0].id}/read`);
    expect(read.statusCode).toBe(200);
    expect(read.json().notification.readAt).toBe(t.clock.now().toISOString());
    expect((await call(cookie, 'GET', '/api/v1/notifications/unread-count')).json()).toEqual({ unreadCount: 4 });
    expect((await call(cookie, 'GET', '/api/v1/notifications?unread=true')).json().items).toHaveLength(4);

    const ownerCookie = await signInCookie(t, owner.email);
    expect((await call(ownerCookie, 'POST', `/api/v1/notifications/${all[1].id}/read`)).statusCode).toBe(404);
    expect((await call(cookie, 'POST', '/api/v1/notifications/not-a-uuid/read')).statusCode).toBe(400);
    expect((await call(cookie, 'GET', '/api/v1/notifications?cursor=zzz')).json().errors).toEqual([{ path: 'cursor', message: 'is not a cursor this list returned' }]);

    expect((await call(cookie, 'POST', '/api/v1/notifications/read-all')).json()).toEqual({ updated: 4 });
    expect((await call(cookie, 'GET', '/api/v1/notifications/unread-count')).json()).toEqual({ unreadCount: 0 });
    // the owner's own notifications stay unread
    expect((await call(ownerCookie, 'GET', '/api/v1/notifications/unread-count')).json()).toEqual({ unreadCount: 5 });
    expect((await call(cookie, 'GET', '/api/v1/notifications')).statusCode).toBe(200);
    expect([operator.id, viewer.id, offAdmin.id, invitedAdmin.id].length).toBe(4);
  });

  it('retention (kind notifications, 90 days): old notifications and delivered intents go; pending intents and young rows stay', async () => {
    const now = t.clock.now();
    const old = new Date(now.getTime() - 91 * DAY);
    const young = new Date(now.getTime() - 89 * DAY);
    for (const [key, at, delivered] of [['old-done', old, true], ['old-pending', old, false], ['young-done', young, true]] as const) {
      await db().execute(sql`INSERT INTO notification_intents (kind, dedupe_key, audience_action, title, body, created_at, delivered_at)
        VALUES ('token.expiring', ${key}, 'onboarding.manage', 't', 'b', ${at}, ${delivered ? at : null})`);
    }
    for (const [key, at] of [['old-done', old], ['young-done', young]] as const) {
      await db().execute(sql`INSERT INTO notifications (user_id, kind, category, dedupe_key, title, body, created_at) VALUES (${admin.id}, 'token.expiring', 'whatsapp', ${key}, 't', 'b', ${at})`);
    }
    const keyring = loadKeyRing({ key: t.config.encryptionKey, dataDir: t.config.dataDir, embedded: false });
    const result = await runPurge(
      { db: db(), clock: t.clock, keyring, sessionIdleMs: t.config.sessionIdleMs, envDefaults: { webhookRawHours: 72, linkPrefillDays: 30 } },
      { dryRun: false, trigger: 'schedule' },
    );
    expect(result.counts.notifications).toBe(2);
    expect((await db().execute(sql`SELECT dedupe_key FROM notification_intents ORDER BY dedupe_key`)).rows).toEqual([{ dedupe_key: 'old-pending' }, { dedupe_key: 'young-done' }]);
    expect((await db().execute(sql`SELECT dedupe_key FROM notifications`)).rows).toEqual([{ dedupe_key: 'young-done' }]);
  });

  it('a user\'s notifications are in their access export and go with their deletion', async () => {
    const u = await createUser(t.database, 'viewer');
    await notify(db(), t.clock.now(), messages.passwordChanged(u.id, t.clock.now()));
    await run();
    const x = await buildAccessExport(db(), u.id, t.clock.now());
    expect(x!.notifications.map((n) => n.title)).toEqual(['Your password was changed']);
    expect(x!.summary).toContain('1 notifications to you');
    expect(await db().transaction((tx) => deleteNotificationsOf(tx, u.id))).toBe(1);
    expect((await buildAccessExport(db(), u.id, t.clock.now()))!.notifications).toEqual([]);
    expect((await db().execute(sql`SELECT count(*)::int AS n FROM notification_intents WHERE audience_user_id = ${u.id}`)).rows[0]).toEqual({ n: 0 });
  });

  it('the registered job (every minute) runs the scan and the delivery', async () => {
    expect(notificationsDeliverJob.name).toBe('notifications.deliver');
    expect(notificationsDeliverJob.cron).toBe('* * * * *');
    expect(JOBS).toContain(notificationsDeliverJob);
    await record({ tokenExpiresAt: new Date(t.clock.now().getTime() + 5 * DAY) });
    const job = createDeliverJob(() => deps);
    await job.handler({}, { clock: t.clock, logger: createLogger('silent') } as unknown as JobContext);
    expect(await recipientsOf('token.expiring')).toEqual(ownersAndAdmins());
  });

  it('delivery runs once across concurrent runners: the same intents fanned out by two at once give one row per user', async () => {
    await record({ tokenExpiresAt: new Date(t.clock.now().getTime() + 3 * DAY) });
    await scanTimeTriggers(deps);
    const [a, b] = await Promise.all([deliverNotifications(deps), deliverNotifications(deps)]);
    expect(a.notifications + b.notifications).toBe(2);
    expect(await recipientsOf('token.expiring')).toEqual(ownersAndAdmins());
    await waitForMails(2);
    await new Promise((r) => setTimeout(r, 100));
    expect(smtp.mails).toHaveLength(2);
  });
});
