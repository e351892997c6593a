import pg from 'pg';
import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { truncateAuditTrail, useTestDatabase } from '../../test-support/test-db.js';
import { verifyKeyRing } from './key-check.js';
import { rotateSecrets } from './key-rotation.service.js';
import { loadKeyRing, type KeyRing } from './keyring.js';
import { runRotateKey } from './rotate-key.command.js';
import { VaultKeyError } from './vault.errors.js';
import { putSecret, useSecret } from './vault.service.js';
import type { SecretRef } from './vault.types.js';

const tdb = useTestDatabase();
const db = () => tdb.current.database.db;
const CANARY = 'EAAG-canary-token-51aa07';
const b64 = (seed: number) => Buffer.alloc(32, seed).toString('base64');
const ring = (spec: string) => loadKeyRing({ keys: spec, dataDir: '/nonexistent', embedded: false });
const k1 = ring(`k1:${b64(1)}`);
const k2k1 = ring(`k2:${b64(2)},k1:${b64(1)}`);
const k2only = ring(`k2:${b64(2)}`);
const cli = { actorType: 'cli', actorId: null, requestId: null } as const;

const refOf = (i: number): SecretRef => ({ ownerType: i % 2 ? 'onboarding' : 'phone_number', ownerId: `owner-${i}`, purpose: i % 3 ? 'waba_token' : 'registration_pin' });
const valueOf = (i: number) => `${CANARY}-${i}`;
const read = (r: KeyRing, i: number) => useSecret(db(), r, refOf(i), 'rotation_test', cli, async (v) => v);
const perKey = async () =>
  Object.fromEntries((await db().execute<{ key_id: string; n: number }>(sql`SELECT key_id, count(*)::int AS n FROM vault_secrets GROUP BY key_id`)).rows.map((r) => [r.key_id, r.n]));
const rotationAudits = async () =>
  (await db().execute<{ details: { reEncrypted: number; toKeyId: string } }>(sql`SELECT details FROM audit_events WHERE action = 'vault.key_rotated' ORDER BY id`)).rows.map((r) => r.details);

/** Five secrets under k1, key checks recorded for k1 and k2. */
async function seed(count = 5): Promise<void> {
  await verifyKeyRing(db(), k2k1);
  for (let i = 0; i < count; i++) await db().transaction((tx) => putSecret(tx, k1, refOf(i), valueOf(i)));
}

beforeEach(async () => {
  await truncateAuditTrail(tdb.current.database, ['vault_secrets', 'vault_key_checks']);
});

describe('key rotation', () => {
  it('re-encrypts everything under the new key; old ciphertexts still decrypt before it, the old key is not needed after', async () => {
    await seed();
    for (let i = 0; i < 5; i++) expect(await read(k2k1, i)).toBe(valueOf(i));
    await expect(verifyKeyRing(db(), k2only)).rejects.toThrow('secrets are encrypted under key k1, which is not configured');
    const result = await rotateSecrets(db(), k2k1, cli, { batchSize: 2 });
    expect(result).toEqual({ toKeyId: 'k2', reEncrypted: 5, batches: 3, remaining: 0, failed: [] });
    expect(await perKey()).toEqual({ k2: 5 });
    for (let i = 0; i < 5; i++) expect(await read(k2only, i)).toBe(valueOf(i));
    await verifyKeyRing(db(), k2only);
    expect(await rotationAudits()).toEqual([
      { reEncrypted: 2, toKeyId: 'k2' },
      { reEncrypted: 2, toKeyId: 'k2' },
      { reEncrypted: 1, toKeyId: 'k2' },
    ]);
    // a second run has nothing to do and records nothing
    expect(await rotateSecrets(db(), k2k1, cli)).toMatchObject({ reEncrypted: 0, batches: 0, remaining: 0 });
    expect(await rotationAudits()).toHaveLength(3);
    const all = await db().execute<{ t: string }>(sql`SELECT (SELECT string_agg(v::text, ' ') FROM vault_secrets v) || (SELECT string_agg(a::text, ' ') FROM audit_events a) AS t`);
    expect(all.rows[0]!.t).not.toContain(CANARY);
  });

  it('resumes after an interruption: the committed batches stay, the next run finishes', async () => {
    await seed();
    const first = await rotateSecrets(db(), k2k1, cli, { batchSize: 2, maxBatches: 1 });
    expect(first).toMatchObject({ reEncrypted: 2, batches: 1, remaining: 3 });
    expect(await perKey()).toEqual({ k1: 3, k2: 2 });
    // between runs the app keeps working with the mixed table
    for (let i = 0; i < 5; i++) expect(await read(k2k1, i)).toBe(valueOf(i));
    const rest = await rotateSecrets(db(), k2k1, cli, { batchSize: 2 });
    expect(rest).toMatchObject({ reEncrypted: 3, remaining: 0 });
    expect(await perKey()).toEqual({ k2: 5 });
  });

  it('skips a row the app holds locked instead of waiting, and reports it as remaining', async () => {
    await seed(3);
    const app = new pg.Client({ connectionString: tdb.current.url });
    await app.connect();
    try {
      await app.query('BEGIN');
      await app.query(`SELECT 1 FROM vault_secrets WHERE owner_id = 'owner-1' FOR UPDATE`);
      const busy = await rotateSecrets(db(), k2k1, cli, { batchSize: 10 });
      expect(busy).toMatchObject({ reEncrypted: 2, remaining: 1 });
      const lines: string[] = [];
      expect(await runRotateKey(db(), k2k1, {}, (l) => lines.push(l))).toBe(1);
      expect(lines.at(-1)).toBe('1 secret(s) are still under older keys (in use right now): run rotate-key again to finish.');
      await app.query('COMMIT');
    } finally {
      await app.end();
    }
    expect(await rotateSecrets(db(), k2k1, cli)).toMatchObject({ reEncrypted: 1, remaining: 0 });
  });

  it('leaves a secret that does not decrypt as it is, names it without its value, and finishes the others', async () => {
    await seed(4);
    await db().execute(sql`UPDATE vault_secrets SET owner_id = 'owner-x' WHERE owner_id = 'owner-2'`);
    const result = await rotateSecrets(db(), k2k1, cli, { batchSize: 1 });
    expect(result).toMatchObject({ reEncrypted: 3, remaining: 1 });
    expect(result.failed).toEqual(['cannot decrypt the waba_token of phone_number owner-x: wrong key, or the value was altered or moved from another record']);
  });

  it('runs as the rotate-key command: checks the keys first, prints counts, and exits 0 when done', async () => {
    await seed(3);
    const lines: string[] = [];
    const out = (l: string) => lines.push(l);
    expect(await runRotateKey(db(), k2k1, { batchSize: '2', maxBatches: '1' }, out)).toBe(0);
    expect(lines).toEqual([
      'Current key: k2. Secrets per key before: k1=3.',
      'Re-encrypted 2 secret(s) under k2 in 1 batch(es).',
      'Secrets per key now: k1=1, k2=2.',
      '1 secret(s) are still under older keys (stopped at --max-batches): run rotate-key again to finish.',
    ]);
    lines.length = 0;
    expect(await runRotateKey(db(), k2k1, {}, out)).toBe(0);
    expect(lines).toEqual([
      'Current key: k2. Secrets per key before: k1=1, k2=2.',
      'Re-encrypted 1 secret(s) under k2 in 1 batch(es).',
      'Secrets per key now: k2=3.',
      'No secret needs k1 any more; remove it from the configuration of every instance once they all run with k2 first.',
    ]);
    await expect(runRotateKey(db(), ring(`k2:${b64(9)},k1:${b64(1)}`), {}, out)).rejects.toBeInstanceOf(VaultKeyError);
    await expect(runRotateKey(db(), k2k1, { batchSize: '0' }, out)).rejects.toThrow('--batch-size: must be a whole number from 1 to 999999');
    await expect(runRotateKey(db(), k2k1, { maxBatches: 'x' }, out)).rejects.toThrow('--max-batches: must be a whole number');
    expect(lines.join('\n')).not.toContain(CANARY);
  });
});
