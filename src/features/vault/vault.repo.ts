/** SQL for stored secrets and per-key check values; the only place the vault speaks to the database. */
import { and, eq, ne, notInArray, sql } from 'drizzle-orm';
import type { Executor, Tx } from '../../db/client.js';
import { vaultKeyChecks, vaultSecrets } from '../../db/schema.js';
import type { SecretOwner, SecretRef } from './vault.types.js';

/** A stored secret as the vault reads it (ciphertext only). */
export interface SecretRow {
  id: string;
  ownerType: string;
  ownerId: string;
  purpose: string;
  ciphertext: string;
  keyId: string;
}

const columns = {
  id: vaultSecrets.id,
  ownerType: vaultSecrets.ownerType,
  ownerId: vaultSecrets.ownerId,
  purpose: vaultSecrets.purpose,
  ciphertext: vaultSecrets.ciphertext,
  keyId: vaultSecrets.keyId,
};

const matches = (ref: SecretRef) =>
  and(eq(vaultSecrets.ownerType, ref.ownerType), eq(vaultSecrets.ownerId, ref.ownerId), eq(vaultSecrets.purpose, ref.purpose));

/** Stores the secret for `ref`, replacing an earlier one. */
export async function upsertSecret(ex: Executor, ref: SecretRef, ciphertext: string, keyId: string): Promise<void> {
  await ex
    .insert(vaultSecrets)
    .values({ ...ref, ciphertext, keyId })
    .onConflictDoUpdate({
      target: [vaultSecrets.ownerType, vaultSecrets.ownerId, vaultSecrets.purpose],
      set: { ciphertext, keyId, updatedAt: sql`now()` },
    });
}

/** The secret for `ref`, or null. */
export async function findSecret(ex: Executor, ref: SecretRef): Promise<SecretRow | null> {
  const [row] = await ex.select(columns).from(vaultSecrets).where(matches(ref)).limit(1);
  return row ?? null;
}

/** Whether a secret is stored for `ref` (reads no ciphertext). */
export async function secretExists(ex: Executor, ref: SecretRef): Promise<boolean> {
  const rows = await ex.select({ one: sql<number>`1` }).from(vaultSecrets).where(matches(ref)).limit(1);
  return rows.length > 0;
}

/** Deletes the secret for `ref`; returns how many rows went (0 or 1). */
export async function deleteSecretRow(ex: Executor, ref: SecretRef): Promise<number> {
  const rows = await ex.delete(vaultSecrets).where(matches(ref)).returning({ id: vaultSecrets.id });
  return rows.length;
}

/** Deletes every secret of one owner; returns how many. */
export async function deleteOwnerSecretRows(ex: Executor, owner: SecretOwner): Promise<number> {
  const rows = await ex
    .delete(vaultSecrets)
    .where(and(eq(vaultSecrets.ownerType, owner.ownerType), eq(vaultSecrets.ownerId, owner.ownerId)))
    .returning({ id: vaultSecrets.id });
  return rows.length;
}

/**
 * Locks up to `limit` secrets not under `keyId`, skipping rows another transaction holds (the app
 * replacing a token) and the ids in `skip` (rows that failed earlier in this run).
 */
export async function lockSecretsNotUnder(tx: Tx, keyId: string, limit: number, skip: string[]): Promise<SecretRow[]> {
  const notSkipped = skip.length > 0 ? notInArray(vaultSecrets.id, skip) : undefined;
  return tx
    .select(columns)
    .from(vaultSecrets)
    .where(and(ne(vaultSecrets.keyId, keyId), notSkipped))
    .limit(limit)
    .for('update', { skipLocked: true });
}

/** Replaces one row's ciphertext (rotation). */
export async function updateSecretCiphertext(tx: Tx, id: string, ciphertext: string, keyId: string): Promise<void> {
  await tx.update(vaultSecrets).set({ ciphertext, keyId, updatedAt: sql`now()` }).where(eq(vaultSecrets.id, id));
}

/** How many secrets sit under each key id. */
export async function countSecretsByKey(ex: Executor): Promise<{ keyId: string; n: number }[]> {
  return ex
    .select({ keyId: vaultSecrets.keyId, n: sql<number>`count(*)::int` })
    .from(vaultSecrets)
    .groupBy(vaultSecrets.keyId)
    .orderBy(vaultSecrets.keyId);
}

/** Every stored key check value, by key id. */
export async function listKeyChecks(ex: Executor): Promise<{ keyId: string; checkValue: string }[]> {
  return ex.select({ keyId: vaultKeyChecks.keyId, checkValue: vaultKeyChecks.checkValue }).from(vaultKeyChecks);
}

/** Stores a check value unless one exists for the id (another instance may have won the race). */
export async function insertKeyCheck(ex: Executor, keyId: string, checkValue: string): Promise<void> {
  await ex.insert(vaultKeyChecks).values({ keyId, checkValue }).onConflictDoNothing({ target: vaultKeyChecks.keyId });
}
