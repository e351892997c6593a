/**
 * TOTP (RFC 6238) through otplib: 6 digits, 30-second steps, SHA-1 (what authenticator apps expect).
 * A code is accepted for the current step and one step either side (clock drift); the caller keeps
 * the accepted step so the same code is never accepted twice.
 */
import { authenticator } from 'otplib';
import QRCode from 'qrcode';

export const STEP_MS = 30_000;
/** Steps accepted either side of now. */
const WINDOW = 1;
const ISSUER = 'CRM console';

/** A new base32 secret of 160 bits (RFC 4226's recommended length). */
export function newTotpSecret(): string {
  return authenticator.generateSecret(20);
}

/** The otpauth:// URI an authenticator app reads from the QR code. */
export function otpauthUri(secret: string, accountName: string): string {
  return authenticator.keyuri(accountName, ISSUER, secret);
}

/** The QR code of `uri` as a PNG data: URL (the CSP allows img data:). */
export async function qrDataUrl(uri: string): Promise<string> {
  return QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2, width: 220 });
}

/** True when `code` looks like a TOTP code (6 digits, spaces ignored). */
export function looksLikeTotp(code: string): boolean {
  return /^\d{6}$/.test(code.replace(/\s/g, ''));
}

/**
 * The time step `code` belongs to at `now`, or null when it matches none in the window. The step is
 * what replay protection compares: accept only steps above the last one accepted.
 */
export function matchingStep(secret: string, code: string, now: Date): number | null {
  const token = code.replace(/\s/g, '');
  if (!/^\d{6}$/.test(token)) return null;
  const checker = authenticator.clone({ epoch: now.getTime(), window: WINDOW, step: STEP_MS / 1000 });
  const delta = checker.checkDelta(token, secret);
  if (delta === null) return null;
  return Math.floor(now.getTime() / STEP_MS) + delta;
}

/** The code for `secret` at `at` (tests and the sandbox simulate an authenticator app with it). */
export function totpCodeAt(secret: string, at: Date): string {
  return authenticator.clone({ epoch: at.getTime(), step: STEP_MS / 1000 }).generate(secret);
}
