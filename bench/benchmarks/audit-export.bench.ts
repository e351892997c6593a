/**
 * The audit export (GET /api/v1/audit/export?format=csv) of 1,000,000 audit events (a tenth with a
 * personal value; bench/lib/audit-seed.ts) over real HTTP as a signed-in admin, the client counting
 * rows as they stream in and keeping nothing.
 * value = rows per second of the whole download; peak_rss_mb = VmHWM of the server process during
 * the export (the app runs in this process: its peak is reset through /proc/self/clear_refs just
 * before the request, and the client in the same process holds one chunk at a time). Goal: peak RSS
 * <= 200 MB, i.e. the range is streamed, never held. baseline = rows per second of the same keyset
 * batches read in-process through the repo's listAuditExportRows, one after the other (no
 * formatting, no HTTP): the database's floor. The export reads the next batch while it formats and
 * sends the current one, so its ratio can pass 1.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import type pg from 'pg';
import { hashPassword } from '../../src/features/access/passwords.js';
import { insertUser } from '../../src/features/access/users.repo.js';
import { listAuditExportRows, type AuditKey } from '../../src/features/audit/log/audit-log.repo.js';
import { EXPORT_BATCH } from '../../src/features/audit/log/audit-log.service.js';
import type { Db } from '../../src/db/client.js';
import type { Runtime } from '../../src/runtime.js';
import { withBenchApp } from '../lib/app.js';
import { seedAuditEvents } from '../lib/audit-seed.js';
import { request } from '../lib/http.js';
import { note, round } from '../lib/stats.js';
import type { Benchmark, Result } from '../lib/types.js';

const EVENTS = 1_000_000;
const GOAL_MB = 200;
const EMAIL = 'bench.export.admin@example.test';
const PASSWORD = 'bench correct horse battery 42';

/** VmHWM / VmRSS of this process in MB. */
function memoryMb(key: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

const benchmark: Benchmark = {
  name: 'audit-export',
  async run(): Promise<Result> {
    let seedSeconds = 0;
    const seed = async (rt: Runtime) => {
      await insertUser(rt.database.db, { email: EMAIL, displayName: 'Bench Admin', role: 'admin', status: 'active', passwordHash: await hashPassword(PASSWORD), at: new Date() });
      seedSeconds = await seedAuditEvents(rt.database.pool, EVENTS);
    };
    return withBenchApp('audit-export', { seed }, ({ port, config, rt, env }) => measure(port, config.publicUrl.origin, rt.database.pool, rt.database.db, env.mode, seedSeconds));
  },
};
export default benchmark;

async function measure(port: number, origin: string, pool: pg.Pool, db: Db, mode: string, seedSeconds: number): Promise<Result> {
  const cookie = await signIn(port, origin);
  const { rows: countRows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events');
  const total = countRows[0]!.n;

  global.gc?.();
  const rssBefore = memoryMb('VmRSS');
  // reset the peak (Linux: "5" clears VmHWM to the current RSS), so it covers the export alone
  let resetOk = true;
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    resetOk = false;
  }
  note(`audit-export: exporting ${total} events as CSV over HTTP (RSS before ${rssBefore.toFixed(0)} MB, peak reset ${resetOk ? 'ok' : 'FAILED'})`);
  const t0 = performance.now();
  const got = await download(port, cookie, '/api/v1/audit/export?format=csv');
  const seconds = (performance.now() - t0) / 1000;
  const peak = memoryMb('VmHWM');
  const rows = got.lines - 1; // the header line
  note(`audit-export: ${rows} rows, ${(got.bytes / 1e6).toFixed(0)} MB in ${seconds.toFixed(1)} s, first byte after ${got.firstByteMs.toFixed(0)} ms; peak RSS ${peak.toFixed(0)} MB`);
  if (rows < total) throw new Error(`export ended after ${rows} of ${total} rows`);

  note('audit-export: baseline: the same keyset batches read in-process through the repo');
  const b0 = performance.now();
  let read = 0;
  let after: AuditKey | undefined;
  for (;;) {
    const batch = await listAuditExportRows(db, {}, { after, limit: EXPORT_BATCH });
    if (batch.length === 0) break;
    read += batch.length;
    if (batch.length < EXPORT_BATCH) break;
    after = { at: batch[batch.length - 1]!.atKey, id: batch[batch.length - 1]!.id };
  }
  const baseline = read / ((performance.now() - b0) / 1000);
  const value = rows / seconds;
  return {
    name: 'audit-export',
    value: round(value, 0),
    unit: 'rows/s',
    baseline: round(baseline, 0),
    ratio: round(value / baseline),
    goal: `peak RSS <= ${GOAL_MB} MB`,
    met: resetOk && peak <= GOAL_MB,
    peak_rss_mb: round(peak, 1),
    rss_before_mb: round(rssBefore, 1),
    peak_reset: resetOk,
    rows,
    export_mb: round(got.bytes / 1e6, 1),
    export_s: round(seconds, 1),
    first_byte_ms: round(got.firstByteMs, 1),
    format: 'csv',
    seed_s: round(seedSeconds, 1),
    loadavg_1m: round(os.loadavg()[0] ?? 0, 2),
    database: mode,
  };
}

/** Streams a download, counting lines and bytes; keeps no chunk. */
function download(port: number, cookie: string, path: string): Promise<{ lines: number; bytes: number; firstByteMs: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.get({ host: '127.0.0.1', port, path, headers: { cookie, 'user-agent': 'crm-bench/1' } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`GET ${path} answered ${res.statusCode}`));
      let lines = 0;
      let bytes = 0;
      let firstByteMs = 0;
      res.on('data', (chunk: Buffer) => {
        if (!firstByteMs) firstByteMs = performance.now() - t0;
        bytes += chunk.length;
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
      });
      res.on('end', () => resolve({ lines, bytes, firstByteMs }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** Signs the admin in over HTTP; returns the Cookie header to send back. */
async function signIn(port: number, origin: string): Promise<string> {
  const res = await request(port, {
    method: 'POST',
    path: '/api/v1/auth/sign-in',
    headers: { origin, 'x-csrf-protection': '1', 'content-type': 'application/json', 'user-agent': 'crm-bench/1' },
    body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`sign-in answered ${res.status}: ${res.body}`);
  const cookies = [res.headers['set-cookie'] ?? []].flat().map((c) => c.split(';')[0]!);
  if (cookies.length === 0) throw new Error('sign-in set no cookie');
  return cookies.join('; ');
}
