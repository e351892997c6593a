/** Liveness (/healthz), readiness (/readyz) and the OpenAPI document. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { StorageProblem } from '../../db/unavailable.js';

const status = z.object({
  status: z.enum(['ok', 'unavailable']),
  /** why not ready: the database does not answer (or misses migrations), or its storage refuses writes */
  reason: z.enum(['database_unavailable', 'storage_full', 'storage_read_only']).optional(),
});

/**
 * Registers the probes; `isReady` answers whether the database responds with migrations applied,
 * `storageProblem` (embedded database) whether its volume is full or read-only.
 */
export async function healthRoutes(
  app: FastifyInstance,
  deps: { isReady(): Promise<boolean>; storageProblem?: () => Promise<StorageProblem | null> },
): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/healthz', { config: { action: 'public.health' }, schema: { hide: true, response: { 200: status } } }, async () => ({
    status: 'ok' as const,
  }));
  r.get('/readyz', { config: { action: 'public.health' }, schema: { hide: true, response: { 200: status, 503: status } } }, async (_req, reply) => {
    // Checked first: the database may still answer reads while it cannot write anything.
    const storage = (await deps.storageProblem?.().catch(() => null)) ?? null;
    if (storage) return reply.status(503).send({ status: 'unavailable' as const, reason: storage });
    const ready = await deps.isReady().catch(() => false);
    if (!ready) return reply.status(503).send({ status: 'unavailable' as const, reason: 'database_unavailable' as const });
    return reply.status(200).send({ status: 'ok' as const });
  });
  r.get('/api/openapi.json', { config: { action: 'public.api_spec' }, schema: { hide: true } }, async () => app.swagger());
}
