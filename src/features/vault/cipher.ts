/**
 * AES-256-GCM envelopes: `v1.<keyId>.<iv>.<ciphertext>.<tag>` (base64url parts, 12-byte random IV,
 * 16-byte tag). The associated data binds a ciphertext to where it belongs (for stored secrets
 * `${purpose}:${recordId}`), so a value copied to another record or purpose fails authentication.
 * Key ids travel in the envelope so old ciphertexts stay readable while a rotation runs.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { VaultDecryptError } from './vault.errors.js';
import type { Key, KeyRing } from './keyring.js';

const VERSION = 'v1';
const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const B64URL = /^[A-Za-z0-9_-]*$/;

/** The associated data of a stored secret: what it is and which record it belongs to. */
export function secretAad(purpose: string, recordId: string): string {
  return `${purpose}:${recordId}`;
}

/** Encrypts `plaintext` under `key`, bound to `aad`. A fresh random IV per call. */
export function encrypt(key: Key, plaintext: string, aad: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key.key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const input = Buffer.from(plaintext, 'utf8');
  const body = Buffer.concat([cipher.update(input), cipher.final()]);
  input.fill(0);
  return [VERSION, key.id, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

interface Envelope {
  keyId: string;
  iv: Buffer;
  body: Buffer;
  tag: Buffer;
}

/** Strict base64url: a non-canonical spelling of the same bytes is refused, so any edit is noticed. */
function decodePart(part: string, what: string): Buffer {
  const buf = B64URL.test(part) ? Buffer.from(part, 'base64url') : null;
  if (!buf || buf.toString('base64url') !== part) throw new VaultDecryptError('malformed', what);
  return buf;
}

function parseEnvelope(value: string, what: string): Envelope {
  const parts = value.split('.');
  if (parts.length !== 5 || parts[0] !== VERSION || !parts[1]) throw new VaultDecryptError('malformed', what);
  const [, keyId, iv, body, tag] = parts as [string, string, string, string, string];
  const env = { keyId, iv: decodePart(iv, what), body: decodePart(body, what), tag: decodePart(tag, what) };
  if (env.iv.length !== IV_BYTES || env.tag.length !== TAG_BYTES) throw new VaultDecryptError('malformed', what);
  return env;
}

/** The id of the key a ciphertext was made with (without decrypting it). */
export function envelopeKeyId(value: string, what = 'secret'): string {
  return parseEnvelope(value, what).keyId;
}

/**
 * Decrypts an envelope with the ring's key of the same id. Throws VaultDecryptError (naming only
 * `what`) when the format, the key id, the key, the data or `aad` does not fit.
 */
export function decrypt(ring: Pick<KeyRing, 'all'>, value: string, aad: string, what = 'secret'): string {
  const env = parseEnvelope(value, what);
  const key = ring.all.find((k) => k.id === env.keyId);
  if (!key) throw new VaultDecryptError('unknown_key', what);
  const decipher = createDecipheriv(ALGORITHM, key.key, env.iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(env.tag);
  let out: Buffer;
  try {
    out = Buffer.concat([decipher.update(env.body), decipher.final()]);
  } catch {
    // node's own message says nothing secret, but one vocabulary keeps logs and tests simple.
    throw new VaultDecryptError('not_authentic', what);
  }
  const text = out.toString('utf8');
  out.fill(0);
  return text;
}
