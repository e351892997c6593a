/**
 * A user's own 2FA: status, enrolment (start, confirm), removal; and the reset an owner or admin
 * makes for someone else. The secret lives in the vault: a started enrolment keeps its secret as
 * `totp_pending`, which nothing checks at sign-in; confirming with a first code moves it to
 * `totp_secret` and marks the user enrolled, so an unconfirmed secret never counts.
 */
import type { Tx } from '../../../db/client.js';
import { hashToken, newToken } from '../../../lib/tokens.js';
import { AppError, fieldError } from '../../../http/errors.js';
import { recordAudit } from '../../audit/audit.service.js';
import type { KeyRing } from '../../vault/keyring.js';
import { deleteOwnerSecrets, moveSecret, putSecret, revealSecret } from '../../vault/vault.service.js';
import type { AccessDeps } from '../access.deps.js';
import { sessionOf, type Caller } from '../account.service.js';
import { verifyPassword } from '../passwords.js';
import { ROLE_RANK, roleMay } from '../permissions.js';
import { deleteOtherSessions, updateSessionStage } from '../sessions.repo.js';
import { findUserByEmail, findUserById, findUserByIdForUpdate, type UserRow } from '../users.repo.js';
import { RECOMMENDED_ROLES, requirementFor } from './policy.js';
import { hashRecoveryCode, newRecoveryCodes } from './recovery-codes.js';
import { acceptTotp, pendingSecretRef, totpSecretRef } from './totp-check.js';
import { matchingStep, newTotpSecret, otpauthUri, qrDataUrl } from './totp.js';
import { clearEnrolment, countUnusedRecoveryCodes, deleteRecoveryCodes, findPolicy, replaceRecoveryCodes, setEnrolled } from './two-factor.repo.js';

export interface TwoFactorDeps extends AccessDeps {
  keyring: KeyRing;
  /** the step-up window (config STEP_UP_SECONDS) */
  stepUpMs: number;
}

export const actorOf = (c: Caller) => ({ actorType: 'user' as const, actorId: c.user.id, requestId: c.client.requestId });

export interface TwoFactorStatus {
  enrolled: boolean;
  enrolledAt: Date | null;
  recoveryCodesLeft: number;
  required: boolean;
  graceEndsAt: Date | null;
  /** owners and admins without 2FA are told it is recommended */
  recommended: boolean;
}

/** The caller's 2FA state and what the policy asks of them. */
export async function twoFactorStatus(deps: TwoFactorDeps, caller: Caller): Promise<TwoFactorStatus> {
  const user = (await findUserById(deps.db, caller.user.id)) ?? caller.user;
  const enrolled = user.totpEnrolledAt !== null;
  const [policy, left] = await Promise.all([findPolicy(deps.db, user.role), enrolled ? countUnusedRecoveryCodes(deps.db, user.id) : Promise.resolve(0)]);
  const req = requirementFor(policy, enrolled, deps.clock.now());
  return {
    enrolled,
    enrolledAt: user.totpEnrolledAt,
    recoveryCodesLeft: left,
    required: req.required,
    graceEndsAt: req.graceEndsAt,
    recommended: !enrolled && RECOMMENDED_ROLES.includes(user.role),
  };
}

/** Throws unless `password` is the user's and `code` their current, unused TOTP code (re-enrolment, removal). */
async function assertPasswordAndCode(deps: TwoFactorDeps, caller: Caller, input: { password?: string | undefined; code?: string | undefined }, why: string): Promise<void> {
  if (!input.password) throw fieldError('password', 'is required');
  if (!input.code) throw fieldError('code', 'is required');
  if (!(await verifyPassword(caller.user.passwordHash, input.password))) throw fieldError('password', 'is not your password');
  const ok = await deps.db.transaction(async (tx) => {
    const user = await findUserByIdForUpdate(tx, caller.user.id);
    return user ? acceptTotp(tx, deps, user, input.code!, why, actorOf(caller)) : false;
  });
  if (!ok) throw fieldError('code', 'is not the current code of your authenticator app');
}

/**
 * Starts an enrolment: a new secret stored as pending, returned once with its QR code. A user who is
 * already enrolled (re-enrolment) must give their password and a current code first.
 */
export async function startEnrolment(
  deps: TwoFactorDeps,
  caller: Caller,
  input: { password?: string | undefined; code?: string | undefined },
): Promise<{ secret: string; otpauthUri: string; qrCode: string }> {
  const user = (await findUserById(deps.db, caller.user.id)) ?? caller.user;
  if (user.totpEnrolledAt) await assertPasswordAndCode(deps, caller, input, 'totp_reenrol');
  const secret = newTotpSecret();
  await deps.db.transaction(async (tx) => putSecret(tx, deps.keyring, pendingSecretRef(user.id), secret));
  const uri = otpauthUri(secret, user.email);
  return { secret, otpauthUri: uri, qrCode: await qrDataUrl(uri) };
}

/**
 * Confirms a started enrolment with the first code from the app: the pending secret becomes the
 * user's secret, ten recovery codes replace any earlier ones (returned once, stored hashed), and the
 * current session counts as fully signed in and freshly proved.
 */
export async function confirmEnrolment(deps: TwoFactorDeps, caller: Caller, input: { code: string }): Promise<{ recoveryCodes: string[]; sessionToken: string }> {
  const codes = newRecoveryCodes();
  const sessionToken = newToken(); // a privilege change: the session gets a new id
  await deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    const user = (await findUserByIdForUpdate(tx, caller.user.id))!;
    const pending = await revealSecret(tx, deps.keyring, pendingSecretRef(user.id), 'totp_enrol', actorOf(caller), deps.clock);
    if (!pending) throw new AppError('conflict', 'No enrolment was started (or it was already confirmed): start again.');
    const step = matchingStep(pending, input.code, now);
    if (step === null) throw fieldError('code', 'is not the current code of your authenticator app');
    await moveSecret(tx, deps.keyring, pendingSecretRef(user.id), totpSecretRef(user.id));
    await setEnrolled(tx, user.id, now, step);
    await replaceRecoveryCodes(tx, user.id, codes.map(hashRecoveryCode), now);
    await updateSessionStage(tx, sessionOf(caller), 'full', now, hashToken(sessionToken));
    await recordAudit(tx, deps.clock, actorOf(caller), {
      action: 'two_factor.enrolled',
      targetType: 'user',
      targetId: user.id,
      changedFields: ['twoFactor'],
      details: { replaced: user.totpEnrolledAt !== null },
    });
  });
  return { recoveryCodes: codes, sessionToken };
}

/** Removes the caller's own 2FA (password and a current code). Refused while the policy requires it for their role. */
export async function removeOwnTwoFactor(deps: TwoFactorDeps, caller: Caller, input: { password: string; code: string }): Promise<void> {
  const user = (await findUserById(deps.db, caller.user.id)) ?? caller.user;
  if (!user.totpEnrolledAt) throw new AppError('conflict', 'Two-factor authentication is not set up.');
  if (requirementFor(await findPolicy(deps.db, user.role), true, deps.clock.now()).required) {
    throw new AppError('conflict', 'Two-factor authentication is required for your role: set it up again on a new device instead of removing it.');
  }
  await assertPasswordAndCode(deps, caller, input, 'totp_remove');
  await deps.db.transaction(async (tx) => {
    await findUserByIdForUpdate(tx, user.id);
    await eraseEnrolment(tx, deps, user.id);
    await recordAudit(tx, deps.clock, actorOf(caller), { action: 'two_factor.removed', targetType: 'user', targetId: user.id, changedFields: ['twoFactor'], details: {} });
  });
}

async function eraseEnrolment(tx: Tx, deps: Pick<TwoFactorDeps, 'clock'>, userId: string): Promise<void> {
  await deleteOwnerSecrets(tx, { ownerType: 'user_totp', ownerId: userId });
  await deleteRecoveryCodes(tx, userId);
  await clearEnrolment(tx, userId, deps.clock.now());
}

/** Whether `actor` may reset `target`'s 2FA: the permission, not their own, not above their rank, something to reset. */
export function mayResetTwoFactor(actor: UserRow, target: UserRow): boolean {
  return (
    roleMay(actor.role, 'users.2fa.reset') &&
    actor.id !== target.id &&
    ROLE_RANK[target.role] <= ROLE_RANK[actor.role] &&
    target.totpEnrolledAt !== null
  );
}

/** An owner or admin resets another user's 2FA: secret and recovery codes erased, every session of theirs ended. */
export async function resetTwoFactor(deps: TwoFactorDeps, caller: Caller, targetId: string): Promise<UserRow> {
  return deps.db.transaction(async (tx) => {
    const target = await findUserByIdForUpdate(tx, targetId);
    if (!target) throw new AppError('not_found', 'No such user.');
    if (target.id === caller.user.id) throw new AppError('conflict', 'Manage your own two-factor authentication on your account page.');
    if (ROLE_RANK[target.role] > ROLE_RANK[caller.user.role]) throw new AppError('forbidden', 'You cannot act on a user whose role is above your own.');
    if (!target.totpEnrolledAt) throw new AppError('conflict', 'This user has no two-factor authentication to reset.');
    await eraseEnrolment(tx, deps, target.id);
    const ended = await deleteOtherSessions(tx, target.id, null);
    await recordAudit(tx, deps.clock, actorOf(caller), {
      action: 'two_factor.reset',
      targetType: 'user',
      targetId: target.id,
      changedFields: ['twoFactor'],
      details: { sessionsEnded: ended },
    });
    return (await findUserById(tx, target.id))!;
  });
}

/** The operator's way out when the only owner lost both device and recovery codes (CLI `reset-2fa`). */
export async function resetTwoFactorForCli(deps: Pick<TwoFactorDeps, 'db' | 'clock'>, email: string): Promise<{ sessionsEnded: number }> {
  const user = await findUserByEmail(deps.db, email);
  if (!user) throw new Error(`no user with email ${email}`);
  if (!user.totpEnrolledAt) throw new Error(`${email} has no two-factor authentication to reset`);
  return deps.db.transaction(async (tx) => {
    await findUserByIdForUpdate(tx, user.id);
    await eraseEnrolment(tx, deps, user.id);
    const ended = await deleteOtherSessions(tx, user.id, null);
    await recordAudit(tx, deps.clock, { actorType: 'cli', actorId: null, requestId: null }, {
      action: 'two_factor.reset',
      targetType: 'user',
      targetId: user.id,
      changedFields: ['twoFactor'],
      details: { sessionsEnded: ended },
    });
    return { sessionsEnded: ended };
  });
}
