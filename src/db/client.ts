/**
 * The pg pool and the drizzle instance built on it. Every feature's repo receives `Db` (or a
 * transaction of it) from here; nothing else opens connections to the application database.
 */
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import * as schema from './schema.js';

export type Db = NodePgDatabase<typeof schema>;
/** A transaction handed from a service to the repos it calls, so their writes commit together. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** Anything a repo method can run on: the pool-backed Db or an open transaction. */
export type Executor = Db | Tx;

export interface Database {
  pool: pg.Pool;
  db: Db;
  url: string;
  close(): Promise<void>;
}

// Timestamps come back as Date objects through drizzle; bigint counts (e.g. count(*)) as numbers
// are safe far beyond anything this app counts.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/** Opens a pool on `url`. `max` stays small: the embedded server and small instances share a box. */
export function openDatabase(url: string, opts: { max?: number; applicationName?: string } = {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    application_name: opts.applicationName ?? 'crm',
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its server (restart, failover) must not crash the process.
  pool.on('error', () => {});
  const db = drizzle(pool, { schema });
  let closed = false;
  return {
    pool,
    db,
    url,
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

/**
 * Lets the current transaction commit without waiting for its WAL flush. Only for bookkeeping
 * whose durability a later synchronous commit in the same flow guarantees (WAL is flushed in
 * order, so that commit makes every earlier one durable), and whose loss in a crash before it
 * would only make idempotent work run again.
 */
export async function relaxedCommit(tx: Tx): Promise<void> {
  await tx.execute(sql`SET LOCAL synchronous_commit = off`);
}

/**
 * The same as relaxedCommit, as a condition that is always true, for the WHERE clause of the
 * transaction's first statement: it saves the round trip of a separate SET on hot paths.
 */
export const RELAXED_COMMIT_CONDITION = sql`set_config('synchronous_commit', 'off', true) is not null`;
