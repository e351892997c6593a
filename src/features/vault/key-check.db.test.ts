import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test-support/test-db.js';
import { verifyKeyRing } from './key-check.js';
import { loadKeyRing, type KeyRing } from './keyring.js';
import { VaultKeyError } from './vault.errors.js';
import { putSecret } from './vault.service.js';

const tdb = useTestDatabase();
const db = () => tdb.current.database.db;
const b64 = (seed: number) => Buffer.alloc(32, seed).toString('base64');
const ring = (spec: string) => loadKeyRing({ keys: spec, dataDir: '/nonexistent', embedded: false });

const checks = async () => (await db().execute<{ key_id: string }>(sql`SELECT key_id FROM vault_key_checks ORDER BY key_id`)).rows.map((r) => r.key_id);
const put = (r: KeyRing, ownerId: string) =>
  db().transaction((tx) => putSecret(tx, r, { ownerType: 'onboarding', ownerId, purpose: 'waba_token' }, 'EAAG-canary-token'));

async function refusal(r: KeyRing): Promise<VaultKeyError> {
  try {
    await verifyKeyRing(db(), r);
  } catch (err) {
    expect(err).toBeInstanceOf(VaultKeyError);
    return err as VaultKeyError;
  }
  throw new Error('expected the key ring to be refused');
}

beforeEach(async () => {
  await db().execute(sql`TRUNCATE vault_secrets, vault_key_checks`);
});

describe('verifyKeyRing', () => {
  it('records a check value per key id at first start and accepts the same keys afterwards', async () => {
    const r = ring(`k1:${b64(1)}`);
    await verifyKeyRing(db(), r);
    expect(await checks()).toEqual(['k1']);
    await verifyKeyRing(db(), r);
    await verifyKeyRing(db(), ring(`k2:${b64(2)},k1:${b64(1)}`));
    expect(await checks()).toEqual(['k1', 'k2']);
  });

  it('refuses a different key under a known id, in one line, and writes nothing', async () => {
    await verifyKeyRing(db(), ring(`k1:${b64(1)}`));
    const err = await refusal(ring(`k3:${b64(3)},k1:${b64(9)}`));
    expect(err.message).toBe('ENCRYPTION_KEYS: key k1 does not match the key this database was encrypted with');
    expect(err.message).not.toContain('\n');
    expect(await checks()).toEqual(['k1']);
    // the key file of embedded mode is named as the source
    const file = loadKeyRing({ key: b64(9), dataDir: '/x', embedded: false });
    expect((await refusal(file)).message).toBe('ENCRYPTION_KEY: key k1 does not match the key this database was encrypted with');
  });

  it('refuses a ring without a key that stored secrets need', async () => {
    const old = ring(`k0:${b64(7)}`);
    await verifyKeyRing(db(), old);
    await put(old, 'rec-1');
    const err = await refusal(ring(`k1:${b64(1)}`));
    expect(err.message).toBe('ENCRYPTION_KEYS: secrets are encrypted under key k0, which is not configured');
    expect(await checks()).toEqual(['k0']);
    await verifyKeyRing(db(), ring(`k1:${b64(1)},k0:${b64(7)}`));
  });

  it('lets exactly one of two instances starting at once with different keys of the same id win', async () => {
    const results = await Promise.allSettled([verifyKeyRing(db(), ring(`k5:${b64(5)}`)), verifyKeyRing(db(), ring(`k5:${b64(6)}`))]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(VaultKeyError);
    expect(await checks()).toEqual(['k5']);
  });

  it('refuses a tampered check value', async () => {
    await verifyKeyRing(db(), ring(`k1:${b64(1)}`));
    await db().execute(sql`UPDATE vault_key_checks SET check_value = replace(check_value, 'v1.k1.', 'v1.k1.A') WHERE key_id = 'k1'`);
    expect((await refusal(ring(`k1:${b64(1)}`))).message).toMatch(/^ENCRYPTION_KEYS: key k1 does not match/);
  });
});
