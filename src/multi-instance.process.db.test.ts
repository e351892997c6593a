/**
 * Two app processes (tsx src/main.ts) on ONE PostgreSQL database, driven alternately, as a load
 * balancer would: what one instance knows, the other knows, because everything shared lives in
 * PostgreSQL. The database is a fresh, empty one on the test server (the embedded server of the db
 * project, or TEST_DATABASE_URL's), so both instances also race to migrate it.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from './features/access/passwords.js';
import { signedDeliveries } from './features/webhooks/test-fixtures/webhook-mix.js';
import { parseDelivery } from './features/webhooks/webhook-parse.js';
import { WEBHOOK_PATH } from './features/webhooks/webhooks.routes.js';
import { createOwnDatabase, killChildren, freePort, spawnServer, waitReady, type ServerProcess } from './test-support/server-process.js';

const PUBLIC_URL = 'http://crm.multi.test';
const APP_SECRET = randomBytes(24).toString('hex');
const KEY = randomBytes(32).toString('base64');
let ownDb: Awaited<ReturnType<typeof createOwnDatabase>> | undefined;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'crm-multi-'));
const children: ChildProcess[] = [];
let url: string;
let a: ServerProcess;
let b: ServerProcess;
let db: pg.Client;

function start(port: number, key = KEY): ServerProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', META_APP_SECRET: APP_SECRET, PUBLIC_URL, DATABASE_URL: url, ENCRYPTION_KEY: key };
  for (const k of ['META_APP_ID', 'TEST_DATABASE_URL', 'ENCRYPTION_KEYS', 'SANDBOX', 'METRICS_TOKEN', 'SMTP_URL']) delete env[k];
  return spawnServer(port, env, children, 50_000);
}

const sameOrigin = { origin: PUBLIC_URL, 'x-csrf-protection': '1' };

async function api(p: ServerProcess, method: string, pathname: string, opts: { cookie?: string; body?: unknown } = {}) {
  const res = await fetch(`http://127.0.0.1:${p.port}${pathname}`, {
    method,
    headers: { ...sameOrigin, ...(opts.cookie ? { cookie: opts.cookie } : {}), ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {}, setCookie: res.headers.getSetCookie() };
}

async function signIn(p: ServerProcess, email: string, password: string) {
  const res = await api(p, 'POST', '/api/v1/auth/sign-in', { body: { email, password } });
  const session = res.setCookie.map((c) => c.split(';')[0]!).find((c) => c.startsWith('crm_session='));
  return { status: res.status, cookie: session };
}

async function addUser(email: string, role: string, password: string): Promise<string> {
  const r = await db.query<{ id: string }>(
    "INSERT INTO users (email, display_name, role, status, password_hash) VALUES ($1, $2, $3, 'active', $4) RETURNING id",
    [email, email.split('@')[0], role, await hashPassword(password)],
  );
  return r.rows[0]!.id;
}

beforeAll(async () => {
  ownDb = await createOwnDatabase('crm_multi');
  url = ownDb.url;
  // both at once, on an empty database: they race to migrate it
  a = start(await freePort());
  b = start(await freePort());
  await Promise.all([waitReady(a, 90_000), waitReady(b, 90_000)]);
  db = new pg.Client({ connectionString: url });
  db.on('error', () => undefined);
  await db.connect();
}, 120_000);

afterAll(async () => {
  await db?.end().catch(() => undefined);
  await killChildren(children);
  await ownDb?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('two instances on one PostgreSQL database', () => {
  it('applied the migrations once although both started together', async () => {
    const journal = JSON.parse(readFileSync('src/db/migrations/meta/_journal.json', 'utf8')) as { entries: unknown[] };
    const applied = await db.query<{ n: number; distinct_hashes: number }>('SELECT count(*)::int AS n, count(DISTINCT hash)::int AS distinct_hashes FROM drizzle.__drizzle_migrations');
    expect(applied.rows[0]).toEqual({ n: journal.entries.length, distinct_hashes: journal.entries.length });
  });

  it('shares sessions: a session made on one is valid on the other; a deactivation on one ends it on the other at once', async () => {
    await addUser('owner@multi.test', 'owner', 'owner-password-1234');
    const viewerId = await addUser('viewer@multi.test', 'viewer', 'viewer-password-1234');
    const owner = await signIn(a, 'owner@multi.test', 'owner-password-1234');
    expect(owner.status).toBe(200);
    expect((await api(b, 'GET', '/api/v1/me', { cookie: owner.cookie })).status).toBe(200);

    const viewer = await signIn(b, 'viewer@multi.test', 'viewer-password-1234');
    expect((await api(a, 'GET', '/api/v1/me', { cookie: viewer.cookie })).status).toBe(200);
    expect((await api(a, 'POST', `/api/v1/users/${viewerId}/deactivate`, { cookie: owner.cookie })).status).toBe(200);
    expect((await api(b, 'GET', '/api/v1/me', { cookie: viewer.cookie })).status).toBe(401);
  });

  it('counts failed sign-ins across both toward one lockout', async () => {
    await addUser('target@multi.test', 'operator', 'target-password-1234');
    for (let i = 0; i < 5; i++) {
      const res = await signIn(i % 2 === 0 ? a : b, 'target@multi.test', `wrong-password-${i}`);
      expect(res.status).toBe(401);
    }
    // five failures, spread over two instances, lock the account on both
    expect((await signIn(a, 'target@multi.test', 'target-password-1234')).status).toBe(401);
    expect((await signIn(b, 'target@multi.test', 'target-password-1234')).status).toBe(401);
    const last = await db.query<{ reason: string }>("SELECT la.reason::text AS reason FROM login_activity la JOIN users u ON u.id = la.user_id WHERE u.email = 'target@multi.test' ORDER BY la.id DESC LIMIT 1");
    expect(last.rows[0]!.reason).toBe('locked');
  });

  it('processes 1,000 webhook deliveries sent half to each exactly once', async () => {
    const deliveries = signedDeliveries(1000, { appSecret: APP_SECRET, seed: 7 });
    const expected = new Map<string, number>();
    let changes = 0;
    for (const d of deliveries) {
      for (const row of parseDelivery(Buffer.from(d.body), { now: new Date(), rawRetentionHours: 1 })) {
        changes++;
        if (row.field !== 'messages' || !row.phoneNumberId) continue;
        const kinds = (row.summary as { kinds: Record<string, number> }).kinds;
        for (const [kind, n] of Object.entries(kinds)) expected.set(`${row.phoneNumberId}/${kind}`, (expected.get(`${row.phoneNumberId}/${kind}`) ?? 0) + n);
      }
    }
    let next = 0;
    const send = async () => {
      while (next < deliveries.length) {
        const i = next++;
        const d = deliveries[i]!;
        const res = await fetch(`http://127.0.0.1:${(i % 2 === 0 ? a : b).port}${WEBHOOK_PATH}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-hub-signature-256': d.signature },
          body: d.body,
          signal: AbortSignal.timeout(15_000),
        });
        expect(res.status).toBe(200);
      }
    };
    await Promise.all(Array.from({ length: 16 }, send));

    // processing jobs run on both instances; wait until nothing is pending
    const deadline = Date.now() + 60_000;
    for (;;) {
      const p = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM webhook_events WHERE state = 'pending'");
      if (p.rows[0]!.n === 0) break;
      if (Date.now() > deadline) throw new Error(`${p.rows[0]!.n} webhook events still pending`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const states = await db.query<{ state: string; n: number; attempts: number }>('SELECT state::text AS state, count(*)::int AS n, max(attempts)::int AS attempts FROM webhook_events GROUP BY state');
    const total = states.rows.reduce((s, r) => s + r.n, 0);
    expect(total).toBe(changes);
    expect(states.rows.find((r) => r.state === 'failed')).toBeUndefined();
    expect(Math.max(...states.rows.map((r) => r.attempts))).toBe(0);
    // counted exactly once: the counters equal the sum over the distinct changes
    const counters = await db.query<{ phone_number_id: string; kind: string; count: string }>('SELECT phone_number_id, kind, count FROM phone_message_counters');
    const got = new Map(counters.rows.map((r) => [`${r.phone_number_id}/${r.kind}`, Number(r.count)]));
    const duplicatesOfMessages = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM webhook_events WHERE state = 'duplicate' AND field = 'messages'");
    expect(duplicatesOfMessages.rows[0]!.n).toBe(0);
    expect(got).toEqual(expected);
  });

  it('fires each scheduled job once per minute across both, and loses no work when one is killed mid-job', async () => {
    // work in flight on A: management changes (processed by jobs, not on arrival) sent to A only
    const management = signedDeliveries(3000, { appSecret: APP_SECRET, seed: 11, idBase: 5_000_000 }).filter((d) => d.kind === 'management').slice(0, 200);
    for (const d of management) {
      const res = await fetch(`http://127.0.0.1:${a.port}${WEBHOOK_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': d.signature }, body: d.body });
      expect(res.status).toBe(200);
    }
    a.child.kill('SIGKILL');
    await a.exited;
    // B's minute sweep takes whatever A left pending
    const deadline = Date.now() + 100_000;
    for (;;) {
      const p = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM webhook_events WHERE state = 'pending'");
      if (p.rows[0]!.n === 0) break;
      if (Date.now() > deadline) throw new Error(`${p.rows[0]!.n} webhook events still pending after A was killed`);
      await new Promise((r) => setTimeout(r, 500));
    }
    expect((await db.query<{ n: number }>("SELECT count(*)::int AS n FROM webhook_events WHERE state = 'failed'")).rows[0]!.n).toBe(0);
    // both instances run cron workers: after a minute boundary, one job per schedule and minute
    const cronJobs = () =>
      db.query<{ name: string; minute: string; n: number }>(
        "SELECT name, date_trunc('minute', created_on)::text AS minute, count(*)::int AS n FROM pgboss.job WHERE name IN ('webhooks.sweep', 'onboarding.sweep') GROUP BY 1, 2",
      );
    let sweeps = await cronJobs();
    while (sweeps.rows.length < 2 && Date.now() < deadline + 40_000) {
      await new Promise((r) => setTimeout(r, 1_000));
      sweeps = await cronJobs();
    }
    expect(sweeps.rows.length).toBeGreaterThanOrEqual(2);
    for (const r of sweeps.rows) expect(r.n, `${r.name} at ${r.minute}`).toBe(1);
  }, 150_000);

  it('refuses to start an instance with a different encryption key, before it writes anything', async () => {
    const before = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM vault_key_checks');
    const c = start(await freePort(), randomBytes(32).toString('base64'));
    const code = await Promise.race([c.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 60_000))]);
    expect(code).not.toBe('timeout');
    expect(code).not.toBe(0);
    expect(c.stderr()).toMatch(/ENCRYPTION_KEY|encryption key/i);
    const after = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM vault_key_checks');
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
    // the running instance is unaffected
    expect((await fetch(`http://127.0.0.1:${b.port}/readyz`)).status).toBe(200);
  });
});
