/** Properties of the signed_request parser: only a 400 naming signed_request ever escapes; only the secret's signature passes. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../http/errors.js';
import { parseSignedRequest, signRequest } from './signed-request.js';

const SECRET = 'property-secret';

/** Runs the parser; returns 'ok' or asserts the refusal is the one allowed error. */
function outcome(input: unknown, secret = SECRET): 'ok' | 'refused' {
  try {
    parseSignedRequest(input, secret);
    return 'ok';
  } catch (e) {
    if (!(e instanceof AppError) || e.code !== 'validation_failed' || e.errors?.[0]?.path !== 'signed_request') throw new Error(`escaped: ${String(e)}`);
    return 'refused';
  }
}

const b64urlChar = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_='.split(''));
const b64urlish = fc.array(b64urlChar, { maxLength: 120 }).map((a) => a.join(''));
const userId = fc.oneof(fc.stringMatching(/^\d{1,20}$/), fc.nat());
const payload = fc.record({
  algorithm: fc.constantFrom('HMAC-SHA256', 'hmac-sha256'),
  user_id: userId,
  issued_at: fc.option(fc.nat(), { nil: undefined }),
  extra: fc.option(fc.jsonValue(), { nil: undefined }),
});

describe('parseSignedRequest (properties)', () => {
  it('never lets anything but its 400 escape, whatever the input', () => {
    fc.assert(fc.property(fc.anything(), (v) => outcome(v) === 'refused'), { numRuns: 500 });
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => outcome(s) === 'refused'), { numRuns: 500 });
  });

  it('refuses every unsigned look-alike (two base64url-ish segments)', () => {
    fc.assert(fc.property(b64urlish, b64urlish, (a, b) => outcome(`${a}.${b}`) === 'refused'), { numRuns: 1000 });
  });

  it('accepts what the secret signed and returns its user id as a string', () => {
    fc.assert(
      fc.property(payload, (p) => {
        const out = parseSignedRequest(signRequest(p, SECRET), SECRET);
        expect(out.userId).toBe(String(p.user_id));
        expect(out.issuedAt).toBe(p.issued_at ?? null);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a signed request after any one-character change, or under another secret', () => {
    fc.assert(
      fc.property(payload, fc.nat(), b64urlChar, fc.string({ minLength: 1, maxLength: 40 }), (p, at, ch, other) => {
        const good = signRequest(p, SECRET);
        const i = at % good.length;
        const changed = good.slice(0, i) + ch + good.slice(i + 1);
        // Replacing a character with itself, or adding a valid '=' of padding, may leave it valid.
        fc.pre(changed !== good && !(ch === '=' && changed.replace(/=/g, '') === good.replace(/=/g, '')));
        expect(outcome(changed)).toBe('refused');
        if (other !== SECRET) expect(outcome(good, other)).toBe('refused');
      }),
      { numRuns: 1000 },
    );
  });
});
