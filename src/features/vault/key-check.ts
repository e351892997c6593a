/**
 * Start-up check that the configured keys are the ones this database was encrypted with. Each key
 * id gets a check value (a fixed constant encrypted under that key) the first time it is seen; an
 * instance whose key of the same id differs, or that lacks a key some secret needs, refuses to
 * start instead of failing later on every use (or, worse, writing under the wrong key).
 */
import type { Executor } from '../../db/client.js';
import { decrypt, encrypt } from './cipher.js';
import type { Key, KeyRing } from './keyring.js';
import { VaultDecryptError, VaultKeyError } from './vault.errors.js';
import { countSecretsByKey, insertKeyCheck, listKeyChecks } from './vault.repo.js';

const CHECK_PLAINTEXT = 'crm vault key check v1';
/** Differs from every secret's associated data (`purpose:type:id`), so a check value opens nothing else. */
const CHECK_AAD = 'key-check';

function matches(key: Key, checkValue: string): boolean {
  try {
    return decrypt({ all: [key] }, checkValue, CHECK_AAD, `key check of ${key.id}`) === CHECK_PLAINTEXT;
  } catch (err) {
    if (err instanceof VaultDecryptError) return false;
    throw err;
  }
}

function assertMatches(key: Key, checkValue: string | undefined, label: string): void {
  if (checkValue !== undefined && !matches(key, checkValue)) {
    throw new VaultKeyError(`${label}: key ${key.id} does not match the key this database was encrypted with`);
  }
}

/**
 * Refuses (VaultKeyError) a ring that does not fit recorded check values and the key ids secrets
 * are stored under. Pure: start-up checks a database with it, restore checks a backup's header.
 */
export function assertRingFits(ring: KeyRing, checks: { keyId: string; checkValue: string }[], secretKeyIds: string[]): void {
  const label = ring.source ?? 'ENCRYPTION_KEYS';
  const known = new Map(checks.map((c) => [c.keyId, c.checkValue]));
  for (const key of ring.all) assertMatches(key, known.get(key.id), label);
  for (const keyId of secretKeyIds) {
    if (!ring.all.some((k) => k.id === keyId)) {
      throw new VaultKeyError(`${label}: secrets are encrypted under key ${keyId}, which is not configured`);
    }
  }
}

/**
 * Refuses (VaultKeyError, one line) a ring with a key that differs from the one recorded under its
 * id, or without a key that stored secrets need; then records check values for new key ids.
 * Writes nothing when it refuses. Safe with several instances starting at once.
 */
export async function verifyKeyRing(db: Executor, ring: KeyRing): Promise<void> {
  const label = ring.source ?? 'ENCRYPTION_KEYS';
  const checks = await listKeyChecks(db);
  const known = new Map(checks.map((c) => [c.keyId, c.checkValue]));
  assertRingFits(ring, checks, (await countSecretsByKey(db)).map((s) => s.keyId));
  const fresh = ring.all.filter((k) => !known.has(k.id));
  if (fresh.length === 0) return;
  for (const key of fresh) await insertKeyCheck(db, key.id, encrypt(key, CHECK_PLAINTEXT, CHECK_AAD));
  // Another instance may have stored its value for the same id first: check the one that won.
  const stored = new Map((await listKeyChecks(db)).map((c) => [c.keyId, c.checkValue]));
  for (const key of fresh) assertMatches(key, stored.get(key.id), label);
}
