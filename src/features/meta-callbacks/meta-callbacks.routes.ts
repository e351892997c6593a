/**
 * Meta's app callbacks and the deletion status page (public; the callbacks are authenticated by
 * signed_request, the page by its unguessable confirmation code):
 *   POST /meta/deauthorize, POST /meta/data-deletion   (form posts; a form parser in this scope only)
 *   GET  /data-deletion/status/:code                     (HTML, or JSON with Accept: application/json)
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../http/errors.js';
import { receiveDataDeletion } from './data-deletion.service.js';
import { deletionStatus, deletionStatusSchema } from './deletion-status.js';
import { renderStatusNotFoundPage, renderStatusPage } from './deletion-status.page.js';
import type { MetaCallbackDeps } from './meta-callbacks.types.js';
import { receiveDeauthorize } from './deauthorize.service.js';

/** A signed_request is a few hundred bytes; the form carries little else. */
const FORM_LIMIT = 16 * 1024;
const CALLBACK_LIMIT = { max: 600, timeWindow: 60_000 };
const STATUS_LIMIT = { max: 30, timeWindow: 60_000 };

/** Reads an urlencoded body: only `signed_request` matters (a repeated field stays a list and is refused). */
function parseForm(_req: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void): void {
  const values = new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8')).getAll('signed_request');
  done(null, { signed_request: values.length === 1 ? values[0] : values.length === 0 ? undefined : values });
}

/** The POST callbacks, in their own scope so the form parser stays here. */
async function callbackRoutes(app: FastifyInstance, deps: MetaCallbackDeps): Promise<void> {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_LIMIT }, parseForm);
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/meta/deauthorize', {
    bodyLimit: FORM_LIMIT,
    config: { action: 'public.meta_callbacks', rateLimit: CALLBACK_LIMIT },
    schema: { hide: true, response: { 200: z.strictObject({}) } },
  }, async (req) => {
    await receiveDeauthorize(deps, req.body, req.id);
    return {};
  });

  r.post('/meta/data-deletion', {
    bodyLimit: FORM_LIMIT,
    config: { action: 'public.meta_callbacks', rateLimit: CALLBACK_LIMIT },
    schema: { hide: true, response: { 200: z.object({ url: z.string(), confirmation_code: z.string() }) } },
  }, async (req) => receiveDataDeletion(deps, req.body, req.id));
}

const wantsHtml = (req: FastifyRequest) => String(req.headers.accept ?? '').includes('text/html');
const wantsJson = (req: FastifyRequest) => !wantsHtml(req) && String(req.headers.accept ?? '').includes('application/json');

/** Registers the callbacks and the status page. */
export async function metaCallbackRoutes(app: FastifyInstance, deps: MetaCallbackDeps): Promise<void> {
  await app.register(callbackRoutes, deps);
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/data-deletion/status/:code', {
    config: { action: 'public.deletion_status', rateLimit: STATUS_LIMIT },
    schema: { hide: true, params: z.object({ code: z.string() }) },
  }, async (req, reply) => {
    reply.header('cache-control', 'no-store').header('vary', 'accept').header('x-robots-tag', 'noindex');
    const status = await deletionStatus(deps, req.params.code);
    if (!status) {
      if (!wantsHtml(req)) throw new AppError('not_found', 'No data deletion request has this confirmation code.');
      return reply.status(404).type('text/html; charset=utf-8').send(renderStatusNotFoundPage(deps.contactEmail));
    }
    if (wantsJson(req)) return reply.type('application/json; charset=utf-8').send(deletionStatusSchema.parse(status));
    return reply.type('text/html; charset=utf-8').send(renderStatusPage(status, deps.contactEmail));
  });
}
