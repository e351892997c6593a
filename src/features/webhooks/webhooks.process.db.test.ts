/**
 * (A db-project file so CI runs it on the embedded server and on TEST_DATABASE_URL alike.)
 * Webhook durability against the real server process (tsx src/main.ts, sandbox mode): a stream of
 * distinct signed deliveries, kill -9 of the server mid-stream (and, on the embedded database, of
 * its PostgreSQL too), a restart on the same data, then every delivery that got a 200 must be in
 * webhook_events and end up processed. Runs on the embedded database in a temporary DATA_DIR (fsync
 * on, as in real use), or on a fresh database of TEST_DATABASE_URL's server when that is set.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMBEDDED_DATABASE } from '../../db/connect.js';
import { planLayout } from '../../db/embedded/layout.js';
import { withDatabase } from '../../test-support/global-db.js';
import { freePort, spawnServer, waitReady, type ServerProcess } from '../../test-support/server-process.js';
import { parseDelivery } from './webhook-parse.js';
import { WEBHOOK_PATH } from './webhooks.routes.js';
import { signedDeliveries, type SignedDelivery } from './test-fixtures/webhook-mix.js';

const APP_SECRET = randomBytes(24).toString('hex');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'crm-wh-proc-'));
const children: ChildProcess[] = [];
const adminUrl = process.env.TEST_DATABASE_URL || undefined;
const external = adminUrl ? { name: `crm_wh_proc_${randomBytes(5).toString('hex')}`, key: randomBytes(32).toString('base64') } : undefined;

/** Senders in parallel, and how many deliveries are acknowledged before the kill. */
const CONCURRENCY = 16;
const KILL_AFTER_ACKS = 400;
const AFTER_RESTART = 50;

type Proc = ServerProcess;

function startServer(port: number): Proc {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', META_APP_SECRET: APP_SECRET };
  // sandbox mode (no META_APP_ID) with a known app secret; the database chosen here, nothing inherited
  for (const k of ['META_APP_ID', 'TEST_DATABASE_URL', 'DATABASE_URL', 'ENCRYPTION_KEY', 'ENCRYPTION_KEYS', 'PUBLIC_URL', 'SANDBOX']) delete env[k];
  if (external) Object.assign(env, { DATABASE_URL: withDatabase(adminUrl!, external.name), ENCRYPTION_KEY: external.key });
  return spawnServer(port, env, children, 20_000);
}

const deliver = (port: number, d: SignedDelivery) =>
  fetch(`http://127.0.0.1:${port}${WEBHOOK_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': d.signature },
    body: d.body,
    signal: AbortSignal.timeout(10_000),
  });

/** The dedupe keys of a delivery's changes, as the server computes them. */
const keysOf = (d: SignedDelivery) => parseDelivery(Buffer.from(d.body), { now: new Date(), rawRetentionHours: 1 }).map((r) => r.dedupeKey);

/** A client on the app's database: the embedded server's socket (password file), or the external one. */
async function dbClient(): Promise<pg.Client> {
  let c: pg.Client;
  if (external) c = new pg.Client({ connectionString: withDatabase(adminUrl!, external.name) });
  else {
    const l = planLayout(dataDir);
    c = new pg.Client({ host: l.sockDir, port: l.port, user: 'postgres', password: readFileSync(l.passwordFile, 'utf8').trim(), database: EMBEDDED_DATABASE });
  }
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

function postmasterPid(): number | null {
  try {
    return Number(readFileSync(path.join(dataDir, 'pg', 'pgdata', 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return null;
  }
}

async function admin(sqlText: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(sqlText);
  } finally {
    await c.end().catch(() => undefined);
  }
}

beforeAll(async () => {
  if (external) await admin(`CREATE DATABASE ${external.name}`);
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  const pm = postmasterPid();
  if (!external && pm) {
    try {
      process.kill(pm, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  if (external) await admin(`DROP DATABASE IF EXISTS ${external.name} WITH (FORCE)`).catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('webhook deliveries through a crash of the server process', () => {
  it('stores every acknowledged delivery before its 200 and processes all of them after a restart', async () => {
    const deliveries = signedDeliveries(3_000, { appSecret: APP_SECRET, seed: 7 });
    const port = await freePort();
    const first = startServer(port);
    await waitReady(first);

    // the stream: CONCURRENCY senders taking the next delivery in turn, until the server is gone
    const acked: SignedDelivery[] = [];
    const unacked: SignedDelivery[] = [];
    const otherStatus: string[] = [];
    let next = 0;
    let killed = false;
    let inFlightAtKill = 0;
    let inFlight = 0;
    const killNow = () => {
      if (killed) return;
      killed = true;
      inFlightAtKill = inFlight;
      first.child.kill('SIGKILL');
      const pm = external ? null : postmasterPid();
      if (pm) process.kill(pm, 'SIGKILL');
    };
    const sender = async () => {
      while (next < deliveries.length) {
        const d = deliveries[next++]!;
        if (killed) {
          unacked.push(d);
          continue;
        }
        inFlight++;
        try {
          const res = await deliver(port, d);
          await res.arrayBuffer();
          if (res.status === 200) acked.push(d);
          else {
            otherStatus.push(`${res.status}`);
            unacked.push(d);
          }
        } catch {
          unacked.push(d);
        } finally {
          inFlight--;
        }
        if (acked.length >= KILL_AFTER_ACKS) killNow();
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, sender));
    await first.exited;
    expect(killed).toBe(true);
    expect(otherStatus).toEqual([]);
    expect(inFlightAtKill).toBeGreaterThan(0); // the kill really was mid-stream

    // same data, same port; Meta would retry what got no 200, and keeps sending new ones
    const again = startServer(port);
    await waitReady(again);
    const db = await dbClient();
    try {
      const ackedKeys = acked.flatMap(keysOf);
      const stored = await db.query<{ dedupe_key: string; state: string }>('SELECT dedupe_key, state FROM webhook_events WHERE dedupe_key = ANY($1)', [ackedKeys]);
      const storedKeys = new Set(stored.rows.map((r) => r.dedupe_key));
      // every acknowledged change is there, right after the restart and before any retry
      expect(ackedKeys.filter((k) => !storedKeys.has(k))).toEqual([]);
      expect(stored.rows.filter((r) => r.state === 'duplicate')).toEqual([]);

      // retries of the unacknowledged ones (a few of which may have committed before the kill), then new ones
      const retried = unacked.slice(0, 200);
      const fresh = signedDeliveries(AFTER_RESTART, { appSecret: APP_SECRET, seed: 8, idBase: 910_000_000_000_000 });
      for (const d of [...retried, ...fresh]) {
        const res = await deliver(port, d);
        expect(res.status).toBe(200);
      }

      // processing after the restart: the coalesced job (and the minute sweep) take every pending event
      const allKeys = [...new Set([...ackedKeys, ...retried.flatMap(keysOf), ...fresh.flatMap(keysOf)])];
      const deadline = Date.now() + 30_000;
      let left: string[] = allKeys;
      while (Date.now() < deadline) {
        const r = await db.query<{ dedupe_key: string }>("SELECT DISTINCT dedupe_key FROM webhook_events WHERE dedupe_key = ANY($1) AND state = 'processed'", [allKeys]);
        const done = new Set(r.rows.map((x) => x.dedupe_key));
        left = allKeys.filter((k) => !done.has(k));
        if (left.length === 0) break;
        await new Promise((res) => setTimeout(res, 250));
      }
      expect(left).toEqual([]);
      const failed = await db.query("SELECT id, field, reason FROM webhook_events WHERE state IN ('failed', 'pending')");
      expect(failed.rows).toEqual([]);
    } finally {
      await db.end();
    }

    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  }, 60_000);
});
