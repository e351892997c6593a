import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKeyRing } from './keyring.js';

const b64 = (seed: number) => Buffer.alloc(32, seed).toString('base64');
const load = (opts: { keys?: string; key?: string }) => loadKeyRing({ ...opts, dataDir: '/nonexistent', embedded: false });

describe('loadKeyRing', () => {
  it('takes the first of ENCRYPTION_KEYS as current and keeps the rest for old ciphertexts', () => {
    const ring = load({ keys: `k2:${b64(2)},k1:${b64(1)}` });
    expect(ring.current.id).toBe('k2');
    expect(ring.all.map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(ring.source).toBe('ENCRYPTION_KEYS');
    expect(load({ key: b64(3) })).toMatchObject({ current: { id: 'k1' }, source: 'ENCRYPTION_KEY' });
  });

  it('refuses duplicate ids, short keys and ids that cannot travel in a ciphertext, naming the variable', () => {
    expect(() => load({ keys: `k1:${b64(1)},k1:${b64(2)}` })).toThrow(/^ENCRYPTION_KEYS: key id k1 appears twice$/);
    expect(() => load({ keys: 'k1:c2hvcnQ=' })).toThrow(/^ENCRYPTION_KEYS: key k1 must be 32 bytes/);
    expect(() => load({ keys: `k.1:${b64(1)}` })).toThrow(/^ENCRYPTION_KEYS: each entry must be id:base64/);
    expect(() => load({ key: 'c2hvcnQ=' })).toThrow(/^ENCRYPTION_KEY: key k1 must be 32 bytes/);
    expect(() => loadKeyRing({ dataDir: '/nonexistent', embedded: false })).toThrow(/^ENCRYPTION_KEYS: required when DATABASE_URL is set/);
  });

  it('in embedded mode creates a 0600 key file once and reads the same key afterwards', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'crm-keyring-'));
    try {
      const first = loadKeyRing({ dataDir: dir, embedded: true });
      const file = path.join(dir, 'encryption.key');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file, 'utf8')).toMatch(/^k1:[A-Za-z0-9+/]{43}=\n$/);
      const again = loadKeyRing({ dataDir: dir, embedded: true });
      expect(again.current.key.equals(first.current.key)).toBe(true);
      expect(again.source).toBe(`key file ${file}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
