/**
 * Meta's webhook endpoint (GET handshake, POST deliveries: public, authenticated by Meta's verify
 * token and signature), the staff event log (/api/v1/webhooks/events) and the log of Meta's app
 * callbacks (/api/v1/webhooks/callbacks).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { coalescedTrigger, deliveryBatcher, ingestDelivery, listWebhookEvents, reprocessEvent, verifySubscription, type WebhookDeps } from './webhooks.service.js';
import { eventListQuery, eventListSchema, eventParams, reprocessSchema } from './webhooks.schemas.js';
import { callbackListQuery, callbackListSchema, listCallbacks } from './callbacks-log.js';

/** Meta's limit for one delivery. */
export const WEBHOOK_BODY_LIMIT = 3 * 1024 * 1024;
export const WEBHOOK_PATH = '/webhooks/whatsapp';

/** The security headers of a delivery's answer (it has no body: nothing to frame, sniff or refer from). */
const DELIVERY_HEADERS = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
} as const;
const SECURE_DELIVERY_HEADERS = { ...DELIVERY_HEADERS, 'strict-transport-security': 'max-age=31536000; includeSubDomains' } as const;

/**
 * POST in its own scope: every content type is read as the raw Buffer (the signature is over the
 * exact bytes), up to 3 MB (413 beyond).
 */
async function deliveryRoute(app: FastifyInstance, deps: { webhooks: WebhookDeps }): Promise<void> {
  // concurrent deliveries share statements (group commit); each 200 still follows its own commit
  const d: WebhookDeps = { ...deps.webhooks, storeDelivery: deps.webhooks.storeDelivery ?? deliveryBatcher(deps.webhooks.db) };
  const trigger = d.scheduleProcessing ? coalescedTrigger(d.scheduleProcessing, (err) => d.logger.error({ err }, 'could not enqueue webhook processing')) : () => {};
  app.removeAllContentTypeParsers();
  const keepRaw = { parseAs: 'buffer' as const, bodyLimit: WEBHOOK_BODY_LIMIT };
  const raw = (_req: unknown, body: Buffer, done: (err: null, body: Buffer) => void) => done(null, body);
  app.addContentTypeParser('application/json', keepRaw, raw);
  app.addContentTypeParser('*', keepRaw, raw);

  // helmet's per-request work was a tenth of the cost of a delivery (bench: webhook-ingest): this
  // empty answer to Meta's servers carries a fixed, precomputed set of the same protections instead
  app.post(WEBHOOK_PATH, { config: { action: 'public.meta_webhooks' }, bodyLimit: WEBHOOK_BODY_LIMIT, helmet: false, schema: { hide: true } }, async (req, reply) => {
    void reply.headers(d.secure ? SECURE_DELIVERY_HEADERS : DELIVERY_HEADERS);
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    await ingestDelivery(d, body, req.headers['x-hub-signature-256'], { requestId: req.id });
    // committed: answer, then ask for processing (the minute sweep covers a lost request)
    trigger();
    return reply.status(200).send();
  });
}

/** Registers the webhook endpoint and the event log routes. */
export async function webhookRoutes(app: FastifyInstance, deps: { webhooks: WebhookDeps }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const d = deps.webhooks;
  const tags = ['webhooks'];

  app.get(WEBHOOK_PATH, { config: { action: 'public.meta_webhooks' }, schema: { hide: true } }, async (req, reply) => {
    const challenge = verifySubscription(d, (req.query ?? {}) as Record<string, unknown>);
    return reply.status(200).type('text/plain; charset=utf-8').send(challenge);
  });
  await app.register(deliveryRoute, deps);

  r.get('/api/v1/webhooks/events', {
    config: { action: 'webhooks.read' },
    schema: { tags, querystring: eventListQuery, response: { 200: eventListSchema } },
  }, async (req) => listWebhookEvents(d, req.query));

  r.post('/api/v1/webhooks/events/:id/reprocess', {
    config: { action: 'webhooks.reprocess' },
    schema: { tags, params: eventParams, response: { 200: reprocessSchema } },
  }, async (req) => {
    const { event, summary } = await reprocessEvent(d, req.params.id);
    const { payload: _payload, payloadPurgeAfter: _p, dedupeKey: _k, sizeBytes: _s, processedAt: _pa, ...item } = event;
    return { event: { ...item, summary: item.summary as Record<string, unknown> }, processed: summary.processed === 1 };
  });

  r.get('/api/v1/webhooks/callbacks', {
    config: { action: 'webhooks.read' },
    schema: { tags, querystring: callbackListQuery, response: { 200: callbackListSchema } },
  }, async (req) => listCallbacks(d, req.query));
}
