import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../logger.js';
import { useTestDatabase } from '../../test-support/test-db.js';
import type { AuditContext } from '../audit/audit.types.js';
import { loadKeyRing } from './keyring.js';
import { VaultDecryptError, VaultSecretMissingError } from './vault.errors.js';
import { deleteOwnerSecrets, deleteSecret, hasSecret, putSecret, useSecret } from './vault.service.js';
import type { SecretRef } from './vault.types.js';

const tdb = useTestDatabase();
const db = () => tdb.current.database.db;

const CANARY = 'EAAG-canary-token-3c5f0b';
const PIN_CANARY = '918273';
const b64 = (seed: number) => Buffer.alloc(32, seed).toString('base64');
const ring = loadKeyRing({ keys: `k1:${b64(1)}`, dataDir: '/nonexistent', embedded: false });
const actor: AuditContext = { actorType: 'user', actorId: '00000000-0000-4000-8000-000000000001', requestId: 'req-1' };
let n = 0;
const ref = (purpose: SecretRef['purpose'] = 'waba_token'): SecretRef => ({ ownerType: 'onboarding', ownerId: `rec-${++n}`, purpose });
const put = (r: SecretRef, value: string) => db().transaction((tx) => putSecret(tx, ring, r, value));
const use = (r: SecretRef, why = 'phone_lookup') => useSecret(db(), ring, r, why, actor, async (v) => v);

/** Every row of every table in the public schema, as text. */
async function everyRow(): Promise<string> {
  const tables = await db().execute<{ name: string }>(
    sql`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
  );
  let all = '';
  for (const { name } of tables.rows) {
    const rows = await db().execute<{ row: string }>(sql`SELECT t::text AS row FROM ${sql.identifier(name)} t`);
    all += rows.rows.map((r) => r.row).join('\n');
  }
  return all;
}

async function auditOf(ownerId: string) {
  const rows = await db().execute<{ action: string; target_type: string; target_id: string; actor_id: string; details: unknown }>(
    sql`SELECT action, target_type, target_id, actor_id, details FROM audit_events WHERE target_id = ${ownerId} ORDER BY id`,
  );
  return rows.rows;
}

async function thrown(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('vault secrets', () => {
  it('stores only ciphertext, hands the plaintext to the callback, and replaces on a second put', async () => {
    const r = ref();
    await put(r, CANARY);
    expect(await hasSecret(db(), r)).toBe(true);
    const stored = await db().execute<{ ciphertext: string; key_id: string }>(sql`SELECT ciphertext, key_id FROM vault_secrets WHERE owner_id = ${r.ownerId}`);
    expect(stored.rows[0]!.key_id).toBe('k1');
    expect(stored.rows[0]!.ciphertext).toMatch(/^v1\.k1\./);
    expect(await everyRow()).not.toContain(CANARY);
    expect(await useSecret(db(), ring, r, 'phone_lookup', actor, async (v) => v.length)).toBe(CANARY.length);
    await put(r, `${CANARY}-2`);
    expect(await use(r)).toBe(`${CANARY}-2`);
    expect((await db().execute(sql`SELECT 1 FROM vault_secrets WHERE owner_id = ${r.ownerId}`)).rows).toHaveLength(1);
  });

  it('audits every use (why, kind, owner) and never the value, even when the callback fails', async () => {
    const token = ref();
    const pin = { ...token, purpose: 'registration_pin' as const };
    await put(token, CANARY);
    await put(pin, PIN_CANARY);
    await use(token, 'phone_lookup');
    await use(pin, 'register_phone');
    const failing = await thrown(useSecret(db(), ring, token, 'subscribe_webhooks', actor, async () => Promise.reject(new Error('graph said no'))));
    expect(failing.message).toBe('graph said no');
    expect(await auditOf(token.ownerId)).toEqual([
      { action: 'vault.secret_used', target_type: 'onboarding', target_id: token.ownerId, actor_id: actor.actorId, details: { purpose: 'phone_lookup', credential: 'waba_token', ownerType: 'onboarding' } },
      { action: 'vault.secret_used', target_type: 'onboarding', target_id: token.ownerId, actor_id: actor.actorId, details: { purpose: 'register_phone', credential: 'registration_pin', ownerType: 'onboarding' } },
      { action: 'vault.secret_used', target_type: 'onboarding', target_id: token.ownerId, actor_id: actor.actorId, details: { purpose: 'subscribe_webhooks', credential: 'waba_token', ownerType: 'onboarding' } },
    ]);
    const everything = await everyRow();
    expect(everything).not.toContain(CANARY);
    expect(everything).not.toContain(PIN_CANARY);
  });

  it('refuses a "why" that is not an identifier, so a value passed by mistake cannot reach the audit', async () => {
    const r = ref();
    await put(r, CANARY);
    for (const why of [CANARY, PIN_CANARY, 'Phone lookup', '']) {
      expect((await thrown(use(r, why))).message).toBe('vault: the purpose of a use must be a lower-case identifier');
    }
    expect(await auditOf(r.ownerId)).toEqual([]);
  });

  it('refuses a ciphertext moved to another record or purpose, and does not audit the failed use', async () => {
    const a = ref();
    const b = ref();
    await put(a, CANARY);
    await put(b, 'other token');
    // copy a's ciphertext onto b's row; then relabel a's row as a PIN; then re-own a row
    await db().execute(sql`UPDATE vault_secrets SET ciphertext = (SELECT ciphertext FROM vault_secrets WHERE owner_id = ${a.ownerId}) WHERE owner_id = ${b.ownerId}`);
    const moved = await thrown(use(b));
    expect(moved).toBeInstanceOf(VaultDecryptError);
    expect(moved.message).toBe(`cannot decrypt the waba_token of onboarding ${b.ownerId}: wrong key, or the value was altered or moved from another record`);
    await db().execute(sql`UPDATE vault_secrets SET purpose = 'registration_pin' WHERE owner_id = ${a.ownerId}`);
    expect(await thrown(use({ ...a, purpose: 'registration_pin' }))).toBeInstanceOf(VaultDecryptError);
    const c = ref();
    await db().execute(sql`UPDATE vault_secrets SET owner_id = ${c.ownerId}, purpose = 'waba_token' WHERE owner_id = ${a.ownerId}`);
    expect(await thrown(use(c))).toBeInstanceOf(VaultDecryptError);
    for (const id of [a.ownerId, b.ownerId, c.ownerId]) expect(await auditOf(id)).toEqual([]);
  });

  it('refuses under a wrong key of the same id', async () => {
    const r = ref();
    await put(r, CANARY);
    const wrong = loadKeyRing({ keys: `k1:${b64(8)}`, dataDir: '/nonexistent', embedded: false });
    const err = await thrown(useSecret(db(), wrong, r, 'phone_lookup', actor, async (v) => v));
    expect(err).toBeInstanceOf(VaultDecryptError);
    expect((err as VaultDecryptError).reason).toBe('not_authentic');
  });

  it('erases one secret, or all of an owner when its connection ends; using an erased one says it is missing', async () => {
    const token = ref();
    const pin = { ...token, purpose: 'registration_pin' as const };
    await put(token, CANARY);
    await put(pin, PIN_CANARY);
    expect(await deleteSecret(db(), pin)).toBe(true);
    expect(await deleteSecret(db(), pin)).toBe(false);
    expect(await hasSecret(db(), pin)).toBe(false);
    await put(pin, PIN_CANARY);
    expect(await db().transaction((tx) => deleteOwnerSecrets(tx, token))).toBe(2);
    const missing = await thrown(use(token));
    expect(missing).toBeInstanceOf(VaultSecretMissingError);
    expect(missing.message).toBe(`no waba_token stored for onboarding ${token.ownerId}`);
    expect((await db().execute(sql`SELECT 1 FROM vault_secrets WHERE owner_id = ${token.ownerId}`)).rows).toEqual([]);
  });

  it('refuses unknown owner types and purposes, and empty secrets', async () => {
    const bad = { ownerType: 'user', ownerId: 'x', purpose: 'waba_token' } as unknown as SecretRef;
    expect((await thrown(put(bad, CANARY))).message).toBe('vault: unknown owner type user');
    expect((await thrown(put({ ...ref(), purpose: 'password' } as unknown as SecretRef, CANARY))).message).toBe('vault: unknown purpose password');
    expect((await thrown(put(ref(), ''))).message).toMatch(/must be 1 to 8192 characters$/);
  });

  it('never puts the plaintext into an error or a log line', async () => {
    const r = ref();
    await put(r, CANARY);
    const lines: string[] = [];
    const logger = createLogger('info', new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }));
    const wrong = loadKeyRing({ keys: `k1:${b64(8)}`, dataDir: '/nonexistent', embedded: false });
    const errors = [
      await thrown(useSecret(db(), wrong, r, 'phone_lookup', actor, async (v) => v)),
      await thrown(useSecret(db(), loadKeyRing({ keys: `k9:${b64(1)}`, dataDir: '/x', embedded: false }), r, 'phone_lookup', actor, async (v) => v)),
      await thrown(use(r, CANARY)),
      await thrown(use(ref())),
      await thrown(put({ ...ref(), purpose: 'nope' } as unknown as SecretRef, CANARY)),
    ];
    for (const err of errors) logger.error({ err }, 'vault call failed');
    const text = lines.join('') + errors.map((e) => `${e.stack}\n${inspect(e, { depth: 5 })}`).join('\n');
    expect(lines).toHaveLength(errors.length);
    expect(text).not.toContain(CANARY);
    expect(text).not.toContain(b64(1));
    expect(text).not.toContain(b64(8));
  });
});
