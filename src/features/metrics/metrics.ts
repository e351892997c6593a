/**
 * The process's Prometheus metrics (prom-client), one registry per process: counters and histograms
 * that the features update as things happen, and gauges read from PostgreSQL and the pool when
 * /metrics is scraped. Labels are closed sets (route patterns, operations, results), never values
 * that carry identifiers or personal data. A scrape sees one instance; Prometheus sums instances.
 */
import client from 'prom-client';
import type { Pool } from 'pg';

export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry });

const registers = [registry];

export const httpDuration = new client.Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP requests by method, route pattern and status code',
  labelNames: ['method', 'route', 'status_code'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers,
});

export const signIns = new client.Counter({
  name: 'sign_in_attempts_total',
  help: 'Sign-in attempts by result and reason',
  labelNames: ['result', 'reason'] as const,
  registers,
});

export const webhookDeliveries = new client.Counter({
  name: 'webhook_deliveries_total',
  help: 'Webhook POSTs: received (any), verified (signature good and stored), rejected (signature missing, malformed or wrong)',
  labelNames: ['result'] as const,
  registers,
});

export const webhookChanges = new client.Counter({
  name: 'webhook_changes_total',
  help: 'Changes stored from verified deliveries, by outcome (stored, duplicate)',
  labelNames: ['outcome'] as const,
  registers,
});

export const webhookProcessed = new client.Counter({
  name: 'webhook_events_processed_total',
  help: 'Webhook events settled by processing jobs, by result (processed, failed); messages are counted on arrival',
  labelNames: ['result'] as const,
  registers,
});

export const graphCalls = new client.Histogram({
  name: 'graph_api_call_duration_seconds',
  help: 'Graph API calls (each attempt) by operation and result (ok, or the failure kind)',
  labelNames: ['operation', 'result'] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers,
});

export const graphCircuit = new client.Gauge({
  name: 'graph_api_circuit_open',
  help: '1 while Graph API calls fail fast after consecutive outage failures (circuit open), 0 otherwise',
  registers,
});

export const vaultDecrypts = new client.Counter({
  name: 'vault_decrypts_total',
  help: 'Secrets decrypted from the vault',
  registers,
});

export const jobFailures = new client.Counter({
  name: 'job_failures_total',
  help: 'Job handler runs that threw, by job name',
  labelNames: ['job'] as const,
  registers,
});

/** What the scrape-time gauges read; set by the running app (the last one built, in tests). */
interface Sources {
  pool: Pool;
  query<T>(text: string): Promise<T[]>;
}
let sources: Sources | null = null;

/** Points the scrape-time gauges at the app's database. */
export function useMetricSources(s: Sources): void {
  sources = s;
}

new client.Gauge({
  name: 'db_pool_connections',
  help: 'Database pool connections by state (total, idle, waiting clients)',
  labelNames: ['state'] as const,
  registers,
  collect() {
    if (!sources) return;
    this.set({ state: 'total' }, sources.pool.totalCount);
    this.set({ state: 'idle' }, sources.pool.idleCount);
    this.set({ state: 'waiting' }, sources.pool.waitingCount);
  },
});

new client.Gauge({
  name: 'webhook_processing_lag_seconds',
  help: 'Age of the oldest webhook event waiting for processing (0 when none waits)',
  registers,
  async collect() {
    if (!sources) return;
    const rows = await sources
      .query<{ lag: number | null }>("SELECT EXTRACT(EPOCH FROM now() - min(received_at))::float8 AS lag FROM webhook_events WHERE state = 'pending'")
      .catch(() => null);
    if (rows) this.set(Math.max(0, rows[0]?.lag ?? 0));
  },
});

new client.Gauge({
  name: 'webhook_events',
  help: 'Webhook events waiting (pending) or failed',
  labelNames: ['state'] as const,
  registers,
  async collect() {
    if (!sources) return;
    const rows = await sources
      .query<{ state: string; n: number }>("SELECT state::text AS state, count(*)::int AS n FROM webhook_events WHERE state IN ('pending', 'failed') GROUP BY state")
      .catch(() => null);
    if (!rows) return;
    this.reset();
    for (const s of ['pending', 'failed']) this.set({ state: s }, rows.find((r) => r.state === s)?.n ?? 0);
  },
});

new client.Gauge({
  name: 'job_queue_depth',
  help: 'Jobs waiting to run (created or retry), by queue',
  labelNames: ['queue'] as const,
  registers,
  async collect() {
    if (!sources) return;
    // pg-boss's own table; absent until the queue first started
    const rows = await sources
      .query<{ name: string; n: number }>("SELECT name, count(*)::int AS n FROM pgboss.job WHERE state IN ('created', 'retry') GROUP BY name")
      .catch(() => null);
    if (!rows) return;
    this.reset();
    for (const r of rows) this.set({ queue: r.name }, r.n);
  },
});
