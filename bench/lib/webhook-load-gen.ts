/**
 * Load generator of the webhook-ingest benchmark, run as its own process (loopback only). Replays
 * pre-signed deliveries from FILE (one a line: "<X-Hub-Signature-256>\t<body>"), starting at OFFSET.
 *
 *   open   RATE/s for DURATION s, clock-driven (open loop): request i is due at t0 + i/RATE and its
 *          latency counts from that scheduled time, so a slow server cannot slow the sender down
 *          (no coordinated omission). Reports p50/p99/max ms and the generator's own CPU.
 *   closed CONNECTIONS keep-alive connections, each sending its next request as soon as the last
 *          answered, for DURATION s (throughput; the fallback when wrk is not installed).
 *
 * Env: PORT, FILE, OFFSET, MODE (open|closed), RATE, DURATION_S, DRAIN_S (open: longest wait for the
 * last answers), CONNECTIONS. Prints one JSON line.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';

const port = Number(process.env.PORT);
const mode = process.env.MODE ?? 'open';
const rate = Number(process.env.RATE ?? 3000);
const durationMs = Number(process.env.DURATION_S ?? 10) * 1000;
const connections = Number(process.env.CONNECTIONS ?? 64);
const drainMs = Number(process.env.DRAIN_S ?? 5) * 1000;
let next = Number(process.env.OFFSET ?? 0);

const lines = readFileSync(process.env.FILE!, 'utf8').split('\n').filter((l) => l.length > 0);
const deliveries = lines.map((l) => {
  const tab = l.indexOf('\t');
  return { signature: l.slice(0, tab), body: Buffer.from(l.slice(tab + 1)) };
});
let wraps = 0;
const take = () => {
  if (next >= deliveries.length) {
    next = 0;
    wraps++;
  }
  return deliveries[next++]!;
};

const agent = new http.Agent({ keepAlive: true, maxSockets: mode === 'open' ? 512 : connections });
let ok = 0;
let other = 0;
let errors = 0;

function post(): Promise<void> {
  const d = take();
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/webhooks/whatsapp',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': d.body.length, 'x-hub-signature-256': d.signature },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) ok++;
          else other++;
          resolve();
        });
        res.on('error', () => {
          errors++;
          resolve();
        });
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', () => {
      errors++;
      resolve();
    });
    req.end(d.body);
  });
}

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

const cpu0 = process.cpuUsage();
const t0 = performance.now();
let result: Record<string, number>;

if (mode === 'open') {
  const total = Math.round((rate * durationMs) / 1000);
  const latencies = new Float64Array(total);
  const pending: Promise<void>[] = [];
  let sent = 0;
  let maxLagMs = 0;
  await new Promise<void>((done) => {
    const tick = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - t0) * rate) / 1000) + 1);
      if (due > sent) maxLagMs = Math.max(maxLagMs, now - (t0 + (sent * 1000) / rate));
      while (sent < due) {
        const i = sent++;
        const scheduled = t0 + (i * 1000) / rate;
        pending.push(post().then(() => void (latencies[i] = performance.now() - scheduled)));
      }
      if (sent >= total) done();
      else setTimeout(tick, 1);
    };
    tick();
  });
  const sendEnd = performance.now();
  // at most DRAIN_S more for the answers; what is still open then counts with its age so far (a lower bound)
  const drained = await Promise.race([Promise.all(pending).then(() => true), new Promise<false>((r) => setTimeout(() => r(false), drainMs).unref())]);
  const end = performance.now();
  let unfinished = 0;
  if (!drained) {
    for (let i = 0; i < total; i++) {
      if (latencies[i] === 0) {
        latencies[i] = end - (t0 + (i * 1000) / rate);
        unfinished++;
      }
    }
  }
  const cpu = process.cpuUsage(cpu0);
  const sorted = latencies.slice().sort();
  result = {
    sent,
    ok,
    other_status: other,
    errors,
    unfinished,
    offered_rate: rate,
    achieved_send_rate: (sent * 1000) / (sendEnd - t0),
    p50_ms: quantile(sorted, 0.5),
    p99_ms: quantile(sorted, 0.99),
    max_ms: sorted[sorted.length - 1] ?? Number.NaN,
    max_send_lag_ms: maxLagMs,
    generator_cpu: (cpu.user + cpu.system) / 1000 / (end - t0),
    wall_s: (end - t0) / 1000,
    wraps,
  };
} else {
  const deadline = t0 + durationMs;
  const worker = async () => {
    while (performance.now() < deadline) await post();
  };
  await Promise.all(Array.from({ length: connections }, worker));
  const end = performance.now();
  const cpu = process.cpuUsage(cpu0);
  result = { ok, other_status: other, errors, duration_s: (end - t0) / 1000, rps: (ok * 1000) / (end - t0), generator_cpu: (cpu.user + cpu.system) / 1000 / (end - t0), wraps };
}
agent.destroy();
process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
