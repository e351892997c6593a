/**
 * The access export: everything held about one user, read live when it is downloaded (nothing large
 * is stored). Never a secret: no password hash, no token or code hash, no vault content. Every
 * table that can hold a user's data has its part here; access-export.db.test.ts fills each one and
 * checks the export carries it.
 */
import { and, asc, eq, inArray, or, sql } from 'drizzle-orm';
import type { Executor } from '../../../db/client.js';
import {
  auditEvents,
  auditPersonalValues,
  deviceLocks,
  emailChanges,
  invitations,
  loginActivity,
  notificationPreferences,
  notifications,
  onboardingLinks,
  onboardingRecords,
  outboxMails,
  passwordResets,
  privacyRequests,
  sessions,
  setupTokens,
  users,
} from '../../../db/schema.js';

/** Audit events beyond this many are left out (and the export says so). */
export const EXPORT_AUDIT_CAP = 100_000;

/** The export of user `userId` (null when there is no such user): the data and its summary. */
export async function buildAccessExport(ex: Executor, userId: string, now: Date): Promise<AccessExport | null> {
  const data = await collect(ex, userId, now);
  return data ? { ...data, summary: summaryOf(data) } : null;
}

type ExportData = NonNullable<Awaited<ReturnType<typeof collect>>>;
export type AccessExport = ExportData & { summary: string };

/** Reads every part of the export. */
async function collect(ex: Executor, userId: string, now: Date) {
  const [u] = await ex.select().from(users).where(eq(users.id, userId)).limit(1);
  if (!u) return null;
  const email = u.email.toLowerCase();
  const account = {
    id: u.id,
    email: u.email,
    displayName: u.displayName,
    role: u.role,
    status: u.status,
    createdAt: u.createdAt,
    updatedAt: u.updatedAt,
    lastSignInAt: u.lastSignInAt,
    lastSignInIp: u.lastSignInIp,
    failedSignInCount: u.failedCount,
    failedWindowStart: u.failedWindowStart,
    lockedUntil: u.lockedUntil,
  };
  const events = await ex
    .select({
      id: auditEvents.id,
      at: auditEvents.at,
      actorType: auditEvents.actorType,
      actorId: auditEvents.actorId,
      action: auditEvents.action,
      targetType: auditEvents.targetType,
      targetId: auditEvents.targetId,
      changedFields: auditEvents.changedFields,
      details: auditEvents.details,
    })
    .from(auditEvents)
    .where(or(eq(auditEvents.actorId, userId), and(eq(auditEvents.targetType, 'user'), eq(auditEvents.targetId, userId))))
    .orderBy(asc(auditEvents.at), asc(auditEvents.id))
    .limit(EXPORT_AUDIT_CAP + 1);
  const truncated = events.length > EXPORT_AUDIT_CAP;
  const kept = events.slice(0, EXPORT_AUDIT_CAP);
  // this person's own personal values, on any event (also events not by or about the account)
  const personal = await ex
    .select({ eventId: auditPersonalValues.eventId, field: auditPersonalValues.field, kind: auditPersonalValues.kind, value: auditPersonalValues.value })
    .from(auditPersonalValues)
    .where(and(eq(auditPersonalValues.subjectType, 'user'), eq(auditPersonalValues.subjectId, userId)))
    .orderBy(asc(auditPersonalValues.eventId), asc(auditPersonalValues.id));
  const byEvent = new Map<number, { field: string; kind: string; value: string }[]>();
  for (const p of personal) byEvent.set(p.eventId, [...(byEvent.get(p.eventId) ?? []), { field: p.field, kind: p.kind, value: p.value }]);
  const inList = new Set(kept.map((e) => e.id));
  const extraIds = [...byEvent.keys()].filter((id) => !inList.has(id));
  const extra = extraIds.length
    ? await ex.select({ id: auditEvents.id, at: auditEvents.at, action: auditEvents.action, targetType: auditEvents.targetType, targetId: auditEvents.targetId }).from(auditEvents).where(inArray(auditEvents.id, extraIds))
    : [];
  const auditTrail = kept.map((e) => ({ ...e, role: e.actorId === userId ? 'actor' : 'target', personalValues: byEvent.get(e.id) ?? [] }));
  const statusHistory = kept
    .filter((e) => e.targetType === 'user' && e.targetId === userId)
    .map((e) => ({ at: e.at, action: e.action, byActor: e.actorId, changedFields: e.changedFields, details: e.details }));

  const logins = await ex
    .select({ at: loginActivity.at, result: loginActivity.result, reason: loginActivity.reason, ip: loginActivity.ip, userAgent: loginActivity.userAgent, attemptedEmail: loginActivity.attemptedEmail })
    .from(loginActivity)
    .where(or(eq(loginActivity.userId, userId), sql`lower(${loginActivity.attemptedEmail}) = ${email}`))
    .orderBy(asc(loginActivity.at), asc(loginActivity.id));
  const sess = await ex
    .select({ id: sessions.id, createdAt: sessions.createdAt, lastSeenAt: sessions.lastSeenAt, expiresAt: sessions.expiresAt, ip: sessions.ip, userAgent: sessions.userAgent })
    .from(sessions)
    .where(eq(sessions.userId, userId))
    .orderBy(asc(sessions.createdAt));
  const devices = await ex
    .select({ failedCount: deviceLocks.failedCount, failedWindowStart: deviceLocks.failedWindowStart, lockedUntil: deviceLocks.lockedUntil })
    .from(deviceLocks)
    .where(eq(deviceLocks.userId, userId));
  const invites = await ex
    .select({ createdAt: invitations.createdAt, expiresAt: invitations.expiresAt, usedAt: invitations.usedAt, invitedBy: invitations.invitedBy, mailSentAt: invitations.mailSentAt })
    .from(invitations)
    .where(eq(invitations.userId, userId));
  const resets = await ex
    .select({ createdAt: passwordResets.createdAt, expiresAt: passwordResets.expiresAt, usedAt: passwordResets.usedAt, requestedBy: passwordResets.requestedBy, mailSentAt: passwordResets.mailSentAt })
    .from(passwordResets)
    .where(eq(passwordResets.userId, userId));
  const setups = await ex
    .select({ email: setupTokens.email, displayName: setupTokens.displayName, createdAt: setupTokens.createdAt, expiresAt: setupTokens.expiresAt, usedAt: setupTokens.usedAt })
    .from(setupTokens)
    .where(sql`lower(${setupTokens.email}) = ${email}`);
  const records = await ex
    .select({
      id: onboardingRecords.id,
      state: onboardingRecords.state,
      createdAt: onboardingRecords.createdAt,
      connectedAt: onboardingRecords.connectedAt,
      disconnectedAt: onboardingRecords.disconnectedAt,
      businessId: onboardingRecords.businessId,
      businessName: onboardingRecords.businessName,
      wabaId: onboardingRecords.wabaId,
      wabaName: onboardingRecords.wabaName,
      phoneNumberId: onboardingRecords.phoneNumberId,
      metaUserId: onboardingRecords.metaUserId,
    })
    .from(onboardingRecords)
    .where(eq(onboardingRecords.startedBy, userId))
    .orderBy(asc(onboardingRecords.createdAt));
  const links = await ex
    .select({
      id: onboardingLinks.id,
      label: onboardingLinks.label,
      businessName: onboardingLinks.businessName,
      email: onboardingLinks.email,
      phone: onboardingLinks.phone,
      createdAt: onboardingLinks.createdAt,
      expiresAt: onboardingLinks.expiresAt,
      revokedAt: onboardingLinks.revokedAt,
      usedAt: onboardingLinks.usedAt,
    })
    .from(onboardingLinks)
    .where(or(eq(onboardingLinks.createdBy, userId), sql`lower(${onboardingLinks.email}) = ${email}`))
    .orderBy(asc(onboardingLinks.createdAt));
  const requests = await ex
    .select({
      id: privacyRequests.id,
      kind: privacyRequests.kind,
      source: privacyRequests.source,
      state: privacyRequests.state,
      receivedAt: privacyRequests.receivedAt,
      dueAt: privacyRequests.dueAt,
      completedAt: privacyRequests.completedAt,
      email: privacyRequests.email,
      message: privacyRequests.message,
      details: privacyRequests.details,
      outcome: privacyRequests.outcome,
      verifiedHow: privacyRequests.verifiedHow,
      rejectionReason: privacyRequests.rejectionReason,
      extensionReason: privacyRequests.extensionReason,
    })
    .from(privacyRequests)
    .where(or(eq(privacyRequests.subjectUserId, userId), sql`lower(${privacyRequests.email}) = ${email}`))
    .orderBy(asc(privacyRequests.receivedAt));
  const changes = await ex
    .select({ newEmail: emailChanges.newEmail, createdAt: emailChanges.createdAt, expiresAt: emailChanges.expiresAt, usedAt: emailChanges.usedAt })
    .from(emailChanges)
    .where(eq(emailChanges.userId, userId));
  const mails = await ex
    .select({ createdAt: outboxMails.createdAt, to: outboxMails.to, subject: outboxMails.subject })
    .from(outboxMails)
    .where(sql`lower(${outboxMails.to}) = ${email}`)
    .orderBy(asc(outboxMails.createdAt));
  const notices = await ex
    .select({ createdAt: notifications.createdAt, kind: notifications.kind, title: notifications.title, body: notifications.body, readAt: notifications.readAt, mailState: notifications.mailState })
    .from(notifications)
    .where(eq(notifications.userId, userId))
    .orderBy(asc(notifications.createdAt));
  const noticePrefs = await ex
    .select({ category: notificationPreferences.category, mail: notificationPreferences.mail, updatedAt: notificationPreferences.updatedAt })
    .from(notificationPreferences)
    .where(eq(notificationPreferences.userId, userId));

  return {
    generatedAt: now,
    account,
    statusHistory,
    loginActivity: logins,
    sessions: sess,
    deviceLocks: devices,
    invitations: invites,
    passwordResets: resets,
    setupLinks: setups,
    emailChanges: changes,
    auditEvents: auditTrail,
    auditEventsTruncated: truncated,
    /** events by or about others that carry one of your personal values (e.g. your name as someone else saw it) */
    otherAuditEventsWithYourValues: extra.map((e) => ({ ...e, personalValues: byEvent.get(e.id) ?? [] })),
    onboardingRecordsStarted: records,
    onboardingLinksCreated: links,
    privacyRequests: requests,
    outboxMails: mails,
    notifications: notices,
    notificationPreferences: noticePrefs,
  };
}

/** The short human-readable summary (plain text) that goes with the JSON. */
export function summaryOf(d: ExportData): string {
  const a = d.account;
  const line = (n: number, what: string) => `- ${n} ${what}`;
  return [
    `Copy of your data held by the CRM console, generated ${d.generatedAt.toISOString()}.`,
    '',
    `Account: ${a.displayName} <${a.email}>, ${a.role}, ${a.status}, created ${a.createdAt.toISOString().slice(0, 10)}.`,
    a.lastSignInAt ? `Last sign-in: ${a.lastSignInAt.toISOString()}${a.lastSignInIp ? ` from ${a.lastSignInIp}` : ''}.` : 'Never signed in.',
    '',
    'What the attached JSON holds:',
    line(d.statusHistory.length, 'changes to your account (status history)'),
    line(d.loginActivity.length, 'sign-in attempts (time, result, IP address, browser)'),
    line(d.sessions.length, 'open sessions'),
    line(d.auditEvents.length, `audit events where you acted or were acted on${d.auditEventsTruncated ? ' (the oldest ones only; ask an administrator for the rest)' : ''}`),
    line(d.onboardingRecordsStarted.length, 'WhatsApp onboardings you started'),
    line(d.onboardingLinksCreated.length, 'onboarding links you created or that name your email'),
    line(d.privacyRequests.length, 'privacy requests you made or that are about you'),
    line(d.invitations.length + d.passwordResets.length + d.setupLinks.length + d.emailChanges.length, 'invitation, password reset, set-up and email-change links (dates only, never the links)'),
    line(d.outboxMails.length, 'mails to you kept in the development outbox'),
    line(d.notifications.length, 'notifications to you (and your choices of which are mailed)'),
    '',
    'Passwords, tokens and link secrets are never included: they are stored only as one-way hashes.',
  ].join('\n');
}
