/**
 * `npm run cli -- backup FILE`: a logical backup taken while the app runs. One REPEATABLE READ,
 * READ ONLY transaction gives every table the same snapshot; each table is streamed with
 * COPY ... TO STDOUT straight into FILE.tmp (never the whole database in memory), which is then
 * synced and renamed over FILE, mode 0600. The encryption key is never written: only its check
 * values, so a restore can tell whether it was given the right key.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { MAGIC_LINE, quoteIdent, SECTION_END, TRAILER_PREFIX, FORMAT_VERSION, type BackupHeader } from './backup-format.js';
import { listTables } from './catalog.js';

export interface BackupResult {
  file: string;
  bytes: number;
  tables: { name: string; rows: number }[];
  header: BackupHeader;
}

/** Reads the header facts inside the snapshot transaction. */
async function readHeader(client: pg.PoolClient, tables: { name: string; columns: string[] }[]): Promise<BackupHeader> {
  const now = await client.query<{ at: Date; xid: string }>('SELECT now() AS at, pg_snapshot_xmax(pg_current_snapshot())::text AS xid');
  const migrations = await client.query<{ hash: string; created_at: string | number }>('SELECT hash, created_at FROM drizzle.__drizzle_migrations ORDER BY created_at, id');
  const checks = await client.query<{ key_id: string; check_value: string }>('SELECT key_id, check_value FROM vault_key_checks ORDER BY key_id');
  const keys = await client.query<{ key_id: string }>('SELECT DISTINCT key_id FROM vault_secrets ORDER BY key_id');
  const erasures = await client.query<{ max: number | null }>('SELECT max(id) AS max FROM erasure_log');
  return {
    format: 'crm-backup',
    version: FORMAT_VERSION,
    createdAt: now.rows[0]!.at.toISOString(),
    schema: {
      migrationCount: migrations.rows.length,
      migrations: migrations.rows.map((m) => ({ hash: m.hash, createdAt: Number(m.created_at) })),
    },
    keyChecks: checks.rows.map((c) => ({ keyId: c.key_id, checkValue: c.check_value })),
    secretKeyIds: keys.rows.map((k) => k.key_id),
    xidNext: now.rows[0]!.xid,
    erasureMaxId: erasures.rows[0]?.max === null || erasures.rows[0]?.max === undefined ? null : Number(erasures.rows[0].max),
    tables: tables.map((t) => ({ name: t.name, columns: t.columns })),
  };
}

export async function writeBackup(pool: pg.Pool, file: string, progress: (line: string) => void = () => {}): Promise<BackupResult> {
  const target = path.resolve(file);
  const tmp = `${target}.tmp`;
  // a leftover from an interrupted run would keep its old mode: start from nothing
  await rm(tmp, { force: true });
  const out = createWriteStream(tmp, { mode: 0o600, flags: 'wx' });
  const client = await pool.connect().catch((err: unknown) => {
    out.destroy();
    throw err;
  });
  const hash = createHash('sha256');
  let bytes = 0;
  const write = async (chunk: Buffer | string) => {
    hash.update(chunk);
    bytes += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
  };
  let ok = false;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    // a long backup must not be cut by a server-side timeout meant for app queries
    await client.query("SET LOCAL statement_timeout = 0; SET LOCAL idle_in_transaction_session_timeout = 0; SET LOCAL lock_timeout = '60s'");
    const tables = await listTables(client);
    // like pg_dump: hold ACCESS SHARE on every table so no DDL can change one before it is copied
    // (the snapshot itself is taken by this first statement)
    if (tables.length) await client.query(`LOCK TABLE ${tables.map((t) => quoteIdent(t.name)).join(', ')} IN ACCESS SHARE MODE`);
    const header = await readHeader(client, tables);
    await write(MAGIC_LINE);
    await write(`${JSON.stringify(header)}\n`);
    const counts: { name: string; rows: number }[] = [];
    for (const t of tables) {
      await write(`TABLE ${t.name}\n`);
      const stream = client.query(copyTo(`COPY ${quoteIdent(t.name)} (${t.columns.map(quoteIdent).join(', ')}) TO STDOUT`));
      for await (const chunk of stream) await write(chunk as Buffer);
      await write(SECTION_END);
      counts.push({ name: t.name, rows: stream.rowCount });
      progress(`  ${t.name}: ${stream.rowCount} rows`);
    }
    await client.query('COMMIT');
    const trailer = `${TRAILER_PREFIX}${hash.digest('hex')}\n`;
    if (!out.write(trailer)) await once(out, 'drain');
    bytes += trailer.length;
    out.end();
    await once(out, 'finish');
    // durable before it replaces an older backup of the same name
    const fh = await open(tmp, 'r');
    await fh.sync();
    await fh.close();
    await rename(tmp, target);
    const dir = await open(path.dirname(target), 'r');
    await dir.sync().catch(() => undefined);
    await dir.close();
    ok = true;
    return { file: target, bytes, tables: counts, header };
  } finally {
    if (!ok) {
      await client.query('ROLLBACK').catch(() => undefined);
      out.destroy();
      await rm(tmp, { force: true });
    }
    client.release();
  }
}
