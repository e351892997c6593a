/**
 * `npm run cli -- restore FILE [--erasures ERASURE_FILE]`: loads a backup into a fresh, migrated
 * database. Every check runs before anything is written: the checksum, the schema version (a
 * backup from newer code is refused), the encryption keys against the backup's check values, the
 * erasure file, and that the target holds no data. The load is one transaction: COPY per table in
 * the target's foreign-key order (columns the current schema added take their defaults), the
 * erasures the backup does not hold yet, then every sequence set to the max of its column.
 *
 * Sessions, in-flight SSO sign-ins and rate-limit counters are not restored: everyone signs in
 * again, and a session ended after the backup was taken cannot come back to life.
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { drizzle } from 'drizzle-orm/node-postgres';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { migrationsFolder } from '../../db/migrate.js';
import * as schema from '../../db/schema.js';
import { assertRingFits, verifyKeyRing } from '../vault/key-check.js';
import type { KeyRing } from '../vault/keyring.js';
import { VaultKeyError } from '../vault/vault.errors.js';
import { BackupError, quoteIdent, type BackupHeader } from './backup-format.js';
import { listTables, resetSequences, type TableInfo } from './catalog.js';
import { ERASURE_APPLIERS, type ErasureEntry } from './erasure-actions.js';
import { readErasureFile } from './erasure-log.js';
import { scanBackup } from './restore-scan.js';
import { advanceXidPast, assertBridgeable, xidGap } from './xid.js';

/** Transient state left out of a restore (see the module comment). */
export const NOT_RESTORED = ['sessions', 'oidc_flows', 'rate_limit_hits'] as const;
/** Tables a freshly started runtime writes by itself: a target holding rows only there is still fresh. */
const WRITTEN_AT_START = ['vault_key_checks', 'rate_limit_hits'];

export interface RestoreResult {
  tables: { name: string; rows: number }[];
  erasuresApplied: number;
  header: BackupHeader;
}

/** The backup's schema must be this code's migrations or a prefix of them. */
export function checkSchema(header: BackupHeader, folder = migrationsFolder()): void {
  const known = readMigrationFiles({ migrationsFolder: folder });
  const theirs = header.schema.migrations;
  if (theirs.length > known.length) {
    throw new BackupError(
      `the backup comes from a newer version of the application (${theirs.length} migrations; this version knows ${known.length}): restore it with that version or a later one`,
    );
  }
  theirs.forEach((m, i) => {
    const k = known[i]!;
    if (k.folderMillis !== m.createdAt || k.hash !== m.hash) {
      throw new BackupError(`the backup's migration ${i + 1} (created ${m.createdAt}) is not this version's migration ${i + 1}: it comes from a different build of the application`);
    }
  });
}

async function tablesHoldingData(client: pg.ClientBase, tables: TableInfo[]): Promise<string[]> {
  const held: string[] = [];
  for (const t of tables) {
    if (WRITTEN_AT_START.includes(t.name)) continue;
    const r = await client.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${quoteIdent(t.name)}) AS any`);
    if (r.rows[0]!.any) held.push(t.name);
  }
  return held;
}

export async function restoreBackup(
  pool: pg.Pool,
  opts: { file: string; erasuresFile?: string | undefined; ring: KeyRing; progress?: (line: string) => void },
): Promise<RestoreResult> {
  const progress = opts.progress ?? (() => {});
  // 1. the file: checksum, framing, header (read only)
  const scan = await scanBackup(opts.file);
  const { header } = scan;
  // 2. the schema version
  checkSchema(header);
  // 3. the erasures to apply again: all well-formed and of known kinds
  const erasures = opts.erasuresFile ? await readErasureFile(opts.erasuresFile) : [];

  const client = await pool.connect();
  try {
    // 4. the target: every backed-up table and column exists, and nothing is there yet
    const target = await listTables(client);
    const byName = new Map(target.map((t) => [t.name, t]));
    for (const t of header.tables) {
      const mine = byName.get(t.name);
      if (!mine) throw new BackupError(`the backup holds table ${t.name}, which this version's schema does not have`);
      const missing = t.columns.filter((c) => !mine.columns.includes(c));
      if (missing.length) throw new BackupError(`the backup's table ${t.name} has columns this version's schema does not have: ${missing.join(', ')}`);
    }
    const held = await tablesHoldingData(client, target);
    if (held.length) {
      throw new BackupError(
        `the target database already holds data (${held.slice(0, 5).join(', ')}${held.length > 5 ? ', ...' : ''}): restore only into a fresh database (a new, empty DATA_DIR, or a new empty database for DATABASE_URL), before the app is started on it`,
      );
    }
    // 5. the keys: the configured ring must open what the backup holds
    try {
      assertRingFits(opts.ring, header.keyChecks, header.secretKeyIds);
    } catch (err) {
      if (!(err instanceof VaultKeyError)) throw err;
      // The runtime recorded check values of the refused key in this (empty) target when it
      // opened it; drop them so a second attempt with the right key is not refused at start-up.
      await client.query('DELETE FROM vault_key_checks');
      throw new BackupError(
        `wrong encryption key for this backup: ${err.message}. Configure the key(s) the backup was taken with (ENCRYPTION_KEYS / ENCRYPTION_KEY, or the old DATA_DIR/encryption.key copied into DATA_DIR) and run the restore again. Nothing was restored`,
      );
    }
    // 6. transaction ids (see xid.ts)
    const gap = await xidGap(pool, header.xidNext);
    assertBridgeable(gap);
    if (gap > 0n) {
      progress(`advancing this server's transaction ids by ${gap} to the backup's (about ${Math.ceil(Number(gap) / 100_000)} s)`);
      await advanceXidPast(pool, header.xidNext, progress);
    }

    // 7. the load, all or nothing
    await client.query('BEGIN');
    try {
      await client.query('SET LOCAL statement_timeout = 0');
      await client.query('DELETE FROM vault_key_checks');
      await client.query('DELETE FROM rate_limit_hits');
      const sections = new Map(scan.sections.map((s) => [s.name, s]));
      const columns = new Map(header.tables.map((t) => [t.name, t.columns]));
      const loaded: { name: string; rows: number }[] = [];
      for (const t of target) {
        const section = sections.get(t.name);
        if (!section || (NOT_RESTORED as readonly string[]).includes(t.name)) continue;
        if (section.rows > 0) {
          const copy = client.query(copyFrom(`COPY ${quoteIdent(t.name)} (${columns.get(t.name)!.map(quoteIdent).join(', ')}) FROM STDIN`));
          await pipeline(createReadStream(opts.file, { start: section.start, end: section.end - 1, highWaterMark: 1 << 20 }), copy);
          if (copy.rowCount !== section.rows) throw new BackupError(`table ${t.name}: loaded ${copy.rowCount} rows, the backup holds ${section.rows}`);
        }
        loaded.push({ name: t.name, rows: section.rows });
        if (section.rows > 0) progress(`  ${t.name}: ${section.rows} rows`);
      }
      const applied = await applyErasures(client, erasures);
      await resetSequences(client);
      await client.query('COMMIT');
      // check values for configured keys the backup did not know (a key added since)
      await verifyKeyRing(drizzle(pool, { schema }), opts.ring);
      return { tables: loaded, erasuresApplied: applied, header };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  } finally {
    client.release();
  }
}

/**
 * Applies every exported erasure the restored log does not hold (it was recorded after the
 * snapshot), and records it, so restoring twice applies it once. Comparing ids rather than times
 * is exact: an erasure whose transaction committed after the snapshot is missing from the restored
 * log even when its id is lower than one the snapshot holds.
 */
async function applyErasures(client: pg.PoolClient, entries: ErasureEntry[]): Promise<number> {
  if (entries.length === 0) return 0;
  const db = drizzle(client, { schema });
  let applied = 0;
  for (const e of entries) {
    const r = await client.query<{ subject_id: string; action: string }>('SELECT subject_id, action FROM erasure_log WHERE id = $1', [e.id]);
    const have = r.rows[0];
    if (have) {
      if (have.subject_id !== e.subjectId || have.action !== e.action) {
        throw new BackupError(`erasure ${e.id} in the erasure file differs from the backup's erasure ${e.id}: the file comes from another database; nothing was restored`);
      }
      continue;
    }
    await ERASURE_APPLIERS[e.action].apply(db, e);
    await client.query('INSERT INTO erasure_log (id, at, subject_type, subject_id, action, details) VALUES ($1, $2, $3, $4, $5, $6)', [
      e.id,
      e.at,
      e.subjectType,
      e.subjectId,
      e.action,
      JSON.stringify(e.details),
    ]);
    applied++;
  }
  return applied;
}
