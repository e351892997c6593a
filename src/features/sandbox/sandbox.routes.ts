/**
 * Sandbox mode only (META_APP_ID unset): the Meta simulator's Graph API under /sandbox/meta/graph and
 * POST /sandbox/meta/codes to mint an exchangeable code. Both answer loopback clients and signed-in
 * owners and admins (the `sandbox.simulator` row of the permission table). With a real Meta app
 * configured none of this is registered, so every /sandbox path is a 404.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { fieldError } from '../../http/errors.js';
import { registerSimulatorRoutes, SIM_SCENARIOS, SimulatorInputError, type MetaSimulator } from '../../meta-simulator/index.js';

const metaId = z.string().regex(/^\d{5,20}$/, 'must be a Meta id (digits)');
const mintBody = z.strictObject({
  businessId: metaId,
  wabaId: metaId,
  phoneNumberId: metaId.optional(),
  scenario: z.union([z.enum(SIM_SCENARIOS), z.array(z.enum(SIM_SCENARIOS)).max(5)]).optional(),
  redirectUri: z.url().max(500).optional(),
  userId: metaId.optional(),
});

/** Registers the simulator's routes and the code-minting endpoint. */
export async function sandboxRoutes(app: FastifyInstance, deps: { simulator: MetaSimulator }): Promise<void> {
  await registerSimulatorRoutes(app, deps.simulator, { prefix: '/sandbox/meta/graph', routeConfig: { action: 'sandbox.simulator' } });
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post('/sandbox/meta/codes', {
    config: { action: 'sandbox.simulator' },
    schema: { tags: ['sandbox'], body: mintBody, response: { 200: z.object({ code: z.string(), expiresAt: z.date() }) } },
  }, async (req) => {
    try {
      return deps.simulator.mintCode(req.body);
    } catch (err) {
      if (err instanceof SimulatorInputError) throw fieldError(err.field, err.message.replace(`${err.field}: `, ''));
      throw err;
    }
  });
}
