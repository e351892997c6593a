/** Liveness (/healthz), readiness (/readyz) and the OpenAPI document. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

const status = z.object({ status: z.enum(['ok', 'unavailable']) });

/** Registers the probes; `isReady` answers whether the database responds with migrations applied. */
export async function healthRoutes(app: FastifyInstance, deps: { isReady(): Promise<boolean> }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/healthz', { config: { action: 'public.health' }, schema: { hide: true, response: { 200: status } } }, async () => ({
    status: 'ok' as const,
  }));
  r.get('/readyz', { config: { action: 'public.health' }, schema: { hide: true, response: { 200: status, 503: status } } }, async (_req, reply) => {
    const ready = await deps.isReady().catch(() => false);
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ok' : 'unavailable' });
  });
  r.get('/api/openapi.json', { config: { action: 'public.api_spec' }, schema: { hide: true } }, async () => app.swagger());
}
