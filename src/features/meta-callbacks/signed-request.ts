/**
 * Meta's `signed_request` (reference 8.1): `<sig>.<payload>`, each base64url with optional `=`
 * padding; sig = HMAC-SHA256(app secret, the payload segment exactly as received). The shape is
 * checked by a regex before anything is decoded, the signature before the payload is parsed.
 * Pure: no I/O. Every failure is a 400 naming `signed_request`; nothing else escapes.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../http/errors.js';

/** Longer than any request Meta sends (a few hundred bytes). */
export const SIGNED_REQUEST_MAX_LENGTH = 8 * 1024;

/** Exactly two non-empty base64url segments, each with at most two `=` of padding. */
const SHAPE = /^[A-Za-z0-9_-]+={0,2}\.[A-Za-z0-9_-]+={0,2}$/;
/** The one algorithm Meta uses (compared case-insensitively, ASCII only). */
const ALGORITHM = /^HMAC-SHA256$/i;
/** The app-scoped user id: digits only (normalised to a string). */
const USER_ID = /^\d{1,32}$/;

/** What a verified signed_request says. */
export interface SignedRequest {
  /** the app-scoped id of the person (`user_id`, as a string) */
  userId: string;
  /** `issued_at` (unix seconds), or null when absent */
  issuedAt: number | null;
  /** the whole verified payload (unknown keys included) */
  raw: Record<string, unknown>;
}

function fail(message: string): AppError {
  return new AppError('validation_failed', `signed_request: ${message}`, [{ path: 'signed_request', message }]);
}

/** Decodes one base64url segment (padding optional); null when it is not canonical base64url. */
function decodeSegment(segment: string): Buffer | null {
  const core = segment.replace(/=+$/, '');
  const padding = segment.length - core.length;
  if (core.length % 4 === 1) return null;
  if (padding > 0 && segment.length % 4 !== 0) return null;
  const bytes = Buffer.from(core, 'base64url');
  // Non-canonical encodings (stray bits in the last character) are refused.
  if (bytes.toString('base64url') !== core) return null;
  return bytes;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function userIdOf(v: unknown): string | null {
  if (typeof v === 'string' && USER_ID.test(v)) return v;
  // some SDK fixtures carry it as a number (reference 8.1)
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  return null;
}

function verify(input: unknown, appSecret: string): SignedRequest {
  if (typeof input !== 'string' || input.length === 0) throw fail('is required');
  if (input.length > SIGNED_REQUEST_MAX_LENGTH) throw fail('is too long');
  if (!SHAPE.test(input)) throw fail('must be two base64url segments separated by a dot');
  const dot = input.indexOf('.');
  const sigSegment = input.slice(0, dot);
  const payloadSegment = input.slice(dot + 1);
  const signature = decodeSegment(sigSegment);
  const payloadBytes = decodeSegment(payloadSegment);
  if (!signature || !payloadBytes) throw fail('is not valid base64url');
  if (signature.length !== 32) throw fail('has a signature of the wrong length');
  if (appSecret.length === 0) throw fail('cannot be verified');
  const expected = createHmac('sha256', appSecret).update(payloadSegment, 'ascii').digest();
  if (!timingSafeEqual(expected, signature)) throw fail('has a signature that does not match');

  let payload: unknown;
  try {
    payload = JSON.parse(payloadBytes.toString('utf8'));
  } catch {
    throw fail('has a payload that is not JSON');
  }
  if (!isPlainObject(payload)) throw fail('has a payload that is not an object');
  const algorithm = payload.algorithm;
  if (typeof algorithm !== 'string' || !ALGORITHM.test(algorithm)) throw fail('has an unsupported algorithm');
  const userId = userIdOf(payload.user_id);
  if (userId === null) throw fail('has no valid user_id');
  const issuedAtValue = payload.issued_at;
  let issuedAt: number | null = null;
  if (issuedAtValue !== undefined && issuedAtValue !== null) {
    if (typeof issuedAtValue !== 'number' || !Number.isSafeInteger(issuedAtValue) || issuedAtValue < 0) throw fail('has an invalid issued_at');
    issuedAt = issuedAtValue;
  }
  return { userId, issuedAt, raw: payload };
}

/**
 * Verifies and reads a signed_request with the app secret. Throws AppError('validation_failed')
 * naming `signed_request` for anything that is not a well-formed request signed with that secret.
 */
export function parseSignedRequest(input: unknown, appSecret: string): SignedRequest {
  try {
    return verify(input, appSecret);
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw fail('is malformed');
  }
}

/** Builds a signed_request (tests and the sandbox): base64url without padding, as Meta sends it. */
export function signRequest(payload: Record<string, unknown>, appSecret: string): string {
  const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  const sig = createHmac('sha256', appSecret).update(body, 'ascii').digest('base64url');
  return `${sig}.${body}`;
}
