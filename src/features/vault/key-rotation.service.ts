/**
 * `rotate-key`: re-encrypts every stored secret that is not under the ring's current key. Work goes
 * in batches, each its own transaction that locks its rows FOR UPDATE SKIP LOCKED: an interrupted
 * run keeps the batches it committed (run it again to finish), and the running app, which reads
 * committed rows and writes new secrets under the current key, is never blocked.
 */
import type { Db } from '../../db/client.js';
import { systemClock, type Clock } from '../../lib/clock.js';
import { recordAudit } from '../audit/audit.service.js';
import type { AuditContext } from '../audit/audit.types.js';
import { decrypt, encrypt } from './cipher.js';
import type { KeyRing } from './keyring.js';
import { VaultDecryptError } from './vault.errors.js';
import { countSecretsByKey, lockSecretsNotUnder, updateSecretCiphertext, type SecretRow } from './vault.repo.js';
import { describeRef, refAad } from './vault.service.js';
import type { SecretRef } from './vault.types.js';

/** Options of one rotation run. */
export interface RotationOptions {
  /** Rows per transaction (default 100). */
  batchSize?: number;
  /** Stop after this many batches (default: until done); the next run resumes. */
  maxBatches?: number;
  clock?: Clock;
}

/** What a run did. */
export interface RotationResult {
  toKeyId: string;
  reEncrypted: number;
  batches: number;
  /** Secrets still under another key: busy rows, failures, or a run stopped by maxBatches. */
  remaining: number;
  /** Secrets that did not decrypt (named, never shown): they stay as they are. */
  failed: string[];
}

/** Rows come from the table, where owner and purpose are plain text: read them back as a ref. */
const refOf = (row: SecretRow) => ({ ownerType: row.ownerType, ownerId: row.ownerId, purpose: row.purpose }) as SecretRef;

async function rotateBatch(db: Db, ring: KeyRing, actor: AuditContext, clock: Clock, size: number, failedIds: string[], failed: string[]) {
  return db.transaction(async (tx) => {
    const rows = await lockSecretsNotUnder(tx, ring.current.id, size, failedIds);
    let done = 0;
    for (const row of rows) {
      const ref = refOf(row);
      let plaintext: string;
      try {
        plaintext = decrypt(ring, row.ciphertext, refAad(ref), describeRef(ref));
      } catch (err) {
        if (!(err instanceof VaultDecryptError)) throw err;
        failedIds.push(row.id);
        failed.push(err.message);
        continue;
      }
      await updateSecretCiphertext(tx, row.id, encrypt(ring.current, plaintext, refAad(ref)), ring.current.id);
      done++;
    }
    if (done > 0) {
      await recordAudit(tx, clock, actor, { action: 'vault.key_rotated', details: { reEncrypted: done, toKeyId: ring.current.id } });
    }
    return { locked: rows.length, done };
  });
}

/** Re-encrypts secrets under `ring.current`, batch by batch, until none is left (or maxBatches). */
export async function rotateSecrets(db: Db, ring: KeyRing, actor: AuditContext, opts: RotationOptions = {}): Promise<RotationResult> {
  const size = opts.batchSize ?? 100;
  const clock = opts.clock ?? systemClock;
  const failedIds: string[] = [];
  const failed: string[] = [];
  let reEncrypted = 0;
  let batches = 0;
  while (opts.maxBatches === undefined || batches < opts.maxBatches) {
    const { locked, done } = await rotateBatch(db, ring, actor, clock, size, failedIds, failed);
    if (locked === 0) break;
    batches++;
    reEncrypted += done;
  }
  const remaining = (await countSecretsByKey(db)).filter((c) => c.keyId !== ring.current.id).reduce((sum, c) => sum + c.n, 0);
  return { toKeyId: ring.current.id, reEncrypted, batches, remaining, failed };
}
