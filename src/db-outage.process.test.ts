/**
 * The database goes away under load, and comes back (issue #11, faults). On a throwaway PostgreSQL
 * started by this test (never the machine's shared server, which other tests use), the real server
 * (tsx src/main.ts) takes signed webhook deliveries and session-checked API reads; the test stops
 * PostgreSQL in the middle. While it is down: /readyz says 503, every request is answered fast (well
 * inside the request timeout) with a 503 problem naming the cause, never a 500 and never a hang. When
 * PostgreSQL is back, the app recovers by itself (no restart) and every delivery it acknowledged,
 * before or after the outage, is stored.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedServer } from './db/embedded/index.js';
import { faultProbe, type Answer } from './test-support/fault-probe.js';
import { freePort, spawnServer, waitReady, type ServerProcess } from './test-support/server-process.js';

const APP_SECRET = randomBytes(24).toString('hex');
const pgDir = mkdtempSync(path.join(os.tmpdir(), 'crm-outage-pg-'));
const appDir = mkdtempSync(path.join(os.tmpdir(), 'crm-outage-app-'));
const children: ChildProcess[] = [];
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
/** Fail fast: an answer during the outage must come well inside this (the pool's connect timeout is 10 s). */
const FAST_MS = 5_000;
let pgServer: EmbeddedServer;
let url: string;
let app: ServerProcess;

beforeAll(async () => {
  pgServer = await startEmbeddedPostgres({ dataDir: pgDir, logger: quiet });
  await ensureDatabase(pgServer, 'crm');
  url = pgServer.urlFor('crm');
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: appDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', META_APP_SECRET: APP_SECRET, DATABASE_URL: url, ENCRYPTION_KEY: randomBytes(32).toString('base64') };
  for (const k of ['META_APP_ID', 'TEST_DATABASE_URL', 'ENCRYPTION_KEYS', 'PUBLIC_URL', 'SANDBOX']) delete env[k];
  app = spawnServer(port, env, children, 100_000);
  await waitReady(app, 90_000);
}, 150_000);

afterAll(async () => {
  const running = children.filter((ch) => ch.exitCode === null && ch.signalCode === null);
  await Promise.all(running.map((ch) => new Promise((r) => ch.once('exit', r).kill('SIGKILL'))));
  await pgServer?.stop();
  rmSync(pgDir, { recursive: true, force: true });
  rmSync(appDir, { recursive: true, force: true });
}, 60_000);

it('answers 503 fast while PostgreSQL is down, recovers by itself, and keeps every acknowledged write', async () => {
  const { deliver, read, ready, acked, ackedKeys } = faultProbe({ port: () => app.port, appSecret: APP_SECRET, deliveries: 900, seed: 11 });

  // before: all well
  const before = await Promise.all(Array.from({ length: 200 }, deliver));
  expect(before.filter((a) => a.status !== 200)).toEqual([]);
  expect((await read()).status).toBe(401);

  // PostgreSQL stops (fast shutdown: open connections are cut) while load continues
  const load = (async () => {
    const out: Answer[] = [];
    for (let round = 0; round < 40; round++) out.push(...(await Promise.all([deliver(), deliver(), read()])));
    return out;
  })();
  await new Promise((r) => setTimeout(r, 50));
  await pgServer.stop();
  const during: Answer[] = [];
  for (let i = 0; i < 10; i++) during.push(await deliver(), await read(), await ready());
  const mixed = await load;

  // while down: 503 with the cause named, fast; no 500, no hang
  const bad = [...during, ...mixed].filter((a) => a.status === null || a.status >= 500 && a.status !== 503 || a.ms > FAST_MS);
  expect(bad, app.stderr().slice(-3000)).toEqual([]);
  expect(during.filter((a) => a.what === 'readyz').every((a) => a.status === 503)).toBe(true);
  const downAnswers = during.filter((a) => a.what !== 'readyz');
  expect(downAnswers.every((a) => a.status === 503 && a.code === 'unavailable'), JSON.stringify(downAnswers.slice(0, 4))).toBe(true);

  // PostgreSQL returns: the app recovers without a restart
  pgServer = await startEmbeddedPostgres({ dataDir: pgDir, logger: quiet });
  const deadline = Date.now() + 30_000;
  while ((await ready()).status !== 200) {
    expect(Date.now(), 'the app did not recover within 30 s').toBeLessThan(deadline);
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(app.child.exitCode).toBeNull();
  const after = await Promise.all(Array.from({ length: 200 }, deliver));
  expect(after.filter((a) => a.status !== 200)).toEqual([]);
  expect((await read()).status).toBe(401);

  // every acknowledged delivery is stored
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const keys = ackedKeys();
    const found = await db.query<{ n: number }>('SELECT count(DISTINCT dedupe_key)::int AS n FROM webhook_events WHERE dedupe_key = ANY($1)', [keys]);
    expect(found.rows[0]!.n).toBe(new Set(keys).size);
    expect(acked()).toBeGreaterThanOrEqual(400);
  } finally {
    await db.end();
  }
}, 180_000);
