/**
 * Checking a user's TOTP code against the secret in the vault, with replay protection: the caller
 * holds the user's row lock (findUserByIdForUpdate), so two requests with the same code cannot both
 * pass, and a step at or below `totp_last_step` is refused.
 */
import type { Tx } from '../../../db/client.js';
import type { Clock } from '../../../lib/clock.js';
import type { AuditContext } from '../../audit/audit.types.js';
import type { KeyRing } from '../../vault/keyring.js';
import { revealSecret } from '../../vault/vault.service.js';
import type { SecretRef } from '../../vault/vault.types.js';
import type { UserRow } from '../users.repo.js';
import { matchingStep } from './totp.js';
import { setLastStep } from './two-factor.repo.js';

/** The confirmed secret of a user. */
export const totpSecretRef = (userId: string): SecretRef => ({ ownerType: 'user_totp', ownerId: userId, purpose: 'totp_secret' });
/** The secret of an enrolment not yet confirmed: never checked at sign-in. */
export const pendingSecretRef = (userId: string): SecretRef => ({ ownerType: 'user_totp', ownerId: userId, purpose: 'totp_pending' });

/**
 * True when `code` is the user's current code and its step was not used before; the step is then
 * recorded. `lockedUser` must be the row read under lock in `tx`. `why` names the use for the audit.
 */
export async function acceptTotp(
  tx: Tx,
  deps: { keyring: KeyRing; clock: Clock },
  lockedUser: UserRow,
  code: string,
  why: string,
  actor: AuditContext,
): Promise<boolean> {
  if (!lockedUser.totpEnrolledAt) return false;
  const secret = await revealSecret(tx, deps.keyring, totpSecretRef(lockedUser.id), why, actor, deps.clock);
  if (!secret) return false;
  const step = matchingStep(secret, code, deps.clock.now());
  if (step === null) return false;
  if (lockedUser.totpLastStep !== null && step <= lockedUser.totpLastStep) return false;
  await setLastStep(tx, lockedUser.id, step);
  return true;
}
