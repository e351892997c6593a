/**
 * The operator's encryption keys. Precedence: ENCRYPTION_KEYS (`id:base64,...`, first is current) >
 * ENCRYPTION_KEY (one key, id `k1`) > in embedded mode a key file created 0600 in DATA_DIR.
 * Sub-keys for other purposes (cookie signatures) are derived with HKDF, so one secret serves all.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { hkdfSync, randomBytes } from 'node:crypto';
import { ConfigError } from '../../config.js';

export interface Key {
  id: string;
  key: Buffer;
}

export interface KeyRing {
  current: Key;
  all: Key[];
  /** A 32-byte key for `purpose`, derived from the current key. */
  derive(purpose: string): Buffer;
}

function parseKeys(spec: string): Key[] {
  return spec.split(',').map((part) => {
    const [id, b64] = part.split(':') as [string, string];
    const key = Buffer.from(b64, 'base64');
    if (key.length !== 32) throw new ConfigError(`ENCRYPTION_KEYS: key ${id} must be 32 bytes (base64)`);
    return { id, key };
  });
}

function keyFile(dataDir: string): Key[] {
  const file = path.join(dataDir, 'encryption.key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    // flag 'wx': if another process created it first, we fail and read theirs below.
    try {
      writeFileSync(file, `k1:${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  chmodSync(file, 0o600);
  return parseKeys(readFileSync(file, 'utf8').trim());
}

/** Builds the key ring from configuration (and, in embedded mode only, the key file). */
export function loadKeyRing(opts: { keys?: string; key?: string; dataDir: string; embedded: boolean }): KeyRing {
  let all: Key[];
  if (opts.keys) all = parseKeys(opts.keys);
  else if (opts.key) all = [{ id: 'k1', key: Buffer.from(opts.key, 'base64') }];
  else if (opts.embedded) all = keyFile(opts.dataDir);
  else throw new ConfigError('ENCRYPTION_KEYS: required when DATABASE_URL is set');
  const current = all[0]!;
  return {
    current,
    all,
    derive(purpose: string) {
      return Buffer.from(hkdfSync('sha256', current.key, Buffer.alloc(0), `crm:${purpose}`, 32));
    },
  };
}
