/**
 * Password reset by mail: a single-use link valid one hour. The public request answers the same
 * whether or not the email exists, and mails are sent after the answer so its timing reveals nothing.
 * Using a link sets the password, ends every session and lifts any lock.
 */
import { AppError, fieldError } from '../../http/errors.js';
import { hashToken, newToken } from '../../lib/tokens.js';
import { recordAudit } from '../audit/audit.service.js';
import { messages } from '../notifications/messages.js';
import { notify } from '../notifications/notify.js';
import type { AccessDeps, ClientInfo } from './access.deps.js';
import type { Caller } from './account.service.js';
import { consumeResets, countRecentResets, findUsableReset, insertPasswordReset, recordResetMail } from './links.repo.js';
import { passwordResetMail } from './mails.js';
import { hashPassword, passwordProblem } from './passwords.js';
import { deleteOtherSessions } from './sessions.repo.js';
import { clearUserLock } from './users-admin.repo.js';
import { auditAsCaller, changeUser } from './users-admin.service.js';
import { findUserByEmail, findUserById, updatePasswordHash, type UserRow } from './users.repo.js';
import type { MailOutcome } from './invitations.service.js';
import type { ActorType } from '../audit/audit.types.js';
import type { Tx } from '../../db/client.js';

export const RESET_TTL_MS = 3600_000;
/** At most this many links per account and hour, whoever asks. */
export const RESETS_PER_HOUR = 3;

async function createLink(deps: Pick<AccessDeps, 'clock'>, tx: Tx, user: UserRow, requestedBy: string | null): Promise<{ token: string; id: string }> {
  const token = newToken();
  const now = deps.clock.now();
  const row = await insertPasswordReset(tx, { userId: user.id, tokenHash: hashToken(token), requestedBy, at: now, expiresAt: new Date(now.getTime() + RESET_TTL_MS) });
  return { token, id: row.id };
}

async function mailLink(deps: AccessDeps, user: UserRow, link: { token: string; id: string }): Promise<MailOutcome> {
  const error = await deps.mailer.send(passwordResetMail(deps.publicUrl, { to: user.email, name: user.displayName, token: link.token }));
  await recordResetMail(deps.db, link.id, deps.clock.now(), error);
  return { delivered: error === null, error };
}

/**
 * "Forgot password": creates and mails a link when the email belongs to an active account under its
 * hourly limit. Returns a promise of the delivery (tests await it; the route does not).
 */
export async function requestPasswordReset(deps: AccessDeps, email: string, client: ClientInfo): Promise<{ delivery: Promise<unknown> }> {
  deps.mailer.assertAvailable();
  const user = await findUserByEmail(deps.db, email);
  if (!user || user.status !== 'active') return { delivery: Promise.resolve() };
  const link = await deps.db.transaction(async (tx) => {
    const since = new Date(deps.clock.now().getTime() - 3600_000);
    if ((await countRecentResets(tx, user.id, since)) >= RESETS_PER_HOUR) return null;
    const l = await createLink(deps, tx, user, null);
    await recordAudit(tx, deps.clock, { actorType: 'user', actorId: user.id, requestId: client.requestId }, { action: 'password.reset_sent', targetType: 'user', targetId: user.id, details: { via: 'self' } });
    return l;
  });
  return { delivery: link ? mailLink(deps, user, link) : Promise.resolve() };
}

/** An owner or admin sends a reset link to a user (as the policy allows). */
export async function sendPasswordResetTo(deps: AccessDeps, caller: Caller, userId: string): Promise<MailOutcome> {
  deps.mailer.assertAvailable();
  const { user, link } = await changeUser(deps, caller, userId, 'sendPasswordReset', async (tx, target) => {
    const since = new Date(deps.clock.now().getTime() - 3600_000);
    if ((await countRecentResets(tx, target.id, since)) >= RESETS_PER_HOUR) throw new AppError('rate_limited', 'Enough reset links were sent to this user in the last hour.');
    const l = await createLink(deps, tx, target, caller.user.id);
    await auditAsCaller(deps, tx, caller, { action: 'password.reset_sent', targetType: 'user', targetId: target.id, details: { via: 'admin' } });
    return { user: target, link: l };
  });
  return mailLink(deps, user, link);
}

/** The CLI's reset: returns the link token instead of mailing it. */
export async function createResetLinkForCli(deps: Pick<AccessDeps, 'db' | 'clock'>, email: string): Promise<string> {
  const user = await findUserByEmail(deps.db, email);
  if (!user || user.status !== 'active') throw new Error(`no active user with email ${email}`);
  return deps.db.transaction(async (tx) => {
    const l = await createLink(deps, tx, user, null);
    await recordAudit(tx, deps.clock, { actorType: 'cli' as ActorType, actorId: null, requestId: null }, { action: 'password.reset_sent', targetType: 'user', targetId: user.id, details: { via: 'cli' } });
    return l.token;
  });
}

/** Whether a reset link can be used. */
export async function getResetStatus(deps: AccessDeps, token: string): Promise<{ valid: boolean }> {
  const row = await findUsableReset(deps.db, hashToken(token), deps.clock.now());
  const user = row ? await findUserById(deps.db, row.userId) : undefined;
  return { valid: !!user && user.status === 'active' };
}

/** Uses a reset link: new password, every session ends, lock lifted. */
export async function completePasswordReset(deps: AccessDeps, input: { token: string; newPassword: string }, client: ClientInfo): Promise<void> {
  const problem = passwordProblem(input.newPassword);
  if (problem) throw fieldError('newPassword', problem);
  const passwordHash = await hashPassword(input.newPassword);
  await deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    const row = await findUsableReset(tx, hashToken(input.token), now, true);
    const user = row ? await findUserById(tx, row.userId) : undefined;
    if (!row || !user || user.status !== 'active') throw new AppError('setup_token_invalid', 'This reset link is invalid, used or expired. Ask for a new one.');
    await consumeResets(tx, user.id, now);
    await updatePasswordHash(tx, user.id, passwordHash, now);
    await clearUserLock(tx, user.id);
    const ended = await deleteOtherSessions(tx, user.id, null);
    await recordAudit(tx, deps.clock, { actorType: 'user', actorId: user.id, requestId: client.requestId }, { action: 'password.reset_completed', targetType: 'user', targetId: user.id, changedFields: ['password'], details: { sessionsEnded: ended } });
    await notify(tx, now, messages.passwordChanged(user.id, now));
  });
}
