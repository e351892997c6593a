/** Known answers for the signed_request parser (reference 8.1). */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../http/errors.js';
import { parseSignedRequest, signRequest, SIGNED_REQUEST_MAX_LENGTH } from './signed-request.js';

const SECRET = 'test-app-secret-0123456789abcdef';
/** Meta's data-deletion sample payload. */
const SAMPLE = { algorithm: 'HMAC-SHA256', expires: 1291840400, issued_at: 1291836800, user_id: '218471' };

const b64url = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
const sigOf = (segment: string, secret = SECRET) => createHmac('sha256', secret).update(segment, 'ascii').digest('base64url');
/** Re-pads a base64url segment with '=' (as the PHP SDK emits it). */
const pad = (s: string) => s + '='.repeat((4 - (s.length % 4)) % 4);

function refusal(input: unknown, secret = SECRET): AppError {
  try {
    parseSignedRequest(input, secret);
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    const err = e as AppError;
    expect(err.code).toBe('validation_failed');
    expect(err.status).toBe(400);
    expect(err.errors?.[0]?.path).toBe('signed_request');
    return err;
  }
  throw new Error('expected a refusal');
}

describe('parseSignedRequest', () => {
  it("reads Meta's documented sample shape, signed with the secret", () => {
    const out = parseSignedRequest(signRequest(SAMPLE, SECRET), SECRET);
    expect(out).toEqual({ userId: '218471', issuedAt: 1291836800, raw: SAMPLE });
  });

  it('accepts unpadded and padded segments, HMAC over the payload segment as received', () => {
    // a payload whose base64url length needs padding
    const payload = b64url(JSON.stringify({ algorithm: 'HMAC-SHA256', user_id: '12345', issued_at: 1 }));
    expect(payload.length % 4).not.toBe(0);
    const unpadded = `${sigOf(payload)}.${payload}`;
    expect(parseSignedRequest(unpadded, SECRET).userId).toBe('12345');
    const padded = `${pad(sigOf(pad(payload)))}.${pad(payload)}`;
    expect(parseSignedRequest(padded, SECRET).userId).toBe('12345');
    // the signature of the unpadded segment does not verify the padded one
    refusal(`${sigOf(payload)}.${pad(payload)}`);
  });

  it('normalises a numeric user_id and accepts a lower-case algorithm; issued_at may be absent', () => {
    expect(parseSignedRequest(signRequest({ algorithm: 'hmac-sha256', user_id: 987654321 }, SECRET), SECRET)).toMatchObject({ userId: '987654321', issuedAt: null });
  });

  it('refuses a tampered payload', () => {
    const good = signRequest(SAMPLE, SECRET);
    const [sig] = good.split('.');
    const tampered = `${sig}.${b64url(JSON.stringify({ ...SAMPLE, user_id: '999999' }))}`;
    expect(refusal(tampered).errors?.[0]?.message).toMatch(/signature/);
  });

  it('refuses a wrong algorithm, a missing or non-numeric user_id, a bad issued_at, a non-object payload', () => {
    refusal(signRequest({ ...SAMPLE, algorithm: 'HMAC-SHA1' }, SECRET));
    refusal(signRequest({ ...SAMPLE, algorithm: 'none' }, SECRET));
    refusal(signRequest({ algorithm: 'HMAC-SHA256' }, SECRET));
    refusal(signRequest({ ...SAMPLE, user_id: 'abc' }, SECRET));
    refusal(signRequest({ ...SAMPLE, user_id: '' }, SECRET));
    refusal(signRequest({ ...SAMPLE, user_id: -1 }, SECRET));
    refusal(signRequest({ ...SAMPLE, issued_at: 'yesterday' }, SECRET));
    for (const json of ['[1,2]', 'null', '"x"', '12', '{not json']) {
      const seg = b64url(json);
      refusal(`${sigOf(seg)}.${seg}`);
    }
  });

  it('refuses a request signed with another secret, and an empty secret', () => {
    refusal(signRequest(SAMPLE, 'another-secret'));
    refusal(signRequest(SAMPLE, ''), '');
  });

  it('refuses three segments, one segment, empty segments, non-base64 characters', () => {
    const good = signRequest(SAMPLE, SECRET);
    refusal(`${good}.${b64url('x')}`);
    refusal(good.replace('.', ''));
    refusal(`.${good.split('.')[1]}`);
    refusal(`${good.split('.')[0]}.`);
    refusal(good.replace(/^./, '+'));
    refusal(good.replace(/.$/, '/'));
    refusal(`${good} `);
    refusal(good.replace('.', '.\u00e9'));
    refusal(good.replace('.', '==.')); // 32 bytes take one '=' of padding, not two
    expect(parseSignedRequest(good.replace('.', '=.'), SECRET).userId).toBe('218471');
    // a signature that is not 32 bytes
    const payload = good.split('.')[1]!;
    refusal(`${b64url('short')}.${payload}`);
  });

  it('refuses empty, missing and non-string input', () => {
    for (const v of ['', undefined, null, 42, {}, [], ['a.b']]) expect(refusal(v).errors?.[0]?.message).toBe('is required');
  });

  it('refuses huge input before looking at it', () => {
    const huge = `${'A'.repeat(43)}.${'A'.repeat(SIGNED_REQUEST_MAX_LENGTH)}`;
    expect(refusal(huge).errors?.[0]?.message).toBe('is too long');
    refusal('x'.repeat(1_000_000));
  });
});
