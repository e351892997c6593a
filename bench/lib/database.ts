/**
 * Where a benchmark's data lives: a fresh temporary DATA_DIR (removed afterwards) and, when
 * BENCH_DATABASE_URL is set, a fresh database on that server (dropped afterwards); otherwise the
 * app's embedded PostgreSQL in that DATA_DIR.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface BenchEnv {
  dataDir: string;
  /** DATABASE_URL + ENCRYPTION_KEY for the app when external; empty in embedded mode */
  appEnv: Record<string, string>;
  mode: 'embedded' | 'external';
  /** drops the database (external) and removes DATA_DIR */
  cleanup(): Promise<void>;
}

/** Replaces the database name of a postgres URL (socket URLs have an empty host, so no `new URL`). */
export function withDatabase(url: string, db: string): string {
  const m = /^(postgres(?:ql)?:\/\/[^/?]*)(?:\/[^?]*)?(\?.*)?$/.exec(url);
  if (!m) throw new Error('BENCH_DATABASE_URL is not a postgres:// URL');
  return `${m[1]}/${db}${m[2] ?? ''}`;
}

async function admin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Prepares a fresh DATA_DIR and, with BENCH_DATABASE_URL, a fresh empty database. */
export async function prepareBenchEnv(label: string): Promise<BenchEnv> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `crm-bench-${label}-`));
  const removeDir = () => rm(dataDir, { recursive: true, force: true });
  const adminUrl = process.env.BENCH_DATABASE_URL;
  if (!adminUrl) return { dataDir, appEnv: {}, mode: 'embedded', cleanup: removeDir };

  const name = `crm_bench_${label}_${randomBytes(4).toString('hex')}`;
  try {
    await admin(adminUrl, (c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`));
  } catch (err) {
    await removeDir();
    throw err;
  }
  return {
    dataDir,
    mode: 'external',
    appEnv: { DATABASE_URL: withDatabase(adminUrl, name), ENCRYPTION_KEY: randomBytes(32).toString('base64') },
    async cleanup() {
      try {
        await admin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`));
      } finally {
        await removeDir();
      }
    },
  };
}
