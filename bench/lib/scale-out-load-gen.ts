/**
 * Load generator of the scale-out benchmark, run as its own process (loopback only). Clock-driven
 * open loop: request i is due at t0 + i/RATE whatever the answers do, and its latency counts from
 * that scheduled time (no coordinated omission). Requests go round-robin over PORTS (one port = one
 * instance; two ports = a load balancer's round robin), and each instance sees the same cycle of
 * kinds (the kind advances once per round over the ports):
 *
 *   webhook  POST /webhooks/whatsapp, a pre-signed delivery from the deliveries file (from OFFSET)
 *   users    GET /api/v1/users?limit=50
 *   record   GET /api/v1/onboarding/<id>, the ids cycling through the seeded records
 *   audit    GET <auditPath> (the audit log's first page)
 *
 * MODE closed (the rate probe): `connections` loops, each sending its next request (same cycle) as
 * soon as the last one answered, for `durationS`; reports answered requests per second.
 *
 * Right before t0 it reads the CPU time of the app processes and of the PostgreSQL server (when its
 * postmaster pid is given), so the parent can take the difference after the phase has settled.
 *
 * Env: CONFIG = path of a JSON file (see GenConfig). Prints one JSON line.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { processCpuMs, processTreeCpuMs } from './proc-cpu.js';

export interface GenConfig {
  ports: number[];
  rate: number;
  durationS: number;
  /** after the last scheduled send, how long the answers may take before they count as unanswered */
  drainS: number;
  /** Cookie header of a signed-in session */
  cookie: string;
  recordIds: string[];
  auditPath: string;
  /** "<X-Hub-Signature-256>\t<body>" per line */
  deliveriesFile: string;
  offset: number;
  appPids: number[];
  dbPid: number | null;
  /** default open */
  mode?: 'open' | 'closed';
  /** closed mode: concurrent requests */
  connections?: number;
  /** closed mode: only this kind (the per-kind cost) */
  only?: 'webhook' | 'users' | 'record' | 'audit';
}

const KINDS = ['webhook', 'users', 'record', 'webhook', 'audit', 'record', 'webhook', 'users', 'record', 'audit'] as const;
type Kind = (typeof KINDS)[number];

const cfg = JSON.parse(readFileSync(process.env.CONFIG!, 'utf8')) as GenConfig;
const deliveries = readFileSync(cfg.deliveriesFile, 'utf8')
  .split('\n')
  .filter((l) => l.length > 0)
  .map((l) => {
    const tab = l.indexOf('\t');
    return { signature: l.slice(0, tab), body: Buffer.from(l.slice(tab + 1)) };
  });
const total = cfg.mode === 'closed' ? 0 : Math.round(cfg.rate * cfg.durationS);
const webhooksNeeded = Math.ceil((total * KINDS.filter((k) => k === 'webhook').length) / KINDS.length) + 1;
if (cfg.offset + webhooksNeeded > deliveries.length) throw new Error(`deliveries file too short: need ${cfg.offset + webhooksNeeded}, have ${deliveries.length}`);

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const apiHeaders = { cookie: cfg.cookie, accept: 'application/json', 'user-agent': 'crm-bench/1' };
let nextDelivery = cfg.offset;
let nextRecord = 0;

interface KindStats {
  sent: number;
  ok: number;
  other: number;
  errors: number;
  firstOther: string;
}
const stats = Object.fromEntries([...new Set(KINDS)].map((k) => [k, { sent: 0, ok: 0, other: 0, errors: 0, firstOther: '' }])) as Record<Kind, KindStats>;

function send(port: number, kind: Kind): Promise<void> {
  const s = stats[kind];
  s.sent++;
  let opts: http.RequestOptions;
  let body: Buffer | undefined;
  if (kind === 'webhook') {
    const d = deliveries[nextDelivery++]!;
    body = d.body;
    opts = { method: 'POST', path: '/webhooks/whatsapp', headers: { 'content-type': 'application/json', 'content-length': d.body.length, 'x-hub-signature-256': d.signature } };
  } else {
    const path = kind === 'users' ? '/api/v1/users?limit=50' : kind === 'audit' ? cfg.auditPath : `/api/v1/onboarding/${cfg.recordIds[nextRecord++ % cfg.recordIds.length]}`;
    opts = { method: 'GET', path, headers: apiHeaders };
  }
  return new Promise((resolve) => {
    const req = http.request({ ...opts, host: '127.0.0.1', port, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => {
        if (res.statusCode !== 200) chunks.push(c);
      });
      res.on('end', () => {
        if (res.statusCode === 200) s.ok++;
        else {
          s.other++;
          s.firstOther ||= `${opts.method} ${opts.path} -> ${res.statusCode}: ${Buffer.concat(chunks).toString('utf8').slice(0, 200)}`;
        }
        resolve();
      });
      res.on('error', () => {
        s.errors++;
        resolve();
      });
    });
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', () => {
      s.errors++;
      resolve();
    });
    req.end(body);
  });
}

/** The rate probe: closed loop, prints answered requests per second and exits. */
async function closed(): Promise<never> {
  const cpuApp0 = cfg.appPids.map(processCpuMs);
  const t0 = performance.now();
  const deadline = t0 + cfg.durationS * 1000;
  let i = 0;
  const worker = async () => {
    while (performance.now() < deadline && nextDelivery < deliveries.length) {
      const n = i++;
      await send(cfg.ports[n % cfg.ports.length]!, cfg.only ?? KINDS[Math.floor(n / cfg.ports.length) % KINDS.length]!);
    }
  };
  await Promise.all(Array.from({ length: cfg.connections ?? 16 }, worker));
  const ms = performance.now() - t0;
  const ok = Object.values(stats).reduce((n, s) => n + s.ok, 0);
  const failed = Object.values(stats).reduce((n, s) => n + s.other + s.errors, 0);
  const out = { ok, failed, cpu_app_ms: cfg.appPids.map((p, k) => processCpuMs(p) - cpuApp0[k]!), answered_rps: (ok * 1000) / ms, webhooks_sent: stats.webhook.sent, first_other: Object.values(stats).map((s) => s.firstOther).find((m) => m) ?? '' };
  agent.destroy();
  process.stdout.write(`${JSON.stringify(out)}\n`, () => process.exit(0));
  return new Promise<never>(() => undefined);
}

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

if (cfg.mode === 'closed') await closed();
const latencies = new Float64Array(total);
const kindOf: Kind[] = new Array<Kind>(total);
const pending: Promise<void>[] = [];
let sent = 0;
let maxLagMs = 0;
let lastAnswer = 0;
const cpuApp0 = cfg.appPids.map(processCpuMs);
const cpuDb0 = cfg.dbPid ? processTreeCpuMs(cfg.dbPid) : null;
const self0 = process.cpuUsage();
const t0 = performance.now();
await new Promise<void>((done) => {
  const tick = () => {
    const now = performance.now();
    const due = Math.min(total, Math.floor(((now - t0) * cfg.rate) / 1000) + 1);
    if (due > sent) maxLagMs = Math.max(maxLagMs, now - (t0 + (sent * 1000) / cfg.rate));
    while (sent < due) {
      const i = sent++;
      const scheduled = t0 + (i * 1000) / cfg.rate;
      const kind = KINDS[Math.floor(i / cfg.ports.length) % KINDS.length]!;
      kindOf[i] = kind;
      pending.push(
        send(cfg.ports[i % cfg.ports.length]!, kind).then(() => {
          lastAnswer = performance.now();
          latencies[i] = lastAnswer - scheduled;
        }),
      );
    }
    if (sent >= total) done();
    else setTimeout(tick, 1);
  };
  tick();
});
const sendEnd = performance.now();
const drained = await Promise.race([Promise.all(pending).then(() => true), new Promise<false>((r) => setTimeout(() => r(false), cfg.drainS * 1000).unref())]);
const end = performance.now();
let unfinished = 0;
if (!drained) {
  // still open: counted with their age so far (a lower bound)
  for (let i = 0; i < total; i++) {
    if (latencies[i] === 0) {
      latencies[i] = end - (t0 + (i * 1000) / cfg.rate);
      unfinished++;
    }
  }
}
const self = process.cpuUsage(self0);
const sorted = latencies.slice().sort();
const perKind: Record<string, number | string> = {};
for (const k of new Set(KINDS)) {
  const own = Float64Array.from(latencies.filter((_, i) => kindOf[i] === k)).sort();
  perKind[`${k}_p50_ms`] = quantile(own, 0.5);
  perKind[`${k}_p99_ms`] = quantile(own, 0.99);
  perKind[`${k}_sent`] = stats[k].sent;
}
const ok = Object.values(stats).reduce((n, s) => n + s.ok, 0);
const other = Object.values(stats).reduce((n, s) => n + s.other, 0);
const errors = Object.values(stats).reduce((n, s) => n + s.errors, 0);
const answeredSpanMs = (drained ? lastAnswer : end) - t0;
const result = {
  sent,
  ok,
  other_status: other,
  errors,
  unfinished,
  first_other: Object.values(stats).map((s) => s.firstOther).find((m) => m) ?? '',
  offered_rate: cfg.rate,
  answered_rps: (ok * 1000) / answeredSpanMs,
  achieved_send_rate: (sent * 1000) / (sendEnd - t0),
  p50_ms: quantile(sorted, 0.5),
  p99_ms: quantile(sorted, 0.99),
  max_ms: sorted[sorted.length - 1] ?? Number.NaN,
  max_send_lag_ms: maxLagMs,
  webhooks_sent: stats.webhook.sent,
  generator_cpu: (self.user + self.system) / 1000 / (end - t0),
  wall_s: (end - t0) / 1000,
  cpu_app0_ms: cpuApp0,
  cpu_db0_ms: cpuDb0,
  ...perKind,
};
agent.destroy();
process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
