/**
 * `soak`: ten minutes (BENCH_SOAK_S) of a realistic mix against the BUILT server on a seeded
 * database (bench/lib/seeded-app.ts), from this process on loopback, clock-driven open loop (each
 * request's latency counts from when it was due, so queueing is not hidden). Per second:
 *
 *   60 signed webhook deliveries, 12 API reads (users list, an onboarding record, the audit log,
 *   the webhook event log), 4 page loads (the SPA's index.html and its main script),
 *   1 API write (an owner renames themself), and a sign-in every 5 s (argon2, a session each).
 *
 * Every 30 s the app is asked (SIGUSR2, handled by bench/lib/heap-probe.mjs, preloaded with
 * --expose-gc for this benchmark only) to collect garbage and report the heap in use.
 *
 * value = errors (any answer but the expected 2xx, or no answer in 10 s); baseline = p99 of the
 * second minute; ratio = p99 of the last minute / baseline; heap_growth = heap after GC at the end
 * over the heap after GC at the end of the second minute, minus 1 (the first minute is warm-up:
 * caches, JIT, pools). Goal: 0 errors, ratio <= 1.2, heap growth <= 10%.
 * CI runs BENCH_SOAK_S=60 for errors only (the trend needs the long run).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { signedDeliveries } from '../../src/features/webhooks/test-fixtures/webhook-mix.js';
import { hashPassword } from '../../src/features/access/passwords.js';
import { ROOT, ensureBuiltServer } from '../lib/build.js';
import { freePort, request, waitFor200 } from '../lib/http.js';
import { stopProcess } from '../lib/proc.js';
import { APP_SECRET, PUBLIC_URL, openDb, seed, signIn, startApp } from '../lib/seeded-app.js';
import { note, quantile, round } from '../lib/stats.js';
import type { Benchmark, Result } from '../lib/types.js';

const DURATION_S = Number(process.env.BENCH_SOAK_S ?? 600);
const HEAP_EVERY_S = 30;
const TIMEOUT_MS = 10_000;
const RATES = { webhook: 60, read: 12, page: 4, write: 1, signIn: 0.2 } as const;
type Kind = keyof typeof RATES;
const SIGNER = { email: 'soak.signer@example.test', password: 'soak signer passphrase 42' };
const HEAP_PROBE = path.join(ROOT, 'bench', 'lib', 'heap-probe.mjs');

interface Sample {
  minute: number;
  kind: Kind;
  ms: number;
  ok: boolean;
  what: string;
}

const bench: Benchmark = {
  name: 'soak',
  async run(): Promise<Result> {
    ensureBuiltServer();
    const db = await openDb();
    const appDir = await mkdtemp(path.join(os.tmpdir(), 'crm-bench-soak-'));
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    let app: ReturnType<typeof startApp> | null = null;
    try {
      const port = await freePort();
      const key = randomBytes(32).toString('base64');
      // migrate by starting once, then seed (the app's own migrations create the schema)
      app = startApp(port, appDir, db, key, ['--expose-gc', '--import', HEAP_PROBE]);
      await waitFor200(port, '/readyz', { intervalMs: 100, timeoutMs: 90_000, abort: () => app!.exited() });
      const recordIds = await seed(pool, { auditEvents: 5_000, extraUsers: 100, records: 100 }, 'soak');
      await pool.query("INSERT INTO users (email, display_name, role, status, password_hash) VALUES ($1, 'Soak Signer', 'viewer', 'active', $2)", [SIGNER.email, await hashPassword(SIGNER.password)]);
      const cookie = await signIn(port);
      const index = await request(port, { path: '/' });
      const mainScript = /src="(\/assets\/index-[^"]+\.js)"/.exec(index.body)?.[1] ?? '/';
      const deliveries = signedDeliveries(Math.ceil(RATES.webhook * DURATION_S) + 10, { appSecret: APP_SECRET, seed: 5 });
      note(`soak: ${DURATION_S} s of ${Object.entries(RATES).map(([k, r]) => `${k} ${r}/s`).join(', ')} against :${port}`);

      const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
      const json = { 'content-type': 'application/json', origin: PUBLIC_URL, 'x-csrf-protection': '1' };
      let n = { webhook: 0, read: 0, page: 0, write: 0, signIn: 0 };
      const build = (kind: Kind): { method: string; path: string; headers: Record<string, string>; body?: string; expect: number[] } => {
        const i = n[kind]++;
        switch (kind) {
          case 'webhook': {
            const d = deliveries[i % deliveries.length]!;
            return { method: 'POST', path: '/webhooks/whatsapp', headers: { 'content-type': 'application/json', 'x-hub-signature-256': d.signature }, body: d.body, expect: [200] };
          }
          case 'read': {
            const paths = ['/api/v1/users?limit=50', `/api/v1/onboarding/${recordIds[i % recordIds.length]}`, '/api/v1/audit/events?limit=50', '/api/v1/webhooks/events?limit=50'];
            return { method: 'GET', path: paths[i % paths.length]!, headers: { cookie }, expect: [200] };
          }
          case 'page':
            return { method: 'GET', path: i % 2 ? mainScript : '/', headers: {}, expect: [200] };
          case 'write':
            return { method: 'PATCH', path: '/api/v1/me', headers: { ...json, cookie }, body: JSON.stringify({ displayName: `Bench Owner ${i % 100}` }), expect: [200] };
          case 'signIn':
            return { method: 'POST', path: '/api/v1/auth/sign-in', headers: json, body: JSON.stringify(SIGNER), expect: [200] };
        }
      };

      const samples: Sample[] = [];
      const heap: { t: number; bytes: number }[] = [];
      const inFlight = new Set<Promise<void>>();
      const send = (kind: Kind, dueAt: number, t0: number) => {
        const r = build(kind);
        const minute = Math.floor((dueAt - t0) / 60_000);
        const p = request(port, { method: r.method, path: r.path, headers: r.headers, ...(r.body !== undefined ? { body: r.body } : {}), agent, timeoutMs: TIMEOUT_MS })
          .then((res) => {
            samples.push({ minute, kind, ms: performance.now() - dueAt, ok: r.expect.includes(res.status), what: `${r.method} ${r.path.slice(0, 60)} -> ${res.status} ${res.body.slice(0, 120)}` });
          })
          .catch((err: Error) => {
            samples.push({ minute, kind, ms: performance.now() - dueAt, ok: false, what: `${r.method} ${r.path.slice(0, 60)}: ${err.message}` });
          })
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
      };
      const probeHeap = async (t: number) => {
        const before = app!.output().split('HEAP_AFTER_GC').length;
        app!.child.kill('SIGUSR2');
        for (let i = 0; i < 100 && app!.output().split('HEAP_AFTER_GC').length === before; i++) await new Promise((r) => setTimeout(r, 50));
        const m = /HEAP_AFTER_GC (\d+)\n?[^]*$/.exec(app!.output());
        if (m) heap.push({ t, bytes: Number(m[1]) });
      };

      // the open loop: every 10 ms, send what has fallen due of each kind
      const t0 = performance.now();
      const sent: Record<Kind, number> = { webhook: 0, read: 0, page: 0, write: 0, signIn: 0 };
      let nextHeap = 0;
      while (performance.now() - t0 < DURATION_S * 1000) {
        const now = performance.now();
        for (const kind of Object.keys(RATES) as Kind[]) {
          // request i of a kind is due at t0 + i / rate: by now, those with i <= elapsed x rate
          const due = Math.floor(((now - t0) / 1000) * RATES[kind]) + 1;
          while (sent[kind] < due) {
            send(kind, t0 + (sent[kind] / RATES[kind]) * 1000, t0);
            sent[kind]++;
          }
        }
        if (now - t0 >= nextHeap * 1000) {
          nextHeap += HEAP_EVERY_S;
          void probeHeap(now - t0);
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      await Promise.all(inFlight);
      await probeHeap(performance.now() - t0);
      agent.destroy();

      const errors = samples.filter((s) => !s.ok);
      const minutes = Math.max(1, Math.ceil(DURATION_S / 60));
      const p99Of = (m: number) => quantile(samples.filter((s) => s.minute === m && s.ok).map((s) => s.ms), 0.99);
      const p99PerMinute = Array.from({ length: minutes }, (_, m) => round(p99Of(m), 1));
      const second = minutes >= 2 ? p99PerMinute[1]! : p99PerMinute[0]!;
      const last = p99PerMinute[minutes - 1]!;
      // heap: the sample at the end of minute 2 (after warm-up) against the last one
      const afterWarmup = heap.find((h) => h.t >= 120_000 - 1_000) ?? heap[0];
      const end = heap[heap.length - 1];
      const growth = afterWarmup && end ? end.bytes / afterWarmup.bytes - 1 : 0;
      const long = DURATION_S >= 180;
      const ratio = second > 0 ? last / second : 0;
      const kinds = Object.keys(RATES) as Kind[];
      const perKind = kinds.map((k) => `${k} ${round(quantile(samples.filter((x) => x.kind === k && x.ok).map((x) => x.ms), 0.99), 1)}`).join(', ');
      const slowest = [...samples].sort((a, b) => b.ms - a.ms).slice(0, 3).map((x) => `${x.what.split(' -> ')[0]} ${round(x.ms, 0)} ms`).join('; ');
      note(`soak: p99 by kind (ms): ${perKind}; slowest: ${slowest}`);
      note(`soak: ${samples.length} requests, ${errors.length} errors; p99 per minute ${p99PerMinute.join(', ')} ms; heap after GC ${heap.map((h) => `${round(h.bytes / 1048576, 1)}`).join(', ')} MB`);
      for (const e of errors.slice(0, 5)) note(`soak: error: ${e.what}`);
      return {
        name: 'soak',
        value: errors.length,
        unit: 'errors',
        baseline: second,
        ratio: round(ratio, 3),
        goal: long ? '0 errors, last-minute p99 <= 1.2 x second-minute p99, heap after GC grows <= 10% after warm-up' : '0 errors (short run: the trend needs BENCH_SOAK_S >= 180)',
        met: errors.length === 0 && (!long || (ratio <= 1.2 && growth <= 0.1)),
        duration_s: DURATION_S,
        requests: samples.length,
        p99_second_minute_ms: second,
        p99_last_minute_ms: last,
        p99_per_minute_ms: p99PerMinute.join(' '),
        heap_after_gc_mb: heap.map((h) => round(h.bytes / 1048576, 1)).join(' '),
        heap_growth: round(growth, 3),
        p99_by_kind_ms: perKind,
        first_error: errors[0]?.what ?? '',
        database: db.mode,
      };
    } finally {
      if (app) await stopProcess(app, 20_000).catch(() => undefined);
      await pool.end().catch(() => undefined);
      await db.close();
      await rm(appDir, { recursive: true, force: true });
    }
  },
};

export default bench;
