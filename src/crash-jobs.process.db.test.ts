/**
 * SIGKILL during long-running work (issue #11, faults). (1) Onboarding: a standalone Meta simulator
 * over real HTTP holds one attempt's register call and another's code exchange while the server
 * dies. After a restart the start-up sweep takes over the dead register step (connected once, the
 * stored PIN reused, the exchange not repeated), and ends the attempt whose exchange died (the code
 * is spent at Meta) as failed, asking for Embedded Signup again, with nothing half-stored. (2) A
 * privacy deletion request killed in the middle of its erasure transaction leaves the account
 * untouched and the request workable; it is then fulfilled exactly once. User changes, key rotation
 * and purge: src/crash-writes.process.db.test.ts; webhook ingest:
 * src/features/webhooks/webhooks.process.db.test.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { hashPassword } from './features/access/passwords.js';
import { insertUser } from './features/access/users.repo.js';
import { metaAppOf } from './features/sandbox/sandbox-meta.js';
import { loadKeyRing } from './features/vault/keyring.js';
import { createMetaSimulator, registerSimulatorRoutes, SEED, type MetaSimulator } from './meta-simulator/index.js';
import { openDatabase, type Database } from './db/client.js';
import { createOwnDatabase, killChildren, freePort, spawnServer, waitReady, type ServerProcess } from './test-support/server-process.js';

let ownDb: Awaited<ReturnType<typeof createOwnDatabase>> | undefined;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'crm-crash-jobs-'));
const children: ChildProcess[] = [];
const KEYS = `k1:${randomBytes(32).toString('base64')}`;
const PUBLIC_URL = 'http://127.0.0.1:3998';
const OWNER = { email: 'owner@crash-jobs.test', password: 'owner passphrase that outlives the process' };
/** A running step is taken for lost after this long (ONBOARDING_STALE_STEP_SECONDS; default 2 minutes). */
const STALE_S = 3;
let url: string;
let database: Database;
let env: NodeJS.ProcessEnv;
let meta: HeldSimulator;

/** A Meta simulator on its own listener that counts Graph calls by path and can hold the calls to some paths. */
interface HeldSimulator {
  simulator: MetaSimulator;
  url: string;
  /** method and path (no query string: it carries codes and tokens) of every call, in order */
  calls: string[];
  /** holds the calls whose path matches until release(); `arrived` resolves at the first */
  hold(pathPattern: RegExp): { arrived: Promise<void>; release: () => void };
  close(): Promise<void>;
}

async function startHeldSimulator(appId: string, appSecret: string): Promise<HeldSimulator> {
  const simulator = createMetaSimulator({ appId, appSecret });
  const app = Fastify({ logger: false, forceCloseConnections: true });
  const calls: string[] = [];
  const holds = new Set<{ pattern: RegExp; arrived: () => void; gate: Promise<void> }>();
  app.addHook('onRequest', async (req) => {
    calls.push(`${req.method} ${req.url.split('?')[0]!}`);
  });
  // held once its body is read: released after the caller died, Meta still carries the call out
  app.addHook('preHandler', async (req) => {
    const path = req.url.split('?')[0]!;
    for (const h of holds) {
      if (!h.pattern.test(path)) continue;
      h.arrived();
      await h.gate;
    }
  });
  await registerSimulatorRoutes(app, simulator, { prefix: '' });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    simulator,
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    calls,
    hold(pattern) {
      let arrived!: () => void;
      let open!: () => void;
      const h = { pattern, arrived: () => arrived(), gate: new Promise<void>((r) => (open = r)) };
      const arrivedP = new Promise<void>((r) => (arrived = r));
      holds.add(h);
      return {
        arrived: arrivedP,
        release: () => {
          holds.delete(h);
          open();
        },
      };
    },
    close: () => app.close(),
  };
}

beforeAll(async () => {
  ownDb = await createOwnDatabase('crm_crash_jobs');
  url = ownDb.url;
  // the sandbox Meta app the server derives from its key ring, served by a simulator in this process
  // (it outlives the server it answers, as Meta does)
  const config = loadConfig({ DATA_DIR: dataDir, DATABASE_URL: url, ENCRYPTION_KEYS: KEYS });
  const app = metaAppOf(config, loadKeyRing({ keys: KEYS, dataDir, embedded: false }));
  meta = await startHeldSimulator(app.appId, app.appSecret);
  env = {
    ...process.env,
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DATABASE_URL: url,
    ENCRYPTION_KEYS: KEYS,
    PUBLIC_URL,
    META_GRAPH_URL: meta.url,
    ONBOARDING_STALE_STEP_SECONDS: String(STALE_S),
  };
  for (const k of ['META_APP_ID', 'META_APP_SECRET', 'TEST_DATABASE_URL', 'ENCRYPTION_KEY', 'SANDBOX', 'SMTP_URL']) delete env[k];
  // the first start migrates the database
  const first = await startApp();
  first.child.kill('SIGKILL');
  await first.exited;
  database = openDatabase(url, { max: 4 });
  await insertUser(database.db, { email: OWNER.email, displayName: 'Crash Owner', role: 'owner', status: 'active', passwordHash: await hashPassword(OWNER.password), at: new Date() });
}, 150_000);

afterAll(async () => {
  await killChildren(children);
  await database?.close();
  await meta?.close();
  await ownDb?.drop();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

async function startApp(): Promise<ServerProcess> {
  const port = await freePort();
  const p = spawnServer(port, { ...env, PORT: String(port) }, children, 50_000);
  await waitReady(p, 90_000);
  return p;
}

async function kill(p: ServerProcess): Promise<void> {
  p.child.kill('SIGKILL');
  await p.exited;
}

const q = async <T extends pg.QueryResultRow>(text: string, values: unknown[] = []) => (await database.pool.query<T>(text, values)).rows;

/** A signed-in API client of one server process. */
async function apiOf(p: ServerProcess) {
  const headers = { 'content-type': 'application/json', origin: PUBLIC_URL, 'x-csrf-protection': '1' };
  const signIn = await fetch(`http://127.0.0.1:${p.port}/api/v1/auth/sign-in`, { method: 'POST', headers, body: JSON.stringify(OWNER) });
  expect(signIn.status).toBe(200);
  const cookie = `crm_session=${/crm_session=([^;]+)/.exec(signIn.headers.get('set-cookie') ?? '')![1]!}`;
  const call = async (method: string, route: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${p.port}${route}`, { method, headers: { ...headers, cookie }, ...(body === undefined ? {} : { body: JSON.stringify(body) }), signal: AbortSignal.timeout(30_000) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, text };
  };
  return { get: (u: string) => call('GET', u), post: (u: string, body: unknown = {}) => call('POST', u, body) };
}

/** Polls `fn` until it returns a truthy value; fails with `what` after `ms`. */
async function until<T>(what: string, fn: () => Promise<T>, ms = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('SIGKILL during long-running work', () => {
  it('one kill, two onboardings: the one at register resumes and connects once with its stored PIN; the one mid-exchange fails cleanly, and a new attempt connects', async () => {
    const LS = SEED.luckyShrub;
    const JM = { businessId: SEED.jaspersMarket.businessId, wabaId: SEED.jaspersMarket.usWabaId, phoneNumberId: SEED.jaspersMarket.usPhoneNumberIds[0] };
    const app = await startApp();
    const api = await apiOf(app);
    const begin = async () => {
      const r = await api.post('/api/v1/onboarding/attempts');
      expect(r.status).toBe(201);
      return r.body as { recordId: string; attemptId: string };
    };
    const handIn = (attemptId: string, code: string) =>
      api.post(`/api/v1/onboarding/attempts/${attemptId}/code`, { code }).then(
        (r) => r.status,
        () => 'no answer' as const,
      );
    const stateOf = async (id: string) => (await q<{ state: string; reason: string | null }>('SELECT state, reason FROM onboarding_records WHERE id = $1', [id]))[0]!;
    const stepsOf = async (id: string) =>
      Object.fromEntries(
        (await q<{ step: string; statuses: string[] }>(`SELECT step, array_agg(status::text ORDER BY attempt) AS statuses FROM onboarding_steps WHERE record_id = $1 GROUP BY step`, [id])).map((r) => [r.step, r.statuses]),
      );
    const count = (call: RegExp) => meta.calls.filter((c) => call.test(c)).length;
    const EXCHANGE = /^GET \/v\d+\.0\/oauth\/access_token$/;
    const REGISTER = /^POST \/v\d+\.0\/\d+\/register$/;

    // A: the browser's FINISH, then the code; Meta receives the register call and keeps it
    const a = await begin();
    const session = await api.post(`/api/v1/onboarding/attempts/${a.attemptId}/session`, {
      type: 'WA_EMBEDDED_SIGNUP',
      event: 'FINISH',
      data: { waba_id: LS.wabaId, phone_number_id: LS.phoneNumberId, business_id: LS.businessId },
    });
    expect(session.status).toBe(200);
    const atRegister = meta.hold(/\/register$/);
    const answerA = handIn(a.attemptId, meta.simulator.mintCode(LS).code);
    await atRegister.arrived;
    // B: the code, whose exchange Meta keeps
    const b = await begin();
    const atExchange = meta.hold(/\/oauth\/access_token$/);
    const answerB = handIn(b.attemptId, meta.simulator.mintCode(JM).code);
    await atExchange.arrived;
    // A's register attempt is claimed (the claim commits with the subscribe step's outcome)
    await until('the register step to be claimed', async () => (await q(`SELECT 1 FROM onboarding_steps WHERE record_id = $1 AND step = 'register' AND status = 'running'`, [a.recordId])).length > 0);
    const callsBefore = { exchange: count(EXCHANGE), register: count(REGISTER) };

    await kill(app);
    const killedAt = Date.now();
    expect(await answerA).toBe('no answer');
    expect(await answerB).toBe('no answer');
    // Meta goes on with the calls the dead process made: A's number is registered with the PIN the
    // vault holds, B's code is spent on a token nobody will store
    atRegister.release();
    atExchange.release();
    await until('Meta to apply the first register call', async () => meta.simulator.world.phoneNumbers.get(LS.phoneNumberId)!.pin !== null, 5_000);
    expect(await stateOf(a.recordId)).toMatchObject({ state: 'in_progress' });
    expect(await stepsOf(a.recordId)).toEqual({ exchange: ['succeeded'], verify: ['succeeded'], lookup: ['succeeded'], subscribe: ['succeeded'], override: ['skipped'], register: ['running'] });
    expect(await stateOf(b.recordId)).toMatchObject({ state: 'in_progress' });
    expect(await stepsOf(b.recordId)).toEqual({ exchange: ['running'] });

    // once the dead steps are stale, the start-up sweep of the next process takes them over
    await new Promise((r) => setTimeout(r, Math.max(0, killedAt + STALE_S * 1000 + 500 - Date.now())));
    const again = await startApp();
    for (const id of [a.recordId, b.recordId]) await until('the record to leave in_progress', async () => (await stateOf(id)).state !== 'in_progress', 30_000);

    // A: one record, connected, holding the number
    expect(await stateOf(a.recordId)).toEqual({ state: 'connected', reason: null });
    const records = await q<{ id: string; phone_number_id: string; connected_at: Date | null }>('SELECT id, phone_number_id, connected_at FROM onboarding_records WHERE waba_id = $1', [LS.wabaId]);
    expect(records).toEqual([{ id: a.recordId, phone_number_id: LS.phoneNumberId, connected_at: expect.any(Date) }]);
    // the exchange was not repeated (a code works once at Meta); the dead register attempt stays visible, the next one succeeded
    expect(await stepsOf(a.recordId)).toEqual({ exchange: ['succeeded'], verify: ['succeeded'], lookup: ['succeeded'], subscribe: ['succeeded'], override: ['skipped'], register: ['running', 'succeeded'] });
    expect(count(EXCHANGE)).toBe(callsBefore.exchange);
    expect(count(REGISTER)).toBe(callsBefore.register + 1);
    // the resumed register used the PIN stored before Meta first heard of it (a new PIN would be refused: the number has one now)
    const reg = await q<{ detail: { pinSource?: string } }>(`SELECT detail FROM onboarding_steps WHERE record_id = $1 AND step = 'register' AND status = 'succeeded'`, [a.recordId]);
    expect(reg[0]!.detail.pinSource).toBe('stored');
    const vaultOf = (id: string) => q(`SELECT purpose, count(*)::int AS n FROM vault_secrets WHERE owner_type = 'onboarding' AND owner_id = $1 GROUP BY purpose ORDER BY purpose`, [id]);
    expect(await vaultOf(a.recordId)).toEqual([
      { purpose: 'registration_pin', n: 1 },
      { purpose: 'waba_token', n: 1 },
    ]);
    // B: failed at the exchange, nothing stored, and it says what to do
    expect(await stateOf(b.recordId)).toEqual({ state: 'failed', reason: 'the code exchange was interrupted: run Embedded Signup again' });
    expect(await stepsOf(b.recordId)).toEqual({ exchange: ['running', 'failed'] });
    expect(await vaultOf(b.recordId)).toEqual([]);

    // the audit trail: A started and connected once, with one decryption each of the token and the
    // PIN by the resumed run (the first run had both from the exchange); B started and failed once
    const auditOf = (id: string) =>
      q<{ action: string; what: string | null; n: number }>(
        `SELECT action, coalesce(details->>'credential', details->>'step') AS what, count(*)::int AS n FROM audit_events WHERE target_type = 'onboarding' AND target_id = $1 GROUP BY 1, 2 ORDER BY 1, 2`,
        [id],
      );
    expect(await auditOf(a.recordId)).toEqual([
      { action: 'onboarding.connected', what: null, n: 1 },
      { action: 'onboarding.started', what: null, n: 1 },
      { action: 'vault.secret_used', what: 'registration_pin', n: 1 },
      { action: 'vault.secret_used', what: 'waba_token', n: 1 },
    ]);
    expect(await auditOf(b.recordId)).toEqual([
      { action: 'onboarding.failed', what: 'exchange', n: 1 },
      { action: 'onboarding.started', what: null, n: 1 },
    ]);

    // the restarted server shows A; B cannot be retried without a token, and a new attempt connects
    const api2 = await apiOf(again);
    const detail = await api2.get(`/api/v1/onboarding/${a.recordId}`);
    expect(detail.status).toBe(200);
    expect(detail.body.record).toMatchObject({ state: 'connected', wabaId: LS.wabaId });
    expect((await api2.post(`/api/v1/onboarding/${b.recordId}/retry`)).status).toBe(409);
    const c = await api2.post('/api/v1/onboarding/attempts');
    const done = await api2.post(`/api/v1/onboarding/attempts/${c.body.attemptId}/code`, { code: meta.simulator.mintCode(JM).code });
    expect(done.body).toMatchObject({ recordId: c.body.recordId, state: 'connected' });
    await kill(again);
  }, 90_000);

  it('rolls back a deletion request killed mid-erasure, then fulfils it exactly once', async () => {
    const LOGINS = 40;
    const subjects: { id: string; email: string }[] = [];
    for (let i = 0; i < 3; i++) {
      const email = `subject-${i}@crash-jobs.test`;
      const u = await insertUser(database.db, { email, displayName: `Subject ${i}`, role: 'viewer', status: 'active', passwordHash: await hashPassword(`subject ${i} passphrase, long enough`), at: new Date() });
      subjects.push({ id: u.id, email });
      await q(
        `INSERT INTO login_activity (at, user_id, attempted_email, result, ip, method)
         SELECT now() - (g || ' minutes')::interval, $1, $2, 'success', '198.51.100.' || g, 'password' FROM generate_series(1, ${LOGINS}) g`,
        [u.id, email],
      );
    }
    const app = await startApp();
    const api = await apiOf(app);
    const ids: string[] = [];
    for (const s of subjects) {
      const r = await api.post('/api/v1/privacy-requests', { kind: 'deletion', subjectUserId: s.id, verifyReason: 'asked in person, identity checked' });
      expect(r.status, r.text).toBe(201);
      ids.push(r.body.request.id);
    }
    const [r0, r1, r2] = ids as [string, string, string];
    expect((await api.post(`/api/v1/privacy-requests/${r0}/fulfil`)).status).toBe(200);

    // Hold the erasure late in its transaction: by the time it deletes pending email changes it has
    // de-identified the account, ended its sessions, written user.removed and deleted the sign-ins.
    const blocker = new pg.Client({ connectionString: url });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE email_changes IN SHARE MODE');
    const fulfil = api.post(`/api/v1/privacy-requests/${r1}/fulfil`).then(
      (r) => r.status,
      () => 'no answer' as const,
    );
    const [victim] = await until('the erasure to wait on email_changes', () =>
      q<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%email_changes%' AND pid <> pg_backend_pid()`,
      ).then((rows) => (rows.length ? rows : null)),
    );
    await kill(app);
    expect(await fulfil).toBe('no answer');
    // its connection is gone with the process: once unblocked, its transaction ends without a commit
    await blocker.query('COMMIT');
    await blocker.end();
    await until('the dead transaction to end', async () => (await q('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [victim!.pid])).length === 0, 15_000);

    const userOf = async (id: string) => (await q<{ email: string; display_name: string; status: string; has_password: boolean }>('SELECT email, display_name, status, password_hash IS NOT NULL AS has_password FROM users WHERE id = $1', [id]))[0]!;
    const loginsOf = async (id: string) => (await q<{ n: number }>('SELECT count(*)::int AS n FROM login_activity WHERE user_id = $1', [id]))[0]!.n;
    const requestOf = async (id: string) => (await q<{ state: string; completed_at: Date | null }>('SELECT state, completed_at FROM privacy_requests WHERE id = $1', [id]))[0]!;
    const auditCount = async (action: string, targetId: string) => (await q<{ n: number }>('SELECT count(*)::int AS n FROM audit_events WHERE action = $1 AND target_id = $2', [action, targetId]))[0]!.n;
    // nothing of the interrupted erasure stayed: the account, its sign-ins and the request are as before
    expect(await requestOf(r1)).toEqual({ state: 'in_progress', completed_at: null });
    expect(await userOf(subjects[1]!.id)).toEqual({ email: subjects[1]!.email, display_name: 'Subject 1', status: 'active', has_password: true });
    expect(await loginsOf(subjects[1]!.id)).toBe(LOGINS);
    expect(await auditCount('user.removed', subjects[1]!.id)).toBe(0);
    expect(await auditCount('privacy.request_completed', r1)).toBe(0);
    // and the acknowledged one stayed done
    expect((await requestOf(r0)).state).toBe('completed');

    const again = await startApp();
    const api2 = await apiOf(again);
    // the interrupted request is still workable after the restart; then the next one
    for (const id of [r1, r2]) {
      const r = await api2.post(`/api/v1/privacy-requests/${id}/fulfil`);
      expect(r.status, r.text).toBe(200);
      expect(r.body.request.state).toBe('completed');
    }
    // a request is fulfilled once: a second time is refused
    for (const id of ids) expect((await api2.post(`/api/v1/privacy-requests/${id}/fulfil`)).status).toBe(409);
    for (const [i, s] of subjects.entries()) {
      expect(await requestOf(ids[i]!)).toEqual({ state: 'completed', completed_at: expect.any(Date) });
      expect(await userOf(s.id)).toMatchObject({ status: 'removed', has_password: false, email: expect.stringMatching(/^removed-user-/) });
      expect(await loginsOf(s.id)).toBe(0);
      expect(await auditCount('user.removed', s.id)).toBe(1);
      expect(await auditCount('privacy.request_completed', ids[i]!)).toBe(1);
    }
    await kill(again);

    // the audit chain is whole across both kills
    const verify = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'verify-audit'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(verify);
    let out = '';
    verify.stdout!.on('data', (d) => (out += String(d)));
    verify.stderr!.on('data', (d) => (out += String(d)));
    expect(await new Promise<number | null>((r) => verify.on('exit', (c) => r(c))), out).toBe(0);
  }, 90_000);
});
