/**
 * The customer side of an onboarding link (public: authorised by the link, not by a CRM account).
 * GET /onboard/:token checks the token, sets a short-lived cookie bound to the link and redirects to
 * GET /onboard, so the token is never in the address of a page that runs Meta's script. That page
 * shows the business's name and one Connect button; its script calls /onboard/api/... with the
 * cookie. A customer may retry after a cancel or failure until an onboarding through the link
 * reaches `connected`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ONBOARD_COOKIE, setOnboardCookie } from '../../../http/cookies.js';
import { AppError } from '../../../http/errors.js';
import { clientInfo } from '../../../http/guard.js';
import type { AuditContext } from '../../audit/audit.types.js';
import { connectPageHeaders, customerConfigOf, renderConnectPage, renderLinkInvalidPage, type ConnectConfig } from '../connect/connect-page.js';
import { outcomeSchema } from '../onboarding.present.js';
import { attemptParams, attemptStatusSchema, codeBody, run, sessionBody } from '../onboarding.routes.js';
import { attemptOfLink, attemptStatus, receiveCode, receiveSessionInfo, startAttempt } from '../onboarding.service.js';
import type { OnboardingDeps } from '../onboarding.types.js';
import type { LinkRow } from './customer-links.repo.js';
import { linkForToken, markOpened, type CustomerLinkDeps } from './customer-links.service.js';

const tokenParams = z.strictObject({ token: z.string().min(1).max(200) });
const PUBLIC_LIMIT = { max: 60, timeWindow: 60_000 };

const customerActor = (req: FastifyRequest): AuditContext => ({ actorType: 'customer', actorId: null, requestId: clientInfo(req).requestId });

/** Registers /onboard/:token, /onboard and /onboard/api/... */
export async function customerConnectRoutes(
  app: FastifyInstance,
  deps: { links: CustomerLinkDeps; onboarding: OnboardingDeps; connect: ConnectConfig; sandbox: boolean; secure: boolean },
): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const headers = connectPageHeaders(deps.sandbox);
  // A browser gets a page that says what happened; any other client the API's problem document.
  const invalid = (req: FastifyRequest, reply: FastifyReply) => {
    if (!String(req.headers.accept ?? '').includes('text/html')) throw new AppError('setup_token_invalid', 'This onboarding link is invalid, expired, revoked or already used.');
    return reply.status(410).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(renderLinkInvalidPage());
  };

  /** The link the cookie names, or a 410 problem (`allowUsed`: reading the result after connecting). */
  async function linkOf(req: FastifyRequest, allowUsed = false): Promise<LinkRow> {
    const link = await linkForToken(deps.links, req.cookies[ONBOARD_COOKIE], allowUsed);
    if (!link) throw new AppError('setup_token_invalid', 'This onboarding link is invalid, expired, revoked or already used. Ask for a new one.');
    return link;
  }

  r.get('/onboard/:token', {
    config: { action: 'public.onboarding_link', rateLimit: PUBLIC_LIMIT },
    schema: { hide: true, params: tokenParams },
  }, async (req, reply) => {
    const link = await linkForToken(deps.links, req.params.token);
    if (!link) return invalid(req, reply);
    await markOpened(deps.links, link);
    setOnboardCookie(reply, deps.secure, req.params.token);
    return reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').redirect('/onboard', 303);
  });

  r.get('/onboard', {
    config: { action: 'public.onboarding_link', rateLimit: PUBLIC_LIMIT },
    schema: { hide: true },
  }, async (req, reply) => {
    const link = await linkForToken(deps.links, req.cookies[ONBOARD_COOKIE]);
    if (!link) return invalid(req, reply);
    return reply.headers(headers).type('text/html; charset=utf-8').send(renderConnectPage(customerConfigOf(deps.connect, link)));
  });

  r.post('/onboard/api/attempts', {
    config: { action: 'public.onboarding_link', rateLimit: PUBLIC_LIMIT },
    schema: { tags: ['onboarding'], body: z.strictObject({}).nullish(), response: { 201: z.object({ recordId: z.uuid(), attemptId: z.string() }) } },
  }, async (req, reply) => {
    const link = await linkOf(req);
    return reply.status(201).send(await startAttempt(deps.onboarding, { linkId: link.id }, customerActor(req)));
  });

  r.get('/onboard/api/attempts/:attemptId', {
    config: { action: 'public.onboarding_link', rateLimit: { max: 300, timeWindow: 60_000 } },
    schema: { tags: ['onboarding'], params: attemptParams, response: { 200: attemptStatusSchema } },
  }, async (req) => {
    const link = await linkOf(req, true);
    return run(() => attemptStatus(deps.onboarding, req.params.attemptId, link.id));
  });

  r.post('/onboard/api/attempts/:attemptId/code', {
    config: { action: 'public.onboarding_link', rateLimit: PUBLIC_LIMIT },
    schema: { tags: ['onboarding'], params: attemptParams, body: codeBody, response: { 200: outcomeSchema } },
  }, async (req) => {
    const link = await linkOf(req);
    await run(() => attemptOfLink(deps.onboarding, req.params.attemptId, link.id));
    return run(() => receiveCode(deps.onboarding, req.params.attemptId, req.body.code, req.body.metaUserId, customerActor(req)));
  });

  r.post('/onboard/api/attempts/:attemptId/session', {
    config: { action: 'public.onboarding_link', rateLimit: PUBLIC_LIMIT },
    schema: { tags: ['onboarding'], params: attemptParams, body: sessionBody, response: { 200: outcomeSchema } },
  }, async (req) => {
    const link = await linkOf(req, true);
    await run(() => attemptOfLink(deps.onboarding, req.params.attemptId, link.id));
    return run(() => receiveSessionInfo(deps.onboarding, req.params.attemptId, { event: req.body.event, data: req.body.data }, customerActor(req)));
  });
}
