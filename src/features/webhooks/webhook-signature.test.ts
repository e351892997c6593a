/** Known-answer tests of the signature check (vectors computed with `openssl dgst -sha256 -hmac`). */
import { describe, expect, it } from 'vitest';
import { checkSignature, sameSecret, signatureOf } from './webhook-signature.js';

const SECRET = 'kat-app-secret';
const BODY = Buffer.from('{"object":"whatsapp_business_account","entry":[]}');
const BODY_SIG = 'sha256=0546ac3e2aa9e02950100bd4a34c53855b53b43ac9f7a5a381a6695c133e8f3e';
// Meta escapes non-ASCII as \uXXXX and / as \/ in the signed bytes: the check is over those bytes
const ESCAPED = Buffer.from('{"n":"Caf\\u00e9 \\/ ok"}');
const ESCAPED_SIG = 'sha256=f600acbd68d720fecb0e5cac577bd9762ad7a0fec05156abe8a9ac348a31220e';

describe('X-Hub-Signature-256', () => {
  it('accepts the known answer', () => {
    expect(checkSignature(BODY, BODY_SIG, SECRET)).toBeNull();
    expect(signatureOf(BODY, SECRET)).toBe(BODY_SIG);
  });
  it('verifies escaped bodies over the raw bytes, not a re-serialisation', () => {
    expect(checkSignature(ESCAPED, ESCAPED_SIG, SECRET)).toBeNull();
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(ESCAPED.toString('utf8'))));
    expect(reserialised.equals(ESCAPED)).toBe(false);
    expect(checkSignature(reserialised, ESCAPED_SIG, SECRET)).toBe('mismatch');
  });
  it('refuses a wrong secret, a tampered body, uppercase hex, sha1, a missing or repeated header', () => {
    expect(checkSignature(BODY, BODY_SIG, 'another-secret')).toBe('mismatch');
    expect(checkSignature(Buffer.from(BODY.toString().replace('[]', '[ ]')), BODY_SIG, SECRET)).toBe('mismatch');
    expect(checkSignature(BODY, BODY_SIG.replace(/[a-f]/g, (c) => c.toUpperCase()), SECRET)).toBe('malformed');
    expect(checkSignature(BODY, 'sha1=0123456789abcdef0123456789abcdef01234567', SECRET)).toBe('malformed');
    expect(checkSignature(BODY, undefined, SECRET)).toBe('missing');
    expect(checkSignature(BODY, '', SECRET)).toBe('missing');
    expect(checkSignature(BODY, [BODY_SIG, BODY_SIG], SECRET)).toBe('malformed');
    expect(checkSignature(BODY, `${BODY_SIG}00`, SECRET)).toBe('malformed');
  });
});

describe('verify token', () => {
  it('compares whole strings', () => {
    expect(sameSecret('abcdefgh', 'abcdefgh')).toBe(true);
    expect(sameSecret('abcdefg', 'abcdefgh')).toBe(false);
    expect(sameSecret('abcdefghi', 'abcdefgh')).toBe(false);
    expect(sameSecret(['abcdefgh'], 'abcdefgh')).toBe(false);
    expect(sameSecret('abcdefgh', undefined)).toBe(false);
  });
});
