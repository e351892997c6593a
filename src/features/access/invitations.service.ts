/**
 * Invitations: an owner or admin invites someone with a role no higher than their own; the invitee
 * gets a single-use link (hash stored, 7 days) that lets them set a password. Resending replaces the
 * link; revoking deletes the never-used account. Mail goes out after the commit; its outcome is kept.
 */
import { AppError, fieldError } from '../../http/errors.js';
import { hashToken, newToken } from '../../lib/tokens.js';
import { recordAudit } from '../audit/audit.service.js';
import type { AccessDeps, ClientInfo } from './access.deps.js';
import type { Caller } from './account.service.js';
import { findUsableInvitation, markInvitationUsed, recordInvitationMail, replaceInvitation } from './links.repo.js';
import { invitationMail } from './mails.js';
import { hashPassword, passwordProblem } from './passwords.js';
import { ROLE_RANK, type Role } from './permissions.js';
import { createSession } from './sessions.service.js';
import { recordAttempt } from './sign-in.service.js';
import { activateInvitedUser, deleteUser } from './users-admin.repo.js';
import { auditAsCaller, changeUser } from './users-admin.service.js';
import { findUserByEmail, findUserById, insertUser, type UserRow } from './users.repo.js';

export const INVITATION_TTL_MS = 7 * 24 * 3600_000;

export interface MailOutcome {
  delivered: boolean;
  error: string | null;
}

async function sendInvitation(deps: AccessDeps, invitationId: string, user: UserRow, inviterName: string, token: string): Promise<MailOutcome> {
  const error = await deps.mailer.send(invitationMail(deps.publicUrl, { to: user.email, name: user.displayName, inviterName, role: user.role, token }));
  await recordInvitationMail(deps.db, invitationId, deps.clock.now(), error);
  return { delivered: error === null, error };
}

/** Invites a new user; the account is `invited` until the link is used. */
export async function inviteUser(
  deps: AccessDeps,
  caller: Caller,
  input: { email: string; displayName: string; role: Role },
): Promise<{ user: UserRow; mail: MailOutcome }> {
  deps.mailer.assertAvailable();
  if (ROLE_RANK[input.role] > ROLE_RANK[caller.user.role]) throw new AppError('forbidden', 'You cannot grant a role above your own.', [{ path: 'role', message: 'is above your own role' }]);
  const token = newToken();
  const { user, invitationId } = await deps.db.transaction(async (tx) => {
    if (await findUserByEmail(tx, input.email)) throw new AppError('conflict', 'A user with this email already exists.', [{ path: 'email', message: 'is already in use' }]);
    const now = deps.clock.now();
    const user = await insertUser(tx, { email: input.email, displayName: input.displayName, role: input.role, status: 'invited', passwordHash: null, at: now });
    const inv = await replaceInvitation(tx, { userId: user.id, tokenHash: hashToken(token), invitedBy: caller.user.id, at: now, expiresAt: new Date(now.getTime() + INVITATION_TTL_MS) });
    await auditAsCaller(deps, tx, caller, {
      action: 'user.invited',
      targetType: 'user',
      targetId: user.id,
      changedFields: ['email', 'displayName', 'role', 'status'],
      details: { role: input.role },
      personal: [
        { field: 'email', kind: 'after', subjectType: 'user', subjectId: user.id, value: user.email },
        { field: 'displayName', kind: 'after', subjectType: 'user', subjectId: user.id, value: user.displayName },
      ],
    });
    return { user, invitationId: inv.id };
  });
  return { user, mail: await sendInvitation(deps, invitationId, user, caller.user.displayName, token) };
}

/** Sends a fresh link; the previous one stops working. */
export async function resendInvitation(deps: AccessDeps, caller: Caller, userId: string): Promise<{ user: UserRow; mail: MailOutcome }> {
  deps.mailer.assertAvailable();
  const token = newToken();
  const { user, invitationId } = await changeUser(deps, caller, userId, 'resendInvitation', async (tx, target, now) => {
    const inv = await replaceInvitation(tx, { userId: target.id, tokenHash: hashToken(token), invitedBy: caller.user.id, at: now, expiresAt: new Date(now.getTime() + INVITATION_TTL_MS) });
    await auditAsCaller(deps, tx, caller, { action: 'invitation.resent', targetType: 'user', targetId: target.id, details: {} });
    return { user: target, invitationId: inv.id };
  });
  return { user, mail: await sendInvitation(deps, invitationId, user, caller.user.displayName, token) };
}

/** Revokes an invitation: the never-used account is deleted. */
export async function revokeInvitation(deps: AccessDeps, caller: Caller, userId: string): Promise<void> {
  await changeUser(deps, caller, userId, 'revokeInvitation', async (tx, target) => {
    await deleteUser(tx, target.id);
    await auditAsCaller(deps, tx, caller, { action: 'invitation.revoked', targetType: 'user', targetId: target.id, details: {} });
  });
}

/** Whether an invitation link can be used, and for whom. */
export async function getInvitationStatus(deps: AccessDeps, token: string): Promise<{ valid: boolean; email: string | null; displayName: string | null }> {
  const inv = await findUsableInvitation(deps.db, hashToken(token), deps.clock.now());
  const user = inv ? await findUserById(deps.db, inv.userId) : undefined;
  if (!user || user.status !== 'invited') return { valid: false, email: null, displayName: null };
  return { valid: true, email: user.email, displayName: user.displayName };
}

/** Uses an invitation: sets the password, activates the account, signs the person in. */
export async function acceptInvitation(
  deps: AccessDeps,
  input: { token: string; displayName: string; password: string },
  client: ClientInfo,
): Promise<{ user: UserRow; sessionToken: string }> {
  const problem = passwordProblem(input.password);
  if (problem) throw fieldError('password', problem);
  const passwordHash = await hashPassword(input.password);
  return deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    const inv = await findUsableInvitation(tx, hashToken(input.token), now, true);
    const invited = inv ? await findUserById(tx, inv.userId) : undefined;
    if (!inv || !invited || invited.status !== 'invited') throw new AppError('setup_token_invalid', 'This invitation link is invalid, used or expired. Ask for a new one.');
    await markInvitationUsed(tx, inv.id, now);
    const user = await activateInvitedUser(tx, invited.id, { displayName: input.displayName, passwordHash, at: now });
    const personal =
      user.displayName === invited.displayName
        ? []
        : [
            { field: 'displayName', kind: 'before' as const, subjectType: 'user' as const, subjectId: user.id, value: invited.displayName },
            { field: 'displayName', kind: 'after' as const, subjectType: 'user' as const, subjectId: user.id, value: user.displayName },
          ];
    await recordAudit(tx, deps.clock, { actorType: 'user', actorId: user.id, requestId: client.requestId }, {
      action: 'invitation.accepted',
      targetType: 'user',
      targetId: user.id,
      changedFields: ['status', 'password', ...(personal.length ? ['displayName'] : [])],
      details: { role: user.role },
      personal,
    });
    const { token } = await createSession(tx, deps, user.id, client);
    // using the link signs the person in: it is login activity like any other sign-in
    await recordAttempt({ db: tx, clock: deps.clock }, { userId: user.id, attemptedEmail: null, reason: null }, client);
    return { user, sessionToken: token };
  });
}
