/**
 * Stored credentials. A secret is written encrypted under the current key and bound to its owner and
 * purpose; it is decrypted only inside `useSecret`, for the duration of one callback (the Graph API
 * call that needs it), and each use is audited without the value. Nothing here logs.
 */
import type { Db, Executor, Tx } from '../../db/client.js';
import { systemClock, type Clock } from '../../lib/clock.js';
import { recordAudit } from '../audit/audit.service.js';
import type { AuditContext } from '../audit/audit.types.js';
import { vaultDecrypts } from '../metrics/metrics.js';
import { decrypt, encrypt, secretAad } from './cipher.js';
import type { KeyRing } from './keyring.js';
import { VaultSecretMissingError } from './vault.errors.js';
import { deleteOwnerSecretRows, deleteSecretRow, findSecret, secretExists, upsertSecret } from './vault.repo.js';
import { VAULT_OWNER_TYPES, VAULT_PURPOSES, type SecretOwner, type SecretRef } from './vault.types.js';

/** Every decryption of a stored secret, counted for /metrics. */
function decryptCounted(...args: Parameters<typeof decrypt>): string {
  vaultDecrypts.inc();
  return decrypt(...args);
}

/** Long enough for any Meta token; a bound so a mistake cannot store megabytes. */
const MAX_SECRET_CHARS = 8192;
/** A "why" is an identifier (e.g. `phone_lookup`), so a value passed here by mistake cannot reach the audit. */
const USE_PURPOSE = /^[a-z][a-z0-9_.]{0,63}$/;

/** The associated data of a stored secret: its purpose and owner record. */
export function refAad(ref: SecretRef): string {
  return secretAad(ref.purpose, `${ref.ownerType}:${ref.ownerId}`);
}

/** How a secret is named in errors: owner and purpose, never the value. */
export function describeRef(ref: SecretRef): string {
  return `the ${ref.purpose} of ${ref.ownerType} ${ref.ownerId}`;
}

function checkRef(ref: SecretRef): void {
  // Refs come from typed callers; the runtime check guards data read back from elsewhere (jobs, JSON).
  if (!(VAULT_OWNER_TYPES as readonly string[]).includes(ref.ownerType)) throw new Error(`vault: unknown owner type ${ref.ownerType}`);
  if (!(VAULT_PURPOSES as readonly string[]).includes(ref.purpose)) throw new Error(`vault: unknown purpose ${ref.purpose}`);
  if (ref.ownerId.length === 0 || ref.ownerId.length > 200) throw new Error('vault: owner id must be 1 to 200 characters');
}

/** Stores (or replaces) the secret for `ref` under the ring's current key, inside the caller's transaction. */
export async function putSecret(tx: Tx, ring: KeyRing, ref: SecretRef, plaintext: string): Promise<void> {
  checkRef(ref);
  if (plaintext.length === 0 || plaintext.length > MAX_SECRET_CHARS) throw new Error(`vault: ${describeRef(ref)} must be 1 to ${MAX_SECRET_CHARS} characters`);
  await upsertSecret(tx, ref, encrypt(ring.current, plaintext, refAad(ref)), ring.current.id);
}

/** Whether a secret is stored for `ref`. Decrypts nothing, so it is not audited. */
export async function hasSecret(ex: Executor, ref: SecretRef): Promise<boolean> {
  return secretExists(ex, ref);
}

/** Erases the secret for `ref` (e.g. its connection ended); returns whether one existed. */
export async function deleteSecret(tx: Executor, ref: SecretRef): Promise<boolean> {
  return (await deleteSecretRow(tx, ref)) > 0;
}

/** Erases every secret of an owner (token and PIN of a disconnected account); returns how many. */
export async function deleteOwnerSecrets(tx: Executor, owner: SecretOwner): Promise<number> {
  return deleteOwnerSecretRows(tx, owner);
}

/**
 * Decrypts the secret for `ref` and hands it to `fn`; returns what `fn` returns. The use is audited
 * (`vault.secret_used`: why, which kind of credential, target = the owner) and committed before `fn`
 * runs, so a use is on record even when `fn` fails; a secret that does not decrypt is not "used".
 * `fn` runs outside any transaction (it makes network calls). The plaintext is a JS string, which
 * cannot be wiped: `fn` must not keep it beyond its own call.
 * Throws VaultSecretMissingError when nothing is stored, VaultDecryptError when it does not decrypt.
 */
export async function useSecret<T>(
  db: Db,
  ring: KeyRing,
  ref: SecretRef,
  purpose: string,
  actor: AuditContext,
  fn: (plaintext: string) => Promise<T>,
  clock: Clock = systemClock,
): Promise<T> {
  checkRef(ref);
  if (!USE_PURPOSE.test(purpose)) throw new Error('vault: the purpose of a use must be a lower-case identifier');
  const plaintext = await db.transaction(async (tx) => {
    const row = await findSecret(tx, ref);
    if (!row) throw new VaultSecretMissingError(`no ${ref.purpose} stored for ${ref.ownerType} ${ref.ownerId}`);
    const value = decryptCounted(ring, row.ciphertext, refAad(ref), describeRef(ref));
    await recordAudit(tx, clock, actor, {
      action: 'vault.secret_used',
      targetType: ref.ownerType,
      targetId: ref.ownerId,
      details: { purpose, credential: ref.purpose, ownerType: ref.ownerType },
    });
    return value;
  });
  return fn(plaintext);
}

/**
 * Moves the secret of `from` to `to` (re-encrypted: the associated data names its owner), inside the
 * caller's transaction; the plaintext never leaves this function. Returns false when `from` has none.
 */
export async function moveSecret(tx: Tx, ring: KeyRing, from: SecretRef, to: SecretRef): Promise<boolean> {
  checkRef(from);
  checkRef(to);
  const row = await findSecret(tx, from);
  if (!row) return false;
  await upsertSecret(tx, to, encrypt(ring.current, decryptCounted(ring, row.ciphertext, refAad(from), describeRef(from)), refAad(to)), ring.current.id);
  await deleteSecretRow(tx, from);
  return true;
}

/**
 * Decrypts a secret to show it to a person (the one-time PIN reveal), inside the caller's transaction,
 * audited as a use with `purpose`. The caller decides whether showing it is allowed.
 */
export async function revealSecret(tx: Tx, ring: KeyRing, ref: SecretRef, purpose: string, actor: AuditContext, clock: Clock = systemClock): Promise<string | null> {
  checkRef(ref);
  const row = await findSecret(tx, ref);
  if (!row) return null;
  const value = decryptCounted(ring, row.ciphertext, refAad(ref), describeRef(ref));
  await recordAudit(tx, clock, actor, { action: 'vault.secret_used', targetType: ref.ownerType, targetId: ref.ownerId, details: { purpose, credential: ref.purpose, ownerType: ref.ownerType } });
  return value;
}
