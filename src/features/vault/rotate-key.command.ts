/**
 * The body of `npm run cli -- rotate-key` (src/cli/commands.ts wraps it): check the keys, re-encrypt,
 * print counts per key. Prints ids and counts only, never a secret.
 */
import type { Db } from '../../db/client.js';
import type { Clock } from '../../lib/clock.js';
import { verifyKeyRing } from './key-check.js';
import { rotateSecrets } from './key-rotation.service.js';
import type { KeyRing } from './keyring.js';
import { countSecretsByKey } from './vault.repo.js';

/** Options as the operator typed them (strings from parseArgs). */
export interface RotateKeyArgs {
  batchSize?: string;
  maxBatches?: string;
}

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,6}$/.test(value) || Number(value) < 1) throw new Error(`--${name}: must be a whole number from 1 to 999999`);
  return Number(value);
}

const perKey = async (db: Db) => (await countSecretsByKey(db)).map((c) => `${c.keyId}=${c.n}`).join(', ') || 'none';

/** Runs the rotation and reports it on `out`; returns the exit code (0 done, 1 something left). */
export async function runRotateKey(db: Db, ring: KeyRing, args: RotateKeyArgs, out: (line: string) => void, clock?: Clock): Promise<number> {
  const batchSize = positiveInt('batch-size', args.batchSize);
  const maxBatches = positiveInt('max-batches', args.maxBatches);
  // Refuses a wrong or missing key before anything is written under it.
  await verifyKeyRing(db, ring);
  out(`Current key: ${ring.current.id}. Secrets per key before: ${await perKey(db)}.`);
  const result = await rotateSecrets(db, ring, { actorType: 'cli', actorId: null, requestId: null }, { batchSize, maxBatches, clock });
  out(`Re-encrypted ${result.reEncrypted} secret(s) under ${result.toKeyId} in ${result.batches} batch(es).`);
  out(`Secrets per key now: ${await perKey(db)}.`);
  for (const line of result.failed) out(`Failed: ${line}`);
  if (result.failed.length > 0) {
    out(`${result.failed.length} secret(s) could not be decrypted with the configured keys and were left as they are.`);
    return 1;
  }
  if (result.remaining > 0) {
    const stopped = maxBatches !== undefined && result.batches >= maxBatches;
    out(`${result.remaining} secret(s) are still under older keys${stopped ? ' (stopped at --max-batches)' : ' (in use right now)'}: run rotate-key again to finish.`);
    return stopped ? 0 : 1;
  }
  const old = ring.all.filter((k) => k.id !== ring.current.id).map((k) => k.id);
  if (old.length > 0) out(`No secret needs ${old.join(', ')} any more; remove it from the configuration of every instance once they all run with ${result.toKeyId} first.`);
  return 0;
}
