/** Opaque random tokens (sessions, links) and the hashes we store instead of them. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random bytes, base64url: the value handed to a browser or printed in a link. */
export function newToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** SHA-256 hex of a token: what the database keeps. Tokens have 256 bits of entropy, so no salt is needed. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time comparison of two strings (false when lengths differ). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/**
 * Constant-time equality of a received secret (any type, any length) with the expected one: both
 * are hashed to 32 bytes first, so neither the length nor the content leaks. False when the
 * expected secret is unset or empty.
 */
export function sameSecret(given: unknown, expected: string | undefined): boolean {
  if (typeof given !== 'string' || expected === undefined || expected === '') return false;
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}
