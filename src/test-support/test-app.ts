/**
 * Builds the real app on a per-file test database, with a manual clock and captured log lines,
 * plus small helpers to create users and sign in over HTTP (inject).
 */
import { Writable } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../app.js';
import { loadConfig, type Config } from '../config.js';
import type { Database } from '../db/client.js';
import { hashPassword } from '../features/access/passwords.js';
import type { Role } from '../features/access/permissions.js';
import { insertUser, type UserRow } from '../features/access/users.repo.js';
import { loadKeyRing } from '../features/vault/keyring.js';
import { manualClock } from '../lib/clock.js';
import { createLogger } from '../logger.js';

export const TEST_ORIGIN = 'http://127.0.0.1:3000';
export const TEST_PASSWORD = 'correct horse battery staple 42';

export interface TestApp {
  app: FastifyInstance;
  config: Config;
  clock: ReturnType<typeof manualClock>;
  logs: string[];
  database: Database;
}

/** The real app over `database`; env overrides go through the real config parser. */
export async function buildTestApp(
  database: Database,
  opts: { env?: Record<string, string>; signInRateLimit?: { max: number; timeWindowMs: number }; signInFailureFloorMs?: number } = {},
): Promise<TestApp> {
  const config = loadConfig({ DATA_DIR: '/nonexistent-test-data', ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'), LOG_LEVEL: 'info', ...opts.env });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const clock = manualClock(new Date('2026-06-01T09:00:00Z'));
  const keyring = loadKeyRing({ key: config.encryptionKey, dataDir: config.dataDir, embedded: false });
  const app = await buildApp({
    config,
    database,
    clock,
    keyring,
    logger: createLogger('info', sink),
    isReady: async () => true,
    webDir: '/nonexistent-web',
    signInRateLimit: opts.signInRateLimit ?? { max: 1000, timeWindowMs: 60_000 },
    // refusals answer at once in tests (the floor has its own test in sign-in.db.test.ts)
    signInFailureFloorMs: opts.signInFailureFloorMs ?? 0,
  });
  await app.ready();
  return { app, config, clock, logs, database };
}

let seq = 0;
/** Inserts an active user with TEST_PASSWORD. */
export async function createUser(database: Database, role: Role, over: Partial<{ email: string; status: UserRow['status'] }> = {}): Promise<UserRow> {
  seq++;
  return insertUser(database.db, {
    email: over.email ?? `${role}${seq}-${Date.now()}@example.test`,
    displayName: `${role} ${seq}`,
    role,
    status: over.status ?? 'active',
    passwordHash: await hashPassword(TEST_PASSWORD),
    at: new Date('2026-06-01T08:00:00Z'),
  });
}

/** The `name=value` pairs of a response's Set-Cookie headers. */
export function cookiesOf(res: LightMyRequestResponse): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of res.cookies as { name: string; value: string }[]) out[c.name] = c.value;
  return out;
}

/** Headers a browser on the app's origin sends with a state-changing request. */
export const sameOrigin = { origin: TEST_ORIGIN, 'x-csrf-protection': '1' } as const;

/** Signs in over HTTP; returns the session cookie header value. */
export async function signInCookie(t: TestApp, email: string, password = TEST_PASSWORD): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', headers: sameOrigin, payload: { email, password } });
  if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);
  return `crm_session=${cookiesOf(res).crm_session}`;
}
