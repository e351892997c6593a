/**
 * Sandbox mode only (META_APP_ID unset): the Meta simulator's Graph API under /sandbox/meta/graph,
 * POST /sandbox/meta/codes to mint an exchangeable code, and POST /sandbox/meta/events to make the
 * simulator send a signed webhook or callback to this app (GET lists the recent deliveries). All
 * answer loopback clients and signed-in owners and admins (the `sandbox.simulator` row of the
 * permission table). With a real Meta app configured none of this is registered, so every /sandbox
 * path is a 404.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { fieldError } from '../../http/errors.js';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import { registerSimulatorRoutes, SIM_SCENARIOS, SimulatorEvents, SimulatorInputError, type EventSenderOptions, type MetaSimulator } from '../../meta-simulator/index.js';
import { deliveryDetail, deliverySummary, detail, eventsBody, sendEvents, summarise, targetsOf } from './sandbox-events.js';
import { ownListenerUrl } from './sandbox-meta.js';

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
export async function sandboxRoutes(
  app: FastifyInstance,
  deps: {
    simulator: MetaSimulator;
    config: Config;
    db: Db;
    /** retry schedule and timeout of the simulator's deliveries (default: 5 tries over about a minute) */
    events?: Omit<EventSenderOptions, 'appSecret' | 'now' | 'logger'>;
  },
): Promise<void> {
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

  // Meta posts to the app: here, this process's own listener (its actual port once listening).
  const events = new SimulatorEvents(deps.simulator, deps.events);
  app.addHook('onClose', async () => events.close());
  const targets = () => {
    const addr = app.server.address() as AddressInfo | string | null;
    return targetsOf(ownListenerUrl(deps.config, addr && typeof addr === 'object' ? addr.port : deps.config.port));
  };
  r.post('/sandbox/meta/events', {
    config: { action: 'sandbox.simulator' },
    schema: { tags: ['sandbox'], body: eventsBody, response: { 202: z.object({ deliveries: z.array(deliverySummary) }) } },
  }, async (req, reply) => {
    const sent = await sendEvents({ db: deps.db, events, targets: targets() }, req.body);
    return reply.status(202).send({ deliveries: sent.map(summarise) });
  });
  r.get('/sandbox/meta/events', {
    config: { action: 'sandbox.simulator' },
    schema: { tags: ['sandbox'], response: { 200: z.object({ deliveries: z.array(deliveryDetail) }) } },
  }, async () => ({ deliveries: events.sender.deliveries().slice(0, 50).map(detail) }));
}
