/**
 * Giving a fresh proof for step-up: the password or a current TOTP code. Wrong answers count toward
 * the account lockout like wrong sign-ins, so a stolen session cannot guess the password here.
 */
import { AppError, fieldError } from '../../../http/errors.js';
import { recordAudit } from '../../audit/audit.service.js';
import { sessionOf, type Caller } from '../account.service.js';
import { ACCOUNT_THRESHOLD, afterFailure, isLocked } from '../lockout.js';
import { verifyPassword } from '../passwords.js';
import { markSessionProved } from '../sessions.repo.js';
import { findUserByIdForUpdate, saveUserLock } from '../users.repo.js';
import { acceptTotp } from './totp-check.js';
import { actorOf, type TwoFactorDeps } from './two-factor.service.js';

/** Records a proof on the caller's session, or throws naming the field that was wrong. */
export async function proveIdentity(deps: TwoFactorDeps, caller: Caller, input: { password?: string | undefined; code?: string | undefined }): Promise<{ provedAt: Date }> {
  if (!input.password && !input.code) throw fieldError('password', 'enter your password or a code from your authenticator app');
  const passwordOk = input.password ? await verifyPassword(caller.user.passwordHash, input.password) : false;
  const result = await deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    const user = (await findUserByIdForUpdate(tx, caller.user.id))!;
    if (isLocked(user, now)) return 'locked' as const;
    const ok = input.password ? passwordOk : await acceptTotp(tx, deps, user, input.code!, 'step_up', actorOf(caller));
    if (!ok) {
      await saveUserLock(tx, user.id, afterFailure(user, now, ACCOUNT_THRESHOLD));
      return 'wrong' as const;
    }
    await markSessionProved(tx, sessionOf(caller), now);
    await recordAudit(tx, deps.clock, actorOf(caller), {
      action: 'step_up.proved',
      targetType: 'session',
      targetId: sessionOf(caller),
      details: { with: input.password ? 'password' : 'totp' },
    });
    return now;
  });
  if (result === 'locked') throw new AppError('rate_limited', 'Too many wrong attempts. Wait a few minutes and try again.');
  if (result === 'wrong') throw input.password ? fieldError('password', 'is not your password') : fieldError('code', 'is not the current code of your authenticator app');
  return { provedAt: result };
}
