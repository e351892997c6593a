/**
 * Vitest global setup of the "db" project: one PostgreSQL per test run — an embedded cluster in a
 * temporary directory (fsync off: test data only), or the server at TEST_DATABASE_URL — and one
 * template database migrated once. Each test file then clones the template (see test-db.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { runMigrations } from '../db/migrate.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of a maintenance database on the test server (for CREATE/DROP DATABASE) */
    testAdminUrl: string;
    /** name of the migrated template database */
    testTemplate: string;
  }
}

/** Replaces the database name in a postgres URL (works for socket URLs too). */
export function withDatabase(url: string, db: string): string {
  // Not `new URL`: socket URLs (`postgresql://u:p@/db?host=/dir`) have an empty host, which WHATWG URL rejects.
  const m = /^(postgres(?:ql)?:\/\/[^/?]*)(?:\/[^?]*)?(\?.*)?$/.exec(url);
  if (!m) throw new Error('not a postgres URL');
  return `${m[1]}/${db}${m[2] ?? ''}`;
}

export default async function setup(project: TestProject) {
  let adminUrl: string;
  let stop: () => Promise<void>;
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    adminUrl = external;
    stop = async () => {};
  } else {
    const { startEmbeddedPostgres } = await import('../db/embedded/index.js');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'crm-test-pg-'));
    const quiet = { info() {}, warn: (m: string) => console.warn(m), error: (m: string) => console.error(m) };
    const server = await startEmbeddedPostgres({ dataDir: dir, logger: quiet, ephemeral: true });
    adminUrl = server.urlFor('postgres');
    stop = async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }
  const template = `crm_tmpl_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${template}`);
  const pool = new pg.Pool({ connectionString: withDatabase(adminUrl, template), max: 1 });
  await runMigrations(pool);
  await pool.end();
  await admin.query(`ALTER DATABASE ${template} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
  await admin.end();
  project.provide('testAdminUrl', adminUrl);
  project.provide('testTemplate', template);

  return async () => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(`ALTER DATABASE ${template} WITH IS_TEMPLATE false`).catch(() => {});
    await c.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`).catch(() => {});
    await c.end();
    await stop();
  };
}
