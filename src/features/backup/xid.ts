/**
 * Moves a restore target's transaction id counter past the backup's. The audit chain orders and
 * seals events by the id of the transaction that wrote them (audit_events.xid, part of each link's
 * hash, so it is restored as it was); on a fresh cluster (a new DATA_DIR, another server) the
 * counter starts near zero, and events written after the restore would sort before the restored
 * ones and never be sealed. Consuming ids (one short transaction each, about 100,000 a second) is
 * the only way PostgreSQL offers without pg_resetwal, which the embedded server does not ship.
 */
import type pg from 'pg';
import { BackupError } from './backup-format.js';

/** Far below the 2^31 wraparound horizon: a gap this large means the source cluster is much older than any burn can bridge. */
const MAX_GAP = 1_500_000_000n;
const BATCH = 1_000_000n;

async function nextXid(client: pg.ClientBase): Promise<bigint> {
  const r = await client.query<{ next: string }>('SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS next');
  return BigInt(r.rows[0]!.next);
}

/** How many ids the target is behind `next` (0 when it is already past). */
export async function xidGap(pool: pg.Pool, next: string): Promise<bigint> {
  const client = await pool.connect();
  try {
    const gap = BigInt(next) - (await nextXid(client));
    return gap > 0n ? gap : 0n;
  } finally {
    client.release();
  }
}

export function assertBridgeable(gap: bigint): void {
  if (gap > MAX_GAP) {
    throw new BackupError(
      `the backup's transaction ids are ${gap} ahead of this database server's: too far to catch up. Restore into a server at least as old (DATABASE_URL), or see docs/OPERATIONS.md "Backups and restore"`,
    );
  }
}

/** Consumes transaction ids until the server's next id is past `next`; returns how many it used. */
export async function advanceXidPast(pool: pg.Pool, next: string, progress: (line: string) => void = () => {}): Promise<bigint> {
  const want = BigInt(next);
  const client = await pool.connect();
  let used = 0n;
  try {
    // nothing is written: the commits only need to be fast, not durable
    await client.query('SET synchronous_commit = off');
    for (;;) {
      const current = await nextXid(client);
      if (current > want) return used;
      const n = want - current + 1n < BATCH ? want - current + 1n : BATCH;
      await client.query(`DO $$ BEGIN FOR i IN 1..${n.toString()} LOOP PERFORM pg_current_xact_id(); COMMIT; END LOOP; END $$`);
      used += n;
      progress(`  transaction ids advanced by ${used} of ${want - current + used}`);
    }
  } finally {
    await client.query('RESET synchronous_commit').catch(() => undefined);
    client.release();
  }
}
