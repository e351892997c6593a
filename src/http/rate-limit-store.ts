/**
 * A PostgreSQL store for @fastify/rate-limit: fixed-window counters in `rate_limit_hits`, so every
 * instance behind a load balancer counts the same requests (an in-memory store would give each
 * instance its own allowance). One upsert per limited request; keys are stored as SHA-256 of
 * (route, client key), never the client's IP or email in clear. Expired rows are reused in place
 * and swept by `sweepRateLimits`.
 */
import { createHash } from 'node:crypto';
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Pool } from 'pg';

const INCR = `
  INSERT INTO rate_limit_hits (key, count, reset_at) VALUES ($1, 1, now() + $2 * interval '1 millisecond')
  ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN rate_limit_hits.reset_at <= now() THEN 1 ELSE rate_limit_hits.count + 1 END,
    reset_at = CASE WHEN rate_limit_hits.reset_at <= now() THEN excluded.reset_at ELSE rate_limit_hits.reset_at END
  RETURNING count, GREATEST(0, ceil(EXTRACT(EPOCH FROM (reset_at - now())) * 1000))::float8 AS ttl`;

const hashed = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');

/** The store class the plugin instantiates (`store` option), bound to `pool`. */
export function pgRateLimitStore(pool: Pool): FastifyRateLimitStoreCtor {
  class PgRateLimitStore implements FastifyRateLimitStore {
    private readonly prefix: string;
    // the plugin constructs the root store with its options; children get their route's prefix
    constructor(prefix?: unknown) {
      this.prefix = typeof prefix === 'string' ? prefix : 'global:';
    }
    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
      pool.query<{ count: number; ttl: number }>(INCR, [hashed(this.prefix + key), timeWindow]).then(
        (r) => callback(null, { current: r.rows[0]!.count, ttl: r.rows[0]!.ttl }),
        (err: Error) => callback(err),
      );
    }
    child(routeOptions: Parameters<FastifyRateLimitStore['child']>[0]): FastifyRateLimitStore {
      // the plugin passes the route's options with its routeInfo (method, url), as RedisStore reads them
      const info = (routeOptions as { routeInfo?: { method?: string; url?: string } }).routeInfo;
      return new PgRateLimitStore(`${this.prefix}${info?.method ?? ''} ${info?.url ?? ''}:`);
    }
  }
  return PgRateLimitStore as unknown as FastifyRateLimitStoreCtor;
}

/** Deletes windows that ended more than an hour ago (a job calls it). */
export async function sweepRateLimits(pool: Pool): Promise<number> {
  const r = await pool.query("DELETE FROM rate_limit_hits WHERE reset_at < now() - interval '1 hour'");
  return r.rowCount ?? 0;
}
