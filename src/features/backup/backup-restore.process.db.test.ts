/**
 * Backup and restore as an operator runs them: the real CLI (`tsx src/cli/main.ts`) against
 * databases on the db project's server, and the real server started on the restored database.
 * A populated database is backed up, a user is erased after the backup, and the backup is
 * restored into a fresh database with the erasure log: every record is back, secrets decrypt, the
 * owner signs in, the erased user stays erased. Wrong key, corrupt file, newer schema and unknown
 * erasure kinds are refused before anything is written.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, type Database } from '../../db/client.js';
import { sealChain } from '../audit/chain/sealer.js';
import { countUnchained } from '../audit/chain/chain.repo.js';
import { deidentifyUser } from '../access/users-admin.repo.js';
import { hashPassword } from '../access/passwords.js';
import { verifyKeyRing } from '../vault/key-check.js';
import { loadKeyRing, type KeyRing } from '../vault/keyring.js';
import { putSecret, useSecret } from '../vault/vault.service.js';
import { systemClock } from '../../lib/clock.js';
import { withDatabase } from '../../test-support/global-db.js';
import { freePort, spawnServer, waitReady } from '../../test-support/server-process.js';
import { TRAILER_LENGTH } from './backup-format.js';
import { recordErasure } from './erasure-log.js';
import { advanceXidPast } from './xid.js';

const KEY = randomBytes(32).toString('base64');
const WRONG_KEY = randomBytes(32).toString('base64');
const PUBLIC_URL = 'http://crm.backup.test';
const suffix = randomBytes(4).toString('hex');
const SRC = `crm_bk_src_${suffix}`;
const DST = `crm_bk_dst_${suffix}`;
const dir = mkdtempSync(path.join(os.tmpdir(), 'crm-backup-'));
const backupFile = path.join(dir, 'crm.backup');
const erasureFile = path.join(dir, 'erasures.jsonl');
const children: ChildProcess[] = [];
const SECRET = 'EAAG-the-business-token-' + randomBytes(6).toString('hex');

let admin: string;
let src: Database;
let dst: Database;
let ring: KeyRing;
let ownerId: string;
let leaverId: string;
let recordId: string;

function env(db: string, key = KEY): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dir, DATABASE_URL: withDatabase(admin, db), ENCRYPTION_KEY: key, LOG_LEVEL: 'warn', PUBLIC_URL };
  for (const k of ['TEST_DATABASE_URL', 'ENCRYPTION_KEYS', 'DATABASE_MIGRATION_URL', 'META_APP_ID', 'SANDBOX', 'SMTP_URL', 'METRICS_TOKEN']) delete e[k];
  return e;
}

function cli(db: string, args: string[], key = KEY): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env: env(db, key), stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

const one = async <T extends pg.QueryResultRow>(db: Database, text: string, params: unknown[] = []) => (await db.pool.query<T>(text, params)).rows[0]!;
const count = async (db: Database, table: string) => Number((await one<{ n: string }>(db, `SELECT count(*) AS n FROM ${table}`)).n);

/** Tables with rows in `db` other than the key check values the CLI writes when it opens a database. */
async function tablesWithRows(db: Database): Promise<string[]> {
  const tables = await db.pool.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'vault_key_checks' ORDER BY 1");
  const out: string[] = [];
  for (const { t } of tables.rows) if ((await count(db, `"${t}"`)) > 0) out.push(t);
  return out;
}

/** A copy of the backup with its header changed and the checksum made right again. */
function withHeader(edit: (h: { schema: { migrationCount: number; migrations: { hash: string; createdAt: number }[] } }) => void): string {
  const buf = readFileSync(backupFile);
  const content = buf.subarray(0, buf.length - TRAILER_LENGTH).toString('utf8');
  const lines = content.split('\n');
  const header = JSON.parse(lines[1]!) as Parameters<typeof edit>[0];
  edit(header);
  lines[1] = JSON.stringify(header);
  const changed = lines.join('\n');
  const file = path.join(dir, `edited-${randomBytes(3).toString('hex')}.backup`);
  writeFileSync(file, `${changed}SHA256 ${createHash('sha256').update(changed).digest('hex')}\n`);
  return file;
}

beforeAll(async () => {
  admin = inject('testAdminUrl');
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE ${SRC} TEMPLATE ${inject('testTemplate')}`);
  await c.query(`CREATE DATABASE ${DST}`);
  await c.end();
  src = openDatabase(withDatabase(admin, SRC), { max: 3 });
  dst = openDatabase(withDatabase(admin, DST), { max: 3 });
  ring = loadKeyRing({ key: KEY, dataDir: dir, embedded: false });
  await verifyKeyRing(src.db, ring);

  // a populated database: users with sessions and sign-ins, an onboarding record with its token
  // in the vault, audit events (sealed into the chain) with personal values, a webhook event
  const hash = await hashPassword('owner-password-1234');
  ownerId = (await one<{ id: string }>(src, "INSERT INTO users (email, display_name, role, status, password_hash) VALUES ('owner@backup.test', 'Olive Owner', 'owner', 'active', $1) RETURNING id", [hash])).id;
  leaverId = (await one<{ id: string }>(src, "INSERT INTO users (email, display_name, role, status, password_hash) VALUES ('leaver@backup.test', 'Lee Leaver', 'viewer', 'active', $1) RETURNING id", [hash])).id;
  for (const u of [ownerId, leaverId]) {
    await src.pool.query("INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, now() + interval '1 day')", [randomBytes(16).toString('hex'), u]);
    await src.pool.query("INSERT INTO login_activity (user_id, result, ip, user_agent) VALUES ($1, 'success', '203.0.113.7', 'test-agent')", [u]);
  }
  recordId = (await one<{ id: string }>(src, "INSERT INTO onboarding_records (attempt_id, state, waba_id, meta_user_id, business_name) VALUES ('attempt-1', 'connected', 'waba-77', 'meta-user-9', 'Acme Ltd') RETURNING id")).id;
  await src.db.transaction((tx) => putSecret(tx, ring, { ownerType: 'onboarding', ownerId: recordId, purpose: 'waba_token' }, SECRET));
  for (const [i, subject] of [ownerId, leaverId, leaverId].entries()) {
    const ev = await one<{ id: number }>(src, "INSERT INTO audit_events (actor_type, actor_id, action, target_type, target_id, details) VALUES ('user', $1, 'user.profile_updated', 'user', $2, $3) RETURNING id", [ownerId, subject, JSON.stringify({ n: i })]);
    await src.pool.query("INSERT INTO audit_personal_values (event_id, field, kind, subject_type, subject_id, value) VALUES ($1, 'displayName', 'after', 'user', $2, 'Some Name')", [ev.id, subject]);
  }
  await sealChain(src.db, systemClock);
  await src.pool.query("INSERT INTO webhook_events (received_at, field, waba_id, dedupe_key, size_bytes, state, summary) VALUES (now(), 'account_update', 'waba-77', 'dedupe-1', 120, 'processed', '{\"event\":\"x\"}')");
}, 60_000);

afterAll(async () => {
  const running = children.filter((ch) => ch.exitCode === null && ch.signalCode === null);
  await Promise.all(running.map((ch) => new Promise((r) => ch.once('exit', r).kill('SIGKILL'))));
  await src?.close();
  await dst?.close();
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  for (const db of [SRC, DST]) await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => undefined);
  await c.end();
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run cli -- backup / restore', () => {
  it('writes a 0600 backup that holds the key check value but never the key or a secret', async () => {
    const r = await cli(SRC, ['backup', backupFile]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Backup written to .*crm\.backup: \d+ tables/);
    expect(statSync(backupFile).mode & 0o777).toBe(0o600);
    const text = readFileSync(backupFile, 'utf8');
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(Buffer.from(KEY, 'base64').toString('hex'));
    expect(text).not.toContain(SECRET);
    const header = JSON.parse(text.split('\n')[1]!) as { keyChecks: { keyId: string }[]; secretKeyIds: string[]; tables: { name: string }[]; schema: { migrationCount: number } };
    expect(header.keyChecks.map((k) => k.keyId)).toEqual(['k1']);
    expect(header.secretKeyIds).toEqual(['k1']);
    const appTables = await src.pool.query<{ t: string }>('SELECT tablename AS t FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1');
    expect(header.tables.map((t) => t.name).sort()).toEqual(appTables.rows.map((x) => x.t));
    // referenced tables come first: users before sessions, onboarding records before their steps
    const order = header.tables.map((t) => t.name);
    expect(order.indexOf('users')).toBeLessThan(order.indexOf('sessions'));
    expect(order.indexOf('onboarding_records')).toBeLessThan(order.indexOf('onboarding_steps'));
    expect(header.schema.migrationCount).toBe(Number((await one<{ n: string }>(src, 'SELECT count(*) AS n FROM drizzle.__drizzle_migrations')).n));
  }, 90_000);

  it('after the backup, a user is erased and the erasure log is exported without personal data', async () => {
    await src.db.transaction(async (tx) => {
      await deidentifyUser(tx, leaverId, `removed-user-${leaverId.replace(/-/g, '').slice(0, 12)}`, new Date());
      await tx.execute(sql`DELETE FROM login_activity WHERE user_id = ${leaverId}`);
      await recordErasure(tx, { subjectType: 'user', subjectId: leaverId, action: 'user_deleted', details: { requestId: null } });
    });
    const r = await cli(SRC, ['erasure-log', 'export', erasureFile]);
    expect(r.status, r.stderr).toBe(0);
    const lines = readFileSync(erasureFile, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1]!)).toMatchObject({ subjectType: 'user', subjectId: leaverId, action: 'user_deleted' });
    expect(readFileSync(erasureFile, 'utf8')).not.toMatch(/leaver@|Lee Leaver|203\.0\.113/);
  }, 60_000);

  it('refuses a wrong key, a corrupt file, a newer schema and an unknown erasure kind before writing anything', async () => {
    const wrong = await cli(DST, ['restore', backupFile], WRONG_KEY);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/wrong encryption key for this backup: .*key k1 does not match/);
    expect(await tablesWithRows(dst)).toEqual([]);

    const bytes = readFileSync(backupFile);
    const corrupt = Buffer.from(bytes);
    const at = bytes.indexOf('owner@backup.test');
    corrupt[at] = corrupt[at]! ^ 0x01; // one byte: 'o' becomes 'n'
    const corruptFile = path.join(dir, 'corrupt.backup');
    writeFileSync(corruptFile, corrupt);
    const bad = await cli(DST, ['restore', corruptFile]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('the backup is corrupt or incomplete (checksum mismatch');
    const truncatedFile = path.join(dir, 'truncated.backup');
    writeFileSync(truncatedFile, bytes.subarray(0, bytes.length - 200));
    expect((await cli(DST, ['restore', truncatedFile])).stderr).toContain('the backup is corrupt or incomplete');
    expect(await tablesWithRows(dst)).toEqual([]);

    const newer = withHeader((h) => {
      h.schema.migrations.push({ hash: 'f'.repeat(64), createdAt: 4_102_444_800_000 });
      h.schema.migrationCount++;
    });
    const nr = await cli(DST, ['restore', newer]);
    expect(nr.status).toBe(1);
    expect(nr.stderr).toMatch(/the backup comes from a newer version of the application \(\d+ migrations; this version knows \d+\)/);

    const badErasures = path.join(dir, 'unknown-erasures.jsonl');
    writeFileSync(badErasures, `${readFileSync(erasureFile, 'utf8')}${JSON.stringify({ id: 999, at: new Date().toISOString(), subjectType: 'user', subjectId: leaverId, action: 'frobnicate', details: {} })}\n`);
    const ue = await cli(DST, ['restore', backupFile, '--erasures', badErasures]);
    expect(ue.status).toBe(1);
    expect(ue.stderr).toContain('unknown action "frobnicate"');
    expect(await tablesWithRows(dst)).toEqual([]);
  }, 180_000);

  it('restores into the fresh database with the erasures: records back, secrets readable, the erased user stays erased', async () => {
    const r = await cli(DST, ['restore', backupFile, '--erasures', erasureFile]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('1 later erasure(s) applied again');

    // every record of the backup is there (sessions are dropped on purpose)
    for (const t of ['users', 'onboarding_records', 'vault_secrets', 'audit_events', 'audit_chain', 'webhook_events']) {
      expect(await count(dst, t), t).toBe(await count(src, t));
    }
    expect(await count(dst, 'sessions')).toBe(0);
    const owner = await one<{ email: string; status: string }>(dst, 'SELECT email, status::text AS status FROM users WHERE id = $1', [ownerId]);
    expect(owner).toEqual({ email: 'owner@backup.test', status: 'active' });
    expect(await one(dst, 'SELECT waba_id, meta_user_id, business_name FROM onboarding_records WHERE id = $1', [recordId])).toEqual({ waba_id: 'waba-77', meta_user_id: 'meta-user-9', business_name: 'Acme Ltd' });
    const plaintext = await useSecret(dst.db, ring, { ownerType: 'onboarding', ownerId: recordId, purpose: 'waba_token' }, 'backup_test', { actorType: 'system', actorId: null, requestId: null }, async (p) => p);
    expect(plaintext).toBe(SECRET);

    // the user erased after the backup is erased again
    const leaver = await one<{ email: string; display_name: string; status: string; password_hash: string | null }>(dst, 'SELECT email, display_name, status::text AS status, password_hash FROM users WHERE id = $1', [leaverId]);
    expect(leaver.status).toBe('removed');
    expect(leaver.email).toMatch(/^removed-user-/);
    expect(leaver.password_hash).toBeNull();
    expect(Number((await one<{ n: string }>(dst, 'SELECT count(*) AS n FROM login_activity WHERE user_id = $1', [leaverId])).n)).toBe(0);
    expect(Number((await one<{ n: string }>(dst, "SELECT count(*) AS n FROM audit_personal_values WHERE subject_type = 'user' AND subject_id = $1", [leaverId])).n)).toBe(0);
    expect(Number((await one<{ n: string }>(dst, "SELECT count(*) AS n FROM audit_personal_values WHERE subject_type = 'user' AND subject_id = $1", [ownerId])).n)).toBe(1);
    expect(await count(dst, 'erasure_log')).toBe(1);

    // a second restore into it is refused: it holds data now
    const again = await cli(DST, ['restore', backupFile]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('the target database already holds data');
  }, 120_000);

  it('the app starts on the restored database: the owner signs in, finds the records, and new audit events are chained', async () => {
    const port = await freePort();
    const server = spawnServer(port, { ...env(DST), PORT: String(port), HOST: '127.0.0.1', META_APP_SECRET: 'backup-test-secret' }, children);
    await waitReady(server, 60_000);
    const base = `http://127.0.0.1:${port}`;
    const headers = { origin: PUBLIC_URL, 'x-csrf-protection': '1', 'content-type': 'application/json' };
    const signIn = await fetch(`${base}/api/v1/auth/sign-in`, { method: 'POST', headers, body: JSON.stringify({ email: 'owner@backup.test', password: 'owner-password-1234' }) });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.startsWith('crm_session='))!;
    const leaverSignIn = await fetch(`${base}/api/v1/auth/sign-in`, { method: 'POST', headers, body: JSON.stringify({ email: 'leaver@backup.test', password: 'owner-password-1234' }) });
    expect(leaverSignIn.status).toBe(401);
    const users = (await (await fetch(`${base}/api/v1/users`, { headers: { ...headers, cookie } })).json()) as { items: { id: string }[] };
    expect(users.items.map((u) => u.id)).toContain(ownerId);
    const record = await fetch(`${base}/api/v1/onboarding/${recordId}`, { headers: { ...headers, cookie } });
    expect(record.status).toBe(200);
    expect(JSON.stringify(await record.json())).toContain('waba-77');
    // the sign-in wrote login activity and audit events past the restored ids (sequences reset),
    // and the sealer chains them after the restored links
    const deadline = Date.now() + 20_000;
    while ((await countUnchained(dst.db)) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect(await countUnchained(dst.db)).toBe(0);
    expect(await count(dst, 'audit_chain')).toBeGreaterThan(await count(src, 'audit_chain'));
    server.child.kill('SIGTERM');
    await server.exited;
  }, 120_000);

  it('restores into a fresh embedded DATA_DIR (the path across PostgreSQL major versions), and the app chains new audit events there', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'crm-restore-'));
    const embeddedEnv = (): NodeJS.ProcessEnv => {
      const e: NodeJS.ProcessEnv = { ...env(DST), DATA_DIR: dataDir };
      delete e.DATABASE_URL;
      return e;
    };
    try {
      const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'restore', backupFile, '--erasures', erasureFile], { env: embeddedEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
        children.push(child);
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += String(d)));
        child.stderr.on('data', (d) => (stderr += String(d)));
        child.on('exit', (status) => resolve({ status, stdout, stderr }));
      });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain('1 later erasure(s) applied again');

      const port = await freePort();
      const server = spawnServer(port, { ...embeddedEnv(), PORT: String(port), HOST: '127.0.0.1', META_APP_SECRET: 'backup-test-secret' }, children);
      await waitReady(server, 60_000);
      const base = `http://127.0.0.1:${port}`;
      const headers = { origin: PUBLIC_URL, 'x-csrf-protection': '1', 'content-type': 'application/json' };
      const signIn = await fetch(`${base}/api/v1/auth/sign-in`, { method: 'POST', headers, body: JSON.stringify({ email: 'owner@backup.test', password: 'owner-password-1234' }) });
      expect(signIn.status).toBe(200);
      const cookie = signIn.headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.startsWith('crm_session='))!;
      const restoredLinks = await count(src, 'audit_chain');
      // a recorded verification is itself an audit event, written by this younger server
      expect((await fetch(`${base}/api/v1/audit/verify`, { method: 'POST', headers: { ...headers, cookie }, body: '{}' })).status).toBe(200);
      let report: { ok: boolean; headPosition: number; firstBreak: unknown } = { ok: false, headPosition: 0, firstBreak: null };
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        report = (await (await fetch(`${base}/api/v1/audit/verify`, { headers: { ...headers, cookie } })).json()) as typeof report;
        if (report.headPosition > restoredLinks) break;
        await new Promise((res) => setTimeout(res, 300));
      }
      // the new event was chained after the restored links, and the whole chain verifies
      expect(report.headPosition, JSON.stringify(report)).toBeGreaterThan(restoredLinks);
      expect(report.ok, JSON.stringify(report)).toBe(true);
      expect(report.firstBreak).toBeNull();
      server.child.kill('SIGTERM');
      await server.exited;
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);

  it('moves a younger server past the backup transaction ids (the audit chain orders by them)', async () => {
    const before = BigInt((await one<{ x: string }>(dst, 'SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS x')).x);
    const used = await advanceXidPast(dst.pool, (before + 2500n).toString());
    const after = BigInt((await one<{ x: string }>(dst, 'SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS x')).x);
    expect(after).toBeGreaterThan(before + 2500n);
    expect(used).toBeGreaterThanOrEqual(2500n);
  });
});
