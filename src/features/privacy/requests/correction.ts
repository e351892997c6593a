/**
 * Corrections: the display name is changed at once; a new email is only confirmed by the person
 * who can read it (a single-use link mailed to the new address, valid 24 hours, stored as a hash in
 * email_changes). On confirmation the email is re-checked for uniqueness, users.email changes, and
 * the user's other sessions end (the sign-in identifier changed: as after a password change, only
 * the session that confirmed stays). Other fields are corrected by an admin by hand, with a reason.
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { Tx } from '../../../db/client.js';
import { emailChanges, users } from '../../../db/schema.js';
import { AppError, fieldError } from '../../../http/errors.js';
import { hashToken, newToken } from '../../../lib/tokens.js';
import type { AccessDeps } from '../../access/access.deps.js';
import type { Caller } from '../../access/account.service.js';
import { deleteOtherSessions } from '../../access/sessions.repo.js';
import { findUserByEmail, findUserByIdForUpdate, updateUserProfile, type UserRow } from '../../access/users.repo.js';
import type { Mail } from '../../mail/mailer.js';
import { auditAs, lockRequest } from './requests.service.js';
import { updateRequest, type PrivacyRequestRow } from './requests.repo.js';
import type { Outcome } from './deletion.js';

export const EMAIL_CHANGE_TTL_MS = 24 * 3600_000;

/** The mail carrying the confirmation link to the new address. */
export function emailChangeMail(publicUrl: URL, v: { to: string; name: string; token: string }): Mail {
  const link = new URL(`/confirm-email#token=${v.token}`, publicUrl).toString();
  return {
    to: v.to,
    subject: 'Confirm your new email for the CRM console',
    text: [
      `Hello ${v.name},`,
      '',
      'Your email in the CRM console is being changed to this address. Sign in and open this link within 24 hours to confirm it:',
      '',
      link,
      '',
      'Confirming signs you out of your other sessions. If you did not ask for this, ignore this mail: nothing changes.',
    ].join('\n'),
  };
}

/**
 * Applies a correction request to `target`. Returns the outcome and, when an email change is
 * pending, the mail to send after commit (the request then stays in_progress until confirmed).
 */
export async function applyCorrection(
  tx: Tx,
  deps: AccessDeps,
  caller: Caller,
  row: PrivacyRequestRow,
  target: UserRow,
  reason: string | undefined,
  now: Date,
): Promise<{ outcome: Outcome; mail: Mail | null }> {
  const d = row.details as { displayName?: string; email?: string; other?: string };
  const corrected: string[] = [];
  if (d.other && !reason) throw fieldError('reason', 'say how the other fields were corrected');
  if (d.displayName && d.displayName !== target.displayName) {
    await updateUserProfile(tx, target.id, { displayName: d.displayName, at: now });
    await auditAs(deps, tx, caller, {
      action: 'privacy.correction_applied',
      targetType: 'user',
      targetId: target.id,
      changedFields: ['displayName'],
      details: { fields: ['displayName'] },
      personal: [
        { field: 'displayName', kind: 'before', subjectType: 'user', subjectId: target.id, value: target.displayName },
        { field: 'displayName', kind: 'after', subjectType: 'user', subjectId: target.id, value: d.displayName },
      ],
    });
    corrected.push('display name');
  }
  if (d.other) corrected.push(`other fields, by an administrator: ${reason}`);
  let mail: Mail | null = null;
  if (d.email && d.email !== target.email) {
    deps.mailer.assertAvailable();
    const holder = await findUserByEmail(tx, d.email);
    if (holder && holder.id !== target.id) throw fieldError('email', 'is already used by another account');
    const token = newToken();
    // one pending change per user: a new one replaces the old
    await tx.delete(emailChanges).where(and(eq(emailChanges.userId, target.id), isNull(emailChanges.usedAt)));
    await tx.insert(emailChanges).values({ userId: target.id, newEmail: d.email, tokenHash: hashToken(token), requestId: row.id, createdAt: now, expiresAt: new Date(now.getTime() + EMAIL_CHANGE_TTL_MS) });
    await auditAs(deps, tx, caller, {
      action: 'privacy.email_change_sent',
      targetType: 'user',
      targetId: target.id,
      details: {},
      personal: [{ field: 'email', kind: 'after', subjectType: 'user', subjectId: target.id, value: d.email }],
    });
    mail = emailChangeMail(deps.publicUrl, { to: d.email, name: d.displayName ?? target.displayName, token });
  }
  const note = mail ? 'The new email takes effect once it is confirmed through the link mailed to it (valid 24 hours).' : undefined;
  return { outcome: { deleted: [], kept: [], corrected, ...(mail ? { pending: 'email', note } : {}) }, mail };
}

/**
 * The signed-in user confirms a new email with the mailed token. Another user's token, a used or
 * expired one: the same 404 (nothing learned about other accounts).
 */
export async function confirmEmailChange(deps: AccessDeps, caller: Caller, token: string): Promise<UserRow> {
  return deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    const [change] = await tx.select().from(emailChanges).where(eq(emailChanges.tokenHash, hashToken(token))).for('update').limit(1);
    if (!change || change.userId !== caller.user.id || change.usedAt || change.expiresAt <= now) {
      throw new AppError('not_found', 'This confirmation link is unknown, used or expired. Ask for the change again.');
    }
    const user = await findUserByIdForUpdate(tx, change.userId);
    if (!user || user.status !== 'active') throw new AppError('not_found', 'This confirmation link is unknown, used or expired. Ask for the change again.');
    const holder = await findUserByEmail(tx, change.newEmail);
    if (holder && holder.id !== user.id) throw fieldError('email', 'is already used by another account');
    const [updated] = await tx.update(users).set({ email: change.newEmail, updatedAt: now }).where(eq(users.id, user.id)).returning();
    await tx.update(emailChanges).set({ usedAt: now }).where(eq(emailChanges.id, change.id));
    const ended = await deleteOtherSessions(tx, user.id, caller.sessionId);
    await auditAs(deps, tx, caller, {
      action: 'privacy.email_changed',
      targetType: 'user',
      targetId: user.id,
      changedFields: ['email'],
      details: { sessionsEnded: ended },
      personal: [
        { field: 'email', kind: 'before', subjectType: 'user', subjectId: user.id, value: user.email },
        { field: 'email', kind: 'after', subjectType: 'user', subjectId: user.id, value: change.newEmail },
      ],
    });
    if (change.requestId) {
      const row = await lockRequest(tx, change.requestId);
      if (row.state === 'in_progress') {
        const prior = row.outcome as Outcome;
        const outcome: Outcome = { deleted: [], kept: [], corrected: [...((prior.corrected as string[] | undefined) ?? []), 'email (confirmed at the new address)'] };
        await updateRequest(tx, row.id, { state: 'completed', completedAt: now, outcome, updatedAt: now });
        await auditAs(deps, tx, caller, { action: 'privacy.request_completed', targetType: 'privacy_request', targetId: row.id, details: { kind: 'correction', deleted: 0, kept: 0 } });
      }
    }
    return updated!;
  });
}
