/**
 * SIGKILL during writes (issue #11, faults): the process dies with no chance to clean up, in the
 * middle of (1) user changes through the API under concurrent load, (2) a key rotation run by the
 * CLI and (3) a retention purge run by the CLI. After a restart every acknowledged write is there, and the interrupted operation either
 * resumes (the rotation's committed batches stay, the next run finishes) or left nothing half-done
 * (every secret decrypts, under the old key or the new one, never neither).
 * (Webhook ingest has its own kill test: src/features/webhooks/webhooks.process.db.test.ts; onboarding
 * steps and privacy request processing: src/crash-jobs.process.db.test.ts; SIGTERM:
 * src/graceful-shutdown.process.db.test.ts.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from './db/client.js';
import { hashPassword } from './features/access/passwords.js';
import { insertUser } from './features/access/users.repo.js';
import { loadKeyRing } from './features/vault/keyring.js';
import { putSecret, useSecret } from './features/vault/vault.service.js';
import type { SecretRef } from './features/vault/vault.types.js';
import { createOwnDatabase, killChildren, freePort, spawnServer, waitReady, type ServerProcess } from './test-support/server-process.js';

let ownDb: Awaited<ReturnType<typeof createOwnDatabase>> | undefined;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'crm-crash-'));
const children: ChildProcess[] = [];
const K1 = `k1:${randomBytes(32).toString('base64')}`;
const K2 = `k2:${randomBytes(32).toString('base64')}`;
const PUBLIC_URL = 'http://127.0.0.1:3999';
const OWNER = { email: 'owner@crash.test', password: 'owner passphrase that survives crashes' };
let url: string;
let database: Database;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  ownDb = await createOwnDatabase('crm_crash');
  url = ownDb.url;
  env = { ...process.env, DATA_DIR: dataDir, HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATABASE_URL: url, ENCRYPTION_KEYS: K1, PUBLIC_URL };
  for (const k of ['META_APP_ID', 'TEST_DATABASE_URL', 'ENCRYPTION_KEY', 'SANDBOX']) delete env[k];
  // first start migrates the database
  const first = await startApp();
  first.child.kill('SIGKILL');
  await first.exited;
  database = openDatabase(url, { max: 4 });
  await insertUser(database.db, { email: OWNER.email, displayName: 'Crash Owner', role: 'owner', status: 'active', passwordHash: await hashPassword(OWNER.password), at: new Date() });
}, 150_000);

afterAll(async () => {
  await killChildren(children);
  await database?.close();
  await ownDb?.drop();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

async function startApp(): Promise<ServerProcess> {
  const port = await freePort();
  const p = spawnServer(port, { ...env, PORT: String(port) }, children, 50_000);
  await waitReady(p, 90_000);
  return p;
}

/** `npm run cli -- <args>` as a child process that the test may kill. */
function cli(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  return { child, out: () => out, exited: new Promise<number | null>((r) => child.on('exit', (code) => r(code))) };
}

async function signIn(p: ServerProcess): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${p.port}/api/v1/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: PUBLIC_URL, 'x-csrf-protection': '1' },
    body: JSON.stringify(OWNER),
  });
  expect(res.status).toBe(200);
  return /crm_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')![1]!;
}

describe('SIGKILL during writes', () => {
  it('keeps every acknowledged user change when the server is killed under load', async () => {
    const app = await startApp();
    const cookie = `crm_session=${await signIn(app)}`;
    const acked: string[] = [];
    let n = 0;
    let killed = false;
    const worker = async () => {
      while (!killed) {
        const email = `invitee-${n++}@crash.test`;
        try {
          const res = await fetch(`http://127.0.0.1:${app.port}/api/v1/users/invitations`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', origin: PUBLIC_URL, 'x-csrf-protection': '1', cookie },
            body: JSON.stringify({ email, displayName: `Invitee ${n}`, role: 'viewer' }),
            signal: AbortSignal.timeout(20_000),
          });
          await res.arrayBuffer();
          if (res.status === 201) acked.push(email);
          else expect(res.status).toBe(201);
          if (acked.length === 60 && !killed) {
            killed = true;
            app.child.kill('SIGKILL');
          }
        } catch (e) {
          if (!killed) throw e;
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    await app.exited;

    const again = await startApp();
    const stored = (await database.db.execute<{ email: string; status: string }>(sql`SELECT email, status FROM users WHERE email LIKE 'invitee-%'`)).rows;
    const byEmail = new Map(stored.map((r) => [r.email, r.status]));
    expect(acked.filter((e) => byEmail.get(e) !== 'invited')).toEqual([]);
    // the audit trail has an event for every stored invitation: the write and its audit committed together
    const audited = (await database.db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM audit_events WHERE action = 'user.invited'`)).rows[0]!.n;
    expect(audited).toBe(stored.length);
    // and the restarted server serves the new users
    const list = await fetch(`http://127.0.0.1:${again.port}/api/v1/users?limit=100&status=invited`, { headers: { cookie: `crm_session=${await signIn(again)}` } });
    expect(list.status).toBe(200);
    again.child.kill('SIGKILL');
    await again.exited;
  }, 120_000);

  it('resumes a key rotation killed mid-run: every secret decrypts, and the next run finishes under the new key', async () => {
    const COUNT = 3000;
    const old = loadKeyRing({ keys: K1, dataDir: '/nonexistent', embedded: false });
    const both = loadKeyRing({ keys: `${K2},${K1}`, dataDir: '/nonexistent', embedded: false });
    const refOf = (i: number): SecretRef => ({ ownerType: 'onboarding', ownerId: `crash-${i}`, purpose: 'waba_token' });
    const valueOf = (i: number) => `EAAG-crash-canary-${i}`;
    for (let from = 0; from < COUNT; from += 500) {
      await database.db.transaction(async (tx) => {
        for (let i = from; i < Math.min(COUNT, from + 500); i++) await putSecret(tx, old, refOf(i), valueOf(i));
      });
    }
    const perKey = async () =>
      Object.fromEntries((await database.db.execute<{ key_id: string; n: number }>(sql`SELECT key_id, count(*)::int AS n FROM vault_secrets WHERE owner_id LIKE 'crash-%' GROUP BY key_id`)).rows.map((r) => [r.key_id, r.n]));

    const rotate = () => cli(['rotate-key', '--batch-size', '25'], { ENCRYPTION_KEYS: `${K2},${K1}` });
    const first = rotate();
    // kill it once some batches have committed and many remain
    const deadline = Date.now() + 60_000;
    while (((await perKey()).k2 ?? 0) < 100) {
      expect(Date.now(), first.out()).toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 20));
    }
    first.child.kill('SIGKILL');
    await first.exited;
    const mid = await perKey();
    expect(mid.k2).toBeGreaterThanOrEqual(100);
    expect(mid.k1).toBeGreaterThan(0);
    expect((mid.k1 ?? 0) + (mid.k2 ?? 0)).toBe(COUNT);

    // nothing half-done: a sample from both sides decrypts with the two-key ring
    const cliActor = { actorType: 'cli', actorId: null, requestId: null } as const;
    for (let i = 0; i < COUNT; i += 97) expect(await useSecret(database.db, both, refOf(i), 'crash_test', cliActor, async (v) => v)).toBe(valueOf(i));

    const second = rotate();
    expect(await second.exited, second.out()).toBe(0);
    expect(await perKey()).toEqual({ k2: COUNT });
    const onlyNew = loadKeyRing({ keys: K2, dataDir: '/nonexistent', embedded: false });
    for (let i = 0; i < COUNT; i += 97) expect(await useSecret(database.db, onlyNew, refOf(i), 'crash_test', cliActor, async (v) => v)).toBe(valueOf(i));
    expect(second.out()).not.toContain('EAAG-crash-canary');
  }, 150_000);

  it('finishes a retention purge killed mid-run with the next run, closes the dead run, and keeps the audit chain whole', async () => {
    const OLD = 150_000;
    await database.pool.query(
      `INSERT INTO login_activity (at, attempted_email, result, reason, ip, method)
       SELECT now() - interval '800 days' - (g || ' seconds')::interval, 'probe-' || g || '@crash.test', 'failure', 'unknown_user', '203.0.113.7', 'password'
       FROM generate_series(1, ${OLD}) g`,
    );
    const old = async () => (await database.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM login_activity WHERE at < now() - interval '700 days'`)).rows[0]!.n;
    // the ring the rotation test left in use (k2 current, k1 still listed); also fine when it did not run
    const ring = { ENCRYPTION_KEYS: `${K2},${K1}` };
    const first = cli(['purge'], ring);
    const deadline = Date.now() + 60_000;
    while ((await old()) > OLD - 10_000) {
      expect(Date.now(), first.out()).toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 10));
    }
    first.child.kill('SIGKILL');
    await first.exited;
    const left = await old();
    expect(left).toBeGreaterThan(0); // killed mid-run, not after
    const open = await database.pool.query<{ id: number }>('SELECT id FROM purge_runs WHERE finished_at IS NULL');
    expect(open.rows).toHaveLength(1);

    const second = cli(['purge'], ring);
    expect(await second.exited, second.out()).toBe(0);
    expect(await old()).toBe(0);
    const runs = (await database.pool.query<{ id: number; finished: boolean; error: string | null }>('SELECT id, finished_at IS NOT NULL AS finished, error FROM purge_runs ORDER BY id')).rows;
    expect(runs).toHaveLength(2);
    expect(runs[0]).toMatchObject({ id: open.rows[0]!.id, finished: true, error: expect.stringMatching(/^interrupted/) });
    expect(runs[1]).toMatchObject({ finished: true, error: null });

    const verify = cli(['verify-audit'], ring);
    expect(await verify.exited, verify.out()).toBe(0);
  }, 150_000);
});
