/**
 * The second step of an enrolled user's sign-in: the session the password opened at stage
 * 'second_factor' becomes 'full' when a TOTP code or an unused recovery code is given. Wrong codes
 * count toward the same lockout as wrong passwords (the account's, or the device cookie's for a
 * browser that completed a sign-in before); once locked, the pending session ends, so the password
 * has to be given again after the lock. Every attempt lands in login activity with its result.
 */
import { AppError } from '../../../http/errors.js';
import { hashToken, newToken } from '../../../lib/tokens.js';
import { recordAudit } from '../../audit/audit.service.js';
import type { ClientInfo } from '../access.deps.js';
import { issueDeviceCookie, readDeviceCookie } from '../device-cookie.js';
import { noticeNewSignIn } from '../../notifications/sign-in-notice.js';
import { findDeviceLock, insertLoginActivity, saveDeviceLock } from '../login-activity.repo.js';
import { ACCOUNT_THRESHOLD, DEVICE_THRESHOLD, UNLOCKED, afterFailure, isLocked, type LockState } from '../lockout.js';
import { deleteSession, updateSessionStage } from '../sessions.repo.js';
import { findUserByIdForUpdate, saveUserLock, type UserRow } from '../users.repo.js';
import { hashRecoveryCode, normaliseRecoveryCode } from './recovery-codes.js';
import { acceptTotp } from './totp-check.js';
import { looksLikeTotp } from './totp.js';
import { consumeRecoveryCode, countUnusedRecoveryCodes, findSessionMethod, stampSignIn } from './two-factor.repo.js';
import type { TwoFactorDeps } from './two-factor.service.js';

/** The refusal of a wrong, reused or locked-out code: the same words whatever the reason. */
export function invalidCode(): AppError {
  return new AppError('invalid_credentials', 'The code is not valid, or the account cannot sign in right now.');
}

type Outcome = { ok: true; user: UserRow } | { ok: false };

/** Completes the sign-in of `sessionId` with `code`; returns the user and a device cookie for a new browser. */
export async function completeSecondFactor(
  deps: TwoFactorDeps,
  input: { userId: string; sessionId: string; code: string; deviceCookieValue: string | undefined },
  client: ClientInfo,
): Promise<{ user: UserRow; deviceCookie: string | null; sessionToken: string }> {
  // the session's new id once the code is accepted (the password step's token stops working)
  const sessionToken = newToken();
  const claim = readDeviceCookie(deps.deviceKey, input.deviceCookieValue);
  const device = claim && claim.userId === input.userId ? claim : null;
  const outcome: Outcome = await deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    const user = (await findUserByIdForUpdate(tx, input.userId))!;
    const deviceState = device ? ((await findDeviceLock(tx, device.deviceId)) ?? UNLOCKED) : null;
    const state: LockState = deviceState ?? user;
    const actor = { actorType: 'user' as const, actorId: user.id, requestId: client.requestId };
    const method = await findSessionMethod(tx, input.sessionId);
    const activity = { at: now, userId: user.id, attemptedEmail: null, ip: client.ip, userAgent: client.userAgent?.slice(0, 512) ?? null, method };
    if (isLocked(state, now) || user.status !== 'active') {
      await deleteSession(tx, input.sessionId);
      await insertLoginActivity(tx, { ...activity, result: 'failure', reason: user.status === 'active' ? 'locked' : 'deactivated' });
      return { ok: false };
    }
    const kind = looksLikeTotp(input.code) ? 'totp' : 'recovery';
    let ok: boolean;
    if (kind === 'totp') ok = await acceptTotp(tx, deps, user, input.code, 'sign_in', actor);
    else {
      const normal = normaliseRecoveryCode(input.code);
      ok = normal !== null && user.totpEnrolledAt !== null && (await consumeRecoveryCode(tx, user.id, hashRecoveryCode(normal), now));
    }
    if (!ok) {
      const next = afterFailure(state, now, deviceState ? DEVICE_THRESHOLD : ACCOUNT_THRESHOLD);
      if (device && deviceState) await saveDeviceLock(tx, device.deviceId, user.id, next);
      else await saveUserLock(tx, user.id, next);
      // Locked now: the code step ends, so guessing continues only after the lock and a password.
      if (isLocked(next, now)) await deleteSession(tx, input.sessionId);
      await insertLoginActivity(tx, { ...activity, result: 'failure', reason: 'bad_second_factor', secondFactor: `${kind}_failed` });
      return { ok: false };
    }
    await noticeNewSignIn(tx, user, device !== null, client.ip, now);
    await stampSignIn(tx, user.id, now, client.ip);
    if (device) await saveDeviceLock(tx, device.deviceId, user.id, UNLOCKED);
    await updateSessionStage(tx, input.sessionId, 'full', now, hashToken(sessionToken));
    await insertLoginActivity(tx, { ...activity, result: 'success', reason: null, secondFactor: `${kind}_ok` });
    if (kind === 'recovery') {
      await recordAudit(tx, deps.clock, actor, {
        action: 'two_factor.recovery_code_used',
        targetType: 'user',
        targetId: user.id,
        details: { remaining: await countUnusedRecoveryCodes(tx, user.id) },
      });
    }
    return { ok: true, user: { ...user, lastSignInAt: now, lastSignInIp: client.ip, failedCount: 0, failedWindowStart: null, lockedUntil: null } };
  });
  if (!outcome.ok) throw invalidCode();
  return { user: outcome.user, deviceCookie: device ? null : issueDeviceCookie(deps.deviceKey, input.userId), sessionToken };
}
