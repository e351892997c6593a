/**
 * Sign-in with email and password. Every attempt is recorded in login activity. Unknown email,
 * wrong password, inactive account and lock all answer the same `invalid_credentials`, and every
 * path runs exactly one argon2 verify so the answer's cost does not reveal which it was.
 */
import { AppError } from '../../http/errors.js';
import type { AccessDeps, ClientInfo } from './access.deps.js';
import { issueDeviceCookie, readDeviceCookie } from './device-cookie.js';
import { findDeviceLock, insertLoginActivity, saveDeviceLock, type LoginReason } from './login-activity.repo.js';
import { ACCOUNT_THRESHOLD, DEVICE_THRESHOLD, UNLOCKED, afterFailure, isLocked, type LockState } from './lockout.js';
import { verifyPassword } from './passwords.js';
import { createSession, deleteSessionByToken } from './sessions.service.js';
import { findUserByEmail, findUserByIdForUpdate, markSignedIn, saveUserLock, type UserRow } from './users.repo.js';

export interface SignInResult {
  user: UserRow;
  sessionToken: string;
  /** A new device cookie value when the browser had none for this account. */
  deviceCookie: string | null;
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
  deps: Pick<AccessDeps, 'db' | 'clock'>,
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
  const user = await findUserByEmail(deps.db, email);
  if (!user) {
    await verifyPassword(null, input.password);
    await recordAttempt(deps, { userId: null, attemptedEmail: email.slice(0, 320), reason: 'unknown_user' }, client);
    throw invalidCredentials();
  }

  const claim = readDeviceCookie(deps.deviceKey, input.deviceCookieValue);
  const device = claim && claim.userId === user.id ? claim : null;
  const passwordOk = await verifyPassword(user.passwordHash, input.password);

  const outcome = await deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    const locked = (await findUserByIdForUpdate(tx, user.id))!;
    const deviceState: LockState | null = device ? ((await findDeviceLock(tx, device.deviceId)) ?? UNLOCKED) : null;
    // A trusted device is judged by its own lock, so strangers cannot lock the owner out.
    const state: LockState = deviceState ?? locked;
    if (isLocked(state, now)) return { reason: 'locked' as const };
    if (locked.status !== 'active') return { reason: locked.status === 'invited' ? ('bad_password' as const) : ('deactivated' as const) };
    if (!passwordOk) {
      if (device && deviceState) await saveDeviceLock(tx, device.deviceId, user.id, afterFailure(deviceState, now, DEVICE_THRESHOLD));
      else await saveUserLock(tx, user.id, afterFailure(locked, now, ACCOUNT_THRESHOLD));
      return { reason: 'bad_password' as const };
    }
    // Whatever session this browser carried before is ended: a signed-in browser always gets a fresh id.
    if (input.previousSessionToken) await deleteSessionByToken(tx, input.previousSessionToken);
    await markSignedIn(tx, user.id, now, client.ip);
    if (device) await saveDeviceLock(tx, device.deviceId, user.id, UNLOCKED);
    const { token } = await createSession(tx, deps, user.id, client);
    return { reason: null, token, user: { ...locked, lastSignInAt: now, lastSignInIp: client.ip } };
  });

  await recordAttempt(deps, { userId: user.id, attemptedEmail: null, reason: outcome.reason }, client);
  if (outcome.reason !== null) throw invalidCredentials();
  return {
    user: outcome.user,
    sessionToken: outcome.token,
    deviceCookie: device ? null : issueDeviceCookie(deps.deviceKey, user.id),
  };
}
