/**
 * Meta's proofs, checked in constant time: the X-Hub-Signature-256 of a delivery (HMAC-SHA256 of the
 * exact received bytes with the app secret, `sha256=<64 lowercase hex>`), and the verify token of the
 * subscription handshake. Pure functions.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const SIGNATURE = /^sha256=[0-9a-f]{64}$/;

/** Why a signature was refused (logged and counted, never the body). */
export type SignatureFailure = 'missing' | 'malformed' | 'mismatch';

/**
 * Checks `header` against HMAC-SHA256(raw, secret). Returns null when it matches, else why not.
 * Uppercase hex, a second header value or the legacy sha1 header alone are refused.
 */
export function checkSignature(raw: Buffer, header: unknown, secret: string): SignatureFailure | null {
  if (header === undefined || header === null || header === '') return 'missing';
  if (typeof header !== 'string' || !SIGNATURE.test(header)) return 'malformed';
  const expected = createHmac('sha256', secret).update(raw).digest();
  const given = Buffer.from(header.slice('sha256='.length), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) ? null : 'mismatch';
}

/** The header value Meta would send for `raw` (tests, the simulator). */
export function signatureOf(raw: Buffer | string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
}

/** The verify token check: constant time (src/lib/tokens.ts). */
export { sameSecret } from '../../lib/tokens.js';
