/**
 * Sign-in with email and password. Every attempt is recorded in login activity. Unknown email,
 * wrong password, inactive account and lock all answer the same `invalid_credentials`, and every
 * path runs exactly one argon2 verify so the answer's cost does not reveal which it was.
 */
import { TransactionRollbackError } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { AppError } from '../../http/errors.js';
import type { Clock } from '../../lib/clock.js';
import type { AccessDeps, ClientInfo } from './access.deps.js';
import { issueDeviceCookie, readDeviceCookie } from './device-cookie.js';
import { noticeNewSignIn } from '../notifications/sign-in-notice.js';
import { findDeviceLock, insertLoginActivity, saveDeviceLock, type LoginReason } from './login-activity.repo.js';
import { ACCOUNT_THRESHOLD, DEVICE_THRESHOLD, UNLOCKED, afterFailure, isLocked, type LockState } from './lockout.js';
import { verifyPassword } from './passwords.js';
import { hashToken, newToken } from '../../lib/tokens.js';
import { commitSuccessfulSignIn } from './sign-in.repo.js';
import { findSsoSettings } from './sso/sso.repo.js';
import { requirementFor } from './two-factor/policy.js';
import { insertSecondFactorSession, listPolicies } from './two-factor/two-factor.repo.js';
import { findUserByEmail, findUserByIdForUpdate, saveUserLock, type UserRow } from './users.repo.js';

export interface SignInResult {
  user: UserRow;
  sessionToken: string;
  /** A new device cookie value when the browser had none for this account. */
  deviceCookie: string | null;
  /** 'full': signed in; 'second_factor': enrolled in 2FA, a code is owed; 'enrol': 2FA required and overdue. */
  stage: 'full' | 'second_factor' | 'enrol';
}

/** The generic refusal: the same words whatever the reason. */
export function invalidCredentials(): AppError {
  return new AppError(
    'invalid_credentials',
    'Email or password is incorrect, or the account cannot sign in right now.',
  );
}

/** Normalises a typed email the way stored emails are normalised. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Records one attempt (the only writer of login activity for sign-ins). */
export async function recordAttempt(
  deps: { db: Executor; clock: Clock },
  v: { userId: string | null; attemptedEmail: string | null; reason: LoginReason | null },
  client: ClientInfo,
): Promise<void> {
  await insertLoginActivity(deps.db, {
    at: deps.clock.now(),
    userId: v.userId,
    attemptedEmail: v.attemptedEmail,
    result: v.reason === null ? 'success' : 'failure',
    reason: v.reason,
    ip: client.ip,
    userAgent: client.userAgent?.slice(0, 512) ?? null,
  });
}

/** Signs in or throws invalid_credentials. `deviceCookieValue` is the browser's device cookie, if any. */
export async function signIn(
  deps: AccessDeps,
  input: { email: string; password: string; deviceCookieValue: string | undefined; previousSessionToken?: string | undefined },
  client: ClientInfo,
): Promise<SignInResult> {
  const email = normaliseEmail(input.email);
  const claim = readDeviceCookie(deps.deviceKey, input.deviceCookieValue);
  const [user, deviceRow, policies, sso] = await Promise.all([
    findUserByEmail(deps.db, email),
    claim ? findDeviceLock(deps.db, claim.deviceId) : Promise.resolve(undefined),
    listPolicies(deps.db),
    findSsoSettings(deps.db),
  ]);
  if (!user) {
    await verifyPassword(null, input.password);
    await recordAttempt(deps, { userId: null, attemptedEmail: email.slice(0, 320), reason: 'unknown_user' }, client);
    throw invalidCredentials();
  }
  const device = claim && claim.userId === user.id ? claim : null;
  // Single sign-on with passwords off for non-owners: a right password earns only that pointer (a wrong one learns nothing new).
  if (sso?.enabled && !sso.passwordForNonOwners && user.role !== 'owner') {
    const ok = await verifyPassword(user.passwordHash, input.password);
    if (ok && user.status === 'active') {
      await recordAttempt(deps, { userId: user.id, attemptedEmail: null, reason: 'sso_not_allowed' }, client);
      throw new AppError('sso_required', `Your organisation signs in with ${sso.displayName}: use the "Sign in with ${sso.displayName}" button.`);
    }
    await recordFailure(deps, user.id, device?.deviceId ?? null, ok, client);
    throw invalidCredentials();
  }
  const now = deps.clock.now();
  // A trusted device is judged by its own lock, so strangers cannot lock the owner out.
  const lockState: LockState = device ? (deviceRow ?? UNLOCKED) : user;
  const token = newToken();
  // Enrolled users owe a code after the password; users whose role requires 2FA past its grace period may only enrol.
  const stage: SignInResult['stage'] =
    user.totpEnrolledAt !== null ? 'second_factor' : requirementFor(policies.find((p) => p.role === user.role), false, now).enforced ? 'enrol' : 'full';
  let passwordOk = false;
  if (user.status === 'active' && !isLocked(lockState, now)) {
    // The success writes run while argon2 works on its thread, inside a transaction that commits
    // only if the password was right: the database round trips cost nothing but the commit.
    const committed = await deps.db
      .transaction(async (tx) => {
        const session = {
          userId: user.id,
          now,
          ip: client.ip,
          userAgent: client.userAgent?.slice(0, 512) ?? null,
          tokenHash: hashToken(token),
          expiresAt: new Date(now.getTime() + deps.sessionMaxMs),
          previousTokenHash: input.previousSessionToken && input.previousSessionToken.length <= 200 ? hashToken(input.previousSessionToken) : null,
        };
        const [ok, written] = await Promise.all([
          verifyPassword(user.passwordHash, input.password),
          // The code step records the attempt and resets the lock; the password alone does neither.
          stage === 'second_factor'
            ? insertSecondFactorSession(tx, { ...session, deviceExempt: device !== null })
            : commitSuccessfulSignIn(tx, { ...session, deviceId: device?.deviceId ?? null, stage }),
        ]);
        passwordOk = ok;
        if (!(ok && written)) tx.rollback();
        return true;
      })
      .catch((err: unknown) => {
        if (err instanceof TransactionRollbackError) return false;
        throw err;
      });
    if (committed && stage === 'second_factor') return { user, sessionToken: token, deviceCookie: null, stage };
    if (committed) {
      // after the commit: the sign-in itself neither waits on nor fails with the notice's write
      await noticeNewSignIn(deps.db, user, device !== null, client.ip, now);
      return {
        stage,
        user: { ...user, lastSignInAt: now, lastSignInIp: client.ip, failedCount: 0, failedWindowStart: null, lockedUntil: null },
        sessionToken: token,
        deviceCookie: device ? null : issueDeviceCookie(deps.deviceKey, user.id),
      };
    }
  } else {
    passwordOk = await verifyPassword(user.passwordHash, input.password);
  }
  await recordFailure(deps, user.id, device?.deviceId ?? null, passwordOk, client);
  throw invalidCredentials();
}

/** The failure path: re-read under a row lock, count the failure where it belongs, record the attempt. */
async function recordFailure(deps: AccessDeps, userId: string, deviceId: string | null, passwordOk: boolean, client: ClientInfo): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    const user = (await findUserByIdForUpdate(tx, userId))!;
    const deviceState = deviceId ? ((await findDeviceLock(tx, deviceId)) ?? UNLOCKED) : null;
    const state: LockState = deviceState ?? user;
    let reason: LoginReason;
    if (isLocked(state, now)) reason = 'locked';
    else if (user.status !== 'active') reason = user.status === 'invited' ? 'bad_password' : 'deactivated';
    else if (passwordOk) reason = 'locked'; // the account changed between the check and the write
    else {
      reason = 'bad_password';
      if (deviceId && deviceState) await saveDeviceLock(tx, deviceId, userId, afterFailure(deviceState, now, DEVICE_THRESHOLD));
      else await saveUserLock(tx, userId, afterFailure(user, now, ACCOUNT_THRESHOLD));
    }
    await recordAttempt({ db: tx, clock: deps.clock }, { userId, attemptedEmail: null, reason }, client);
  });
}
