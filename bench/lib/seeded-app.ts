/**
 * A seeded installation for the load benchmarks (scale-out, soak): a fresh PostgreSQL database
 * (embedded with fsync on, or on BENCH_DATABASE_URL), a realistic seed (staff and members, onboarding
 * records with steps, phone numbers and history, audit events sealed into the chain), and the built
 * server started on it as operators run it (DATABASE_URL, ENCRYPTION_KEY, PUBLIC_URL, sandbox mode
 * with a known app secret).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from '../../src/db/schema.js';
import { hashPassword } from '../../src/features/access/passwords.js';
import { sealChain } from '../../src/features/audit/chain/sealer.js';
import { systemClock } from '../../src/lib/clock.js';
import { seedAuditEvents } from './audit-seed.js';
import { ROOT, SERVER_ENTRY } from './build.js';
import { withDatabase } from './database.js';
import { request } from './http.js';
import { type Spawned, spawnCaptured } from './proc.js';
import { note } from './stats.js';

export const APP_SECRET = 'bench-scale-out-app-secret-0123456789abcdef';
export const PUBLIC_URL = 'http://crm.scale-out.test';
export const OWNER_EMAIL = 'bench.owner@example.test';
export const OWNER_PASSWORD = 'bench correct horse battery 42';

/** The basics of our environment only (no stray DATABASE_URL, META_APP_ID ...). */
export function baseEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR'].flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : [])));
}

/** Where the database lives: its URL, the postmaster pid when we run it, and how to tear it down. */
export interface Db {
  url: string;
  mode: 'embedded' | 'external';
  postmaster: number | null;
  close(): Promise<void>;
}

export async function openDb(): Promise<Db> {
  const name = `crm_bench_scale_out_${randomBytes(4).toString('hex')}`;
  const adminUrl = process.env.BENCH_DATABASE_URL;
  const admin = async (url: string, sql: (c: pg.Client) => string) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      await c.query(sql(c));
    } finally {
      await c.end().catch(() => undefined);
    }
  };
  if (adminUrl) {
    await admin(adminUrl, (c) => `CREATE DATABASE ${c.escapeIdentifier(name)}`);
    return {
      url: withDatabase(adminUrl, name),
      mode: 'external',
      postmaster: null,
      close: () => admin(adminUrl, (c) => `DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`),
    };
  }
  const { startEmbeddedPostgres } = await import('../../src/db/embedded/index.js');
  // a directory of its own directly under the temp dir: the server may run as another user (root starts it as postgres)
  const pgDir = await mkdtemp(path.join(os.tmpdir(), 'crm-bench-scale-out-pg-'));
  const quiet = { info() {}, warn: (m: string) => note(`postgres: ${m}`), error: (m: string) => note(`postgres: ${m}`) };
  // not ephemeral: fsync, synchronous_commit and full_page_writes stay on, as in production
  const removeDir = () => rm(pgDir, { recursive: true, force: true });
  let server: Awaited<ReturnType<typeof startEmbeddedPostgres>>;
  try {
    server = await startEmbeddedPostgres({ dataDir: pgDir, logger: quiet });
  } catch (err) {
    await removeDir();
    throw err;
  }
  const close = async () => {
    try {
      await server.stop();
    } finally {
      await removeDir();
    }
  };
  try {
    await admin(server.urlFor('postgres'), (c) => `CREATE DATABASE ${c.escapeIdentifier(name)}`);
  } catch (err) {
    await close();
    throw err;
  }
  return { url: server.urlFor(name), mode: 'embedded', postmaster: server.pid, close };
}

/** Extra users beside audit-seed's staff: viewers and operators, some invited or deactivated. */
const SEED_USERS_SQL = `
INSERT INTO users (email, display_name, role, status, created_at, updated_at, last_sign_in_at)
SELECT 'member' || i || '@example.test', 'Team Member ' || i,
  (ARRAY['viewer', 'viewer', 'operator', 'admin'])[1 + i % 4]::user_role,
  (ARRAY['active', 'active', 'active', 'invited', 'deactivated'])[1 + i % 5]::user_status,
  now() - i * interval '3 days', now() - i * interval '1 day', CASE WHEN i % 5 < 3 THEN now() - i * interval '1 hour' END
FROM generate_series(1, $1::int) AS i`;

/** Onboarding records in a realistic spread of states, started by staff members. */
const SEED_RECORDS_SQL = `
WITH staff AS (SELECT array_agg(id ORDER BY email) AS ids FROM users WHERE email LIKE 'staff%@example.test')
INSERT INTO onboarding_records (state, reason, attempt_id, started_by, business_id, waba_id, phone_number_id, meta_user_id, token_user_id,
  token_type, token_expires_at, token_scopes, token_verified_at, waba_name, business_name, session_event, error_code, error_message,
  created_at, updated_at, connected_at, meta_status)
SELECT s.state, CASE WHEN s.state IN ('failed', 'action_required') THEN 'Meta refused the step' END,
  'bench-attempt-' || i, staff.ids[1 + i % cardinality(staff.ids)],
  (200000000000 + i)::text, (300000000000 + i)::text, (400000000000 + i)::text, (500000000000 + i)::text, (600000000000 + i)::text,
  'SYSTEM_USER', NULL, '["whatsapp_business_management", "whatsapp_business_messaging"]'::jsonb, now() - i * interval '2 hours',
  'WABA ' || i, 'Business ' || i || ' Ltd', 'FINISH',
  CASE WHEN s.state = 'failed' THEN 100 END, CASE WHEN s.state = 'failed' THEN 'Invalid parameter' END,
  now() - i * interval '5 hours', now() - i * interval '2 hours', CASE WHEN s.state IN ('connected', 'disconnected') THEN now() - i * interval '4 hours' END,
  CASE WHEN i % 7 = 0 THEN jsonb_build_object('account_review', jsonb_build_object('decision', 'APPROVED', 'at', now())) ELSE '{}'::jsonb END
FROM generate_series(1, $1::int) AS i, staff,
  LATERAL (SELECT (ARRAY['connected', 'connected', 'connected', 'connected', 'failed', 'in_progress', 'action_required', 'abandoned', 'disconnected'])[1 + i % 9]::onboarding_state AS state) s`;

const SEED_STEPS_SQL = `
INSERT INTO onboarding_steps (record_id, run, step, status, attempt, started_at, finished_at, duration_ms, detail)
SELECT r.id, 1, st.step, CASE WHEN r.state = 'failed' AND st.step = 'subscribe' THEN 'failed' ELSE 'succeeded' END::onboarding_step_status, 1,
  r.created_at + st.n * interval '1 second', r.created_at + st.n * interval '1 second' + interval '300 ms', 300 + st.n * 10, '{}'::jsonb
FROM onboarding_records r CROSS JOIN unnest(enum_range(NULL::onboarding_step_name)) WITH ORDINALITY AS st(step, n)
WHERE r.state IN ('connected', 'disconnected', 'failed')`;

const SEED_PHONES_SQL = `
INSERT INTO onboarding_phone_numbers (record_id, phone_number_id, display_phone_number, verified_name, quality_rating, code_verification_status, name_status, platform_type, throughput, status, looked_up_at)
SELECT id, phone_number_id, '+1 555 01' || lpad((row_number() OVER ())::text, 2, '0'), business_name, 'GREEN', 'VERIFIED', 'APPROVED', 'CLOUD_API', 'STANDARD', 'CONNECTED', updated_at
FROM onboarding_records WHERE state IN ('connected', 'disconnected')`;

const SEED_HISTORY_SQL = `
INSERT INTO onboarding_record_history (record_id, phone_number_id, at, source, topic, before, after)
SELECT id, phone_number_id, updated_at - k * interval '1 hour', 'phone_number_quality_update', 'quality', jsonb_build_object('rating', 'YELLOW'), jsonb_build_object('rating', 'GREEN')
FROM onboarding_records, generate_series(1, 3) AS k WHERE state = 'connected'`;

/** Seeds everything once; returns the record ids (the record views cycle through them). */
export async function seed(pool: pg.Pool, sizes: { auditEvents: number; extraUsers: number; records: number }, label: string): Promise<string[]> {
  const t0 = performance.now();
  await seedAuditEvents(pool, sizes.auditEvents); // 200 staff users + the events
  await pool.query(SEED_USERS_SQL, [sizes.extraUsers]);
  await pool.query("INSERT INTO users (email, display_name, role, status, password_hash) VALUES ($1, 'Bench Owner', 'owner', 'active', $2)", [OWNER_EMAIL, await hashPassword(OWNER_PASSWORD)]);
  await pool.query(SEED_RECORDS_SQL, [sizes.records]);
  await pool.query(SEED_STEPS_SQL);
  await pool.query(SEED_PHONES_SQL);
  await pool.query(SEED_HISTORY_SQL);
  const seededS = (performance.now() - t0) / 1000;
  // the chain as a running app would have it: every seeded event sealed
  const sealed = await sealChain(drizzle(pool, { schema }), systemClock);
  const sealedS = (performance.now() - t0) / 1000 - seededS;
  for (const t of ['users', 'onboarding_records', 'onboarding_steps', 'onboarding_phone_numbers', 'onboarding_record_history', 'audit_chain']) await pool.query(`VACUUM (ANALYZE) ${t}`);
  const { rows } = await pool.query<{ id: string }>('SELECT id FROM onboarding_records ORDER BY created_at DESC');
  const { rows: n } = await pool.query<{ users: number }>('SELECT count(*)::int AS users FROM users');
  note(`${label}: seeded ${n[0]!.users} users, ${rows.length} onboarding records, ${sizes.auditEvents} audit events (${sealed} sealed) in ${((performance.now() - t0) / 1000).toFixed(1)} s (inserts ${seededS.toFixed(1)} s, sealing ${sealedS.toFixed(1)} s)`);
  return rows.map((r) => r.id);
}

export function startApp(port: number, dataDir: string, db: Db, key: string, nodeArgs: string[] = []): Spawned {
  const env = {
    ...baseEnv(),
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    META_APP_SECRET: APP_SECRET,
    PUBLIC_URL,
    DATABASE_URL: db.url,
    ENCRYPTION_KEY: key,
  };
  return spawnCaptured(process.execPath, [...nodeArgs, SERVER_ENTRY], { cwd: ROOT, env });
}

/** Signs the owner in over HTTP; returns the Cookie header (crm_session) to send back. */
export async function signIn(port: number): Promise<string> {
  const res = await request(port, {
    method: 'POST',
    path: '/api/v1/auth/sign-in',
    headers: { origin: PUBLIC_URL, 'x-csrf-protection': '1', 'content-type': 'application/json', 'user-agent': 'crm-bench/1' },
    body: JSON.stringify({ email: OWNER_EMAIL, password: OWNER_PASSWORD }),
    timeoutMs: 15_000,
  });
  if (res.status !== 200) throw new Error(`sign-in answered ${res.status}: ${res.body.slice(0, 300)}`);
  const session = [res.headers['set-cookie'] ?? []].flat().map((c) => c.split(';')[0]!).find((c) => c.startsWith('crm_session='));
  if (!session) throw new Error('sign-in set no crm_session cookie');
  return session;
}

