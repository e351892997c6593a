/**
 * GET /metrics (Prometheus text). With METRICS_TOKEN set, only `Authorization: Bearer <token>`
 * (compared in constant time); without it, loopback clients only (permissions.md: "loopback client",
 * so behind a trusted proxy the forwarded address counts). The request duration histogram is fed by
 * an onResponse hook on the whole app, labelled by route pattern (never the raw URL: ids and tokens
 * would become labels).
 */
import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { AppError } from '../../http/errors.js';
import { isLoopback } from '../../http/guard.js';
import { sameSecret } from '../../lib/tokens.js';
import { httpDuration, registry, useMetricSources } from './metrics.js';

export interface MetricsDeps {
  token: string | undefined;
  pool: Pool;
}

/** Whether this request may read /metrics. */
export function metricsAllowed(req: { headers: Record<string, unknown>; ip: string | undefined }, token: string | undefined): 'ok' | 'unauthenticated' | 'forbidden' {
  if (token) {
    const auth = req.headers.authorization;
    const given = typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice('Bearer '.length) : undefined;
    return sameSecret(given, token) ? 'ok' : 'unauthenticated';
  }
  return isLoopback(req.ip) ? 'ok' : 'forbidden';
}

/** Registers the request-duration hook on `app` (call on the root instance) and GET /metrics. */
export async function metricsRoutes(app: FastifyInstance, deps: MetricsDeps): Promise<void> {
  useMetricSources({ pool: deps.pool, query: async (text) => (await deps.pool.query(text)).rows });
  app.get('/metrics', { config: { action: 'public.metrics' }, schema: { hide: true } }, async (req, reply) => {
    const allowed = metricsAllowed(req, deps.token);
    if (allowed === 'unauthenticated') throw new AppError('unauthenticated', 'A valid metrics bearer token is required.');
    if (allowed === 'forbidden') throw new AppError('forbidden', 'Metrics answer loopback clients only (set METRICS_TOKEN to scrape from elsewhere).');
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}

/** The onResponse hook timing every routed request (unrouted 404s count under route "(none)"). */
export function recordRequestDurations(app: FastifyInstance): void {
  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? '(none)';
    httpDuration.observe({ method: req.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
    done();
  });
}
