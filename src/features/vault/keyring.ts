/**
 * The operator's encryption keys. Precedence: ENCRYPTION_KEYS (`id:base64,...`, first is current) >
 * ENCRYPTION_KEY (one key, id `k1`) > in embedded mode a key file created 0600 in DATA_DIR.
 * Sub-keys for other purposes (cookie signatures) are derived with HKDF, so one secret serves all.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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
  /** Where the keys came from ('ENCRYPTION_KEYS', 'ENCRYPTION_KEY' or the key file), for error messages. */
  source?: string;
  /** A 32-byte key for `purpose`, derived from the current key. */
  derive(purpose: string): Buffer;
}

/** Key ids travel inside ciphertexts (`v1.<id>....`), so they may not contain the separator. */
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

function parseKeys(spec: string, source: string): Key[] {
  const keys = spec.split(',').map((part) => {
    const sep = part.indexOf(':');
    const id = sep < 0 ? '' : part.slice(0, sep);
    if (!KEY_ID.test(id)) throw new ConfigError(`${source}: each entry must be id:base64 with an id of letters, digits, _ or -`);
    const key = Buffer.from(part.slice(sep + 1), 'base64');
    if (key.length !== 32) throw new ConfigError(`${source}: key ${id} must be 32 bytes (base64)`);
    return { id, key };
  });
  const seen = new Set<string>();
  for (const k of keys) {
    if (seen.has(k.id)) throw new ConfigError(`${source}: key id ${k.id} appears twice`);
    seen.add(k.id);
  }
  return keys;
}

function keyFile(dataDir: string): Key[] {
  const file = path.join(dataDir, 'encryption.key');
  try {
    if (!existsSync(file)) {
      mkdirSync(dataDir, { recursive: true });
      // flag 'wx': if another process created it first, we fail and read theirs below.
      try {
        writeFileSync(file, `k1:${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    // Only when needed: a read-only DATA_DIR must reach the database's own, clearer start error.
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    return parseKeys(readFileSync(file, 'utf8').trim(), `key file ${file}`);
  } catch (err) {
    if (err instanceof ConfigError || typeof (err as NodeJS.ErrnoException).code !== 'string') throw err;
    // A full or read-only DATA_DIR, or wrong permissions: one line at start, not a stack trace.
    throw new ConfigError(`key file ${file}: ${(err as Error).message}; check that DATA_DIR is writable and has free space`);
  }
}

/** Builds the key ring from configuration (and, in embedded mode only, the key file). */
export function loadKeyRing(opts: { keys?: string; key?: string; dataDir: string; embedded: boolean }): KeyRing {
  let all: Key[];
  let source: string;
  if (opts.keys) {
    source = 'ENCRYPTION_KEYS';
    all = parseKeys(opts.keys, source);
  } else if (opts.key) {
    source = 'ENCRYPTION_KEY';
    all = parseKeys(`k1:${opts.key}`, source);
  } else if (opts.embedded) {
    source = `key file ${path.join(opts.dataDir, 'encryption.key')}`;
    all = keyFile(opts.dataDir);
  } else throw new ConfigError('ENCRYPTION_KEYS: required when DATABASE_URL is set');
  const current = all[0]!;
  return {
    current,
    all,
    source,
    derive(purpose: string) {
      return Buffer.from(hkdfSync('sha256', current.key, Buffer.alloc(0), `crm:${purpose}`, 32));
    },
  };
}
