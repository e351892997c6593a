/**
 * Recovery codes: ten per enrolment, 80 random bits each (16 base32 characters shown as four groups),
 * so a plain SHA-256 is enough to store them (no salt or slow hash needed at that entropy).
 */
import { randomBytes } from 'node:crypto';
import { hashToken } from '../../../lib/tokens.js';

export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** One new code, e.g. `k3fa-9xqe-2mbd-7tuw` (letters and digits that are hard to confuse). */
function newCode(): string {
  const bytes = randomBytes(10);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.match(/.{4}/g)!.join('-');
}

/** Ten fresh codes (plain, to show once). */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, newCode);
}

/** The typed code as stored: lower case, without spaces and dashes; null when it cannot be one. */
export function normaliseRecoveryCode(typed: string): string | null {
  const s = typed.toLowerCase().replace(/[\s-]/g, '');
  return /^[a-z2-7]{16}$/.test(s) ? s : null;
}

/** What the database keeps of a code. */
export function hashRecoveryCode(code: string): string {
  return hashToken(normaliseRecoveryCode(code) ?? code);
}
