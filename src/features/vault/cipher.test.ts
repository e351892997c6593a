import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { decrypt, encrypt, envelopeKeyId, secretAad } from './cipher.js';
import { loadKeyRing } from './keyring.js';
import { VaultDecryptError } from './vault.errors.js';

const CANARY = 'EAAG-canary-token-7d1e9a';
const b64 = (seed: number) => Buffer.alloc(32, seed).toString('base64');
const ring = (spec: string) => loadKeyRing({ keys: spec, dataDir: '/nonexistent', embedded: false });
const r1 = ring(`k1:${b64(1)}`);
const aad = secretAad('waba_token', 'onboarding:rec-1');

/** Decodes part `i` of an envelope, flips one bit of byte `at`, re-encodes it. */
function flipByte(envelope: string, i: number, at = 0): string {
  const parts = envelope.split('.');
  const buf = Buffer.from(parts[i]!, 'base64url');
  buf[at] = buf[at]! ^ 0x01;
  parts[i] = buf.toString('base64url');
  return parts.join('.');
}

function failure(fn: () => unknown): VaultDecryptError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(VaultDecryptError);
    return err as VaultDecryptError;
  }
  throw new Error('expected a VaultDecryptError');
}

describe('cipher', () => {
  it('round-trips under the key named in the envelope, with a fresh IV each time', () => {
    const a = encrypt(r1.current, CANARY, aad);
    const b = encrypt(r1.current, CANARY, aad);
    expect(a).toMatch(/^v1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain(CANARY);
    expect(envelopeKeyId(a)).toBe('k1');
    expect(decrypt(r1, a, aad)).toBe(CANARY);
    expect(decrypt(r1, encrypt(r1.current, 'PIN 123456 — ünïcødé', aad), aad)).toBe('PIN 123456 — ünïcødé');
  });

  it('decrypts an old ciphertext with an older key of the ring', () => {
    const old = encrypt(r1.current, CANARY, aad);
    const both = ring(`k2:${b64(2)},k1:${b64(1)}`);
    expect(decrypt(both, old, aad)).toBe(CANARY);
    expect(envelopeKeyId(encrypt(both.current, CANARY, aad))).toBe('k2');
  });

  it('refuses a wrong key of the same id, and an id the ring does not have', () => {
    const value = encrypt(r1.current, CANARY, aad);
    expect(failure(() => decrypt(ring(`k1:${b64(9)}`), value, aad)).reason).toBe('not_authentic');
    expect(failure(() => decrypt(ring(`k2:${b64(1)}`), value, aad)).reason).toBe('unknown_key');
  });

  it('refuses a flipped byte in every part', () => {
    const value = encrypt(r1.current, CANARY, aad);
    // version and key id are text: change a character
    expect(failure(() => decrypt(r1, value.replace(/^v1/, 'v2'), aad)).reason).toBe('malformed');
    expect(failure(() => decrypt(r1, value.replace(/^v1\.k1/, 'v1.k0'), aad)).reason).toBe('unknown_key');
    for (const part of [2, 3, 4]) {
      for (const at of [0, part === 2 ? 11 : part === 4 ? 15 : CANARY.length - 1]) {
        expect(failure(() => decrypt(r1, flipByte(value, part, at), aad)).reason).toBe('not_authentic');
      }
    }
  });

  it('refuses non-canonical or truncated parts and other shapes', () => {
    const value = encrypt(r1.current, CANARY, aad);
    const parts = value.split('.');
    const tag = parts[4]!;
    // the last base64url character of a 16-byte tag carries 4 unused bits: a different spelling, same bytes
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const alias = tag.slice(0, -1) + alphabet[alphabet.indexOf(tag.at(-1)!) | 1];
    expect(Buffer.from(alias, 'base64url').equals(Buffer.from(tag, 'base64url'))).toBe(true);
    expect(failure(() => decrypt(r1, [...parts.slice(0, 4), alias].join('.'), aad)).reason).toBe('malformed');
    expect(failure(() => decrypt(r1, [...parts.slice(0, 4), tag.slice(0, 20)].join('.'), aad)).reason).toBe('malformed');
    expect(failure(() => decrypt(r1, [...parts.slice(0, 2), parts[2]!.slice(0, 12), ...parts.slice(3)].join('.'), aad)).reason).toBe('malformed');
    for (const bad of ['', CANARY, 'v1.k1', `${value}.x`, value.replace(/\.[^.]+$/, '.!!!!'), value.replace('v1.k1.', 'v1..')]) {
      expect(failure(() => decrypt(r1, bad, aad)).reason).toBe('malformed');
    }
  });

  it('refuses a ciphertext moved to another record or purpose', () => {
    const value = encrypt(r1.current, CANARY, aad);
    expect(failure(() => decrypt(r1, value, secretAad('waba_token', 'onboarding:rec-2'))).reason).toBe('not_authentic');
    expect(failure(() => decrypt(r1, value, secretAad('registration_pin', 'onboarding:rec-1'))).reason).toBe('not_authentic');
    expect(failure(() => decrypt(r1, value, 'key-check')).reason).toBe('not_authentic');
  });

  it('never puts the plaintext or key material in an error', () => {
    const value = encrypt(r1.current, CANARY, aad);
    const errors = [
      failure(() => decrypt(ring(`k1:${b64(9)}`), value, aad)),
      failure(() => decrypt(r1, flipByte(value, 3), aad)),
      failure(() => decrypt(r1, CANARY, aad)),
      failure(() => decrypt(ring(`k2:${b64(1)}`), value, aad)),
    ];
    const secrets = [CANARY, b64(1), b64(9), Buffer.alloc(32, 1).toString('hex'), Buffer.alloc(32, 9).toString('hex')];
    for (const err of errors) {
      const text = `${err.message}\n${err.stack}\n${inspect(err, { depth: 5 })}\n${JSON.stringify(err)}`;
      for (const s of secrets) expect(text).not.toContain(s);
      expect(err.cause).toBeUndefined();
    }
  });
});
