/**
 * Routes of WhatsApp onboarding for signed-in staff (docs/API-v1-onboarding.md): list and read
 * records; start an Embedded Signup attempt (or a reconnect), hand in the code the moment the login
 * callback fires and the session info separately; retry, refresh, enter an existing PIN, reveal the
 * PIN once, disconnect; list the WABAs shared with the app that no record holds ("shared accounts").
 * The customer-link routes live in customer-links/.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { clientInfo } from '../../http/guard.js';
import { AppError, fieldError } from '../../http/errors.js';
import { verifyPassword } from '../access/passwords.js';
import type { AuditContext } from '../audit/audit.types.js';
import { GraphError } from '../meta/graph-error.js';
import { disconnectRecord, revealPin } from './onboarding-disconnect.js';
import { refreshRecord } from './onboarding-refresh.js';
import { outcomeSchema, presentDetail, presentListItem, recordDetailSchema, recordListSchema } from './onboarding.present.js';
import {
  attemptStatus,
  getOnboarding,
  getReports,
  listOnboarding,
  receiveCode,
  receiveSessionInfo,
  retryStep,
  startAttempt,
  submitExistingPin,
} from './onboarding.service.js';
import { OnboardingError, sessionEventSchema, type OnboardingDeps } from './onboarding.types.js';
import { listSharedAccounts, sharedAccountListSchema, sharedAccountsQuery } from './shared-accounts.js';

/** The :attemptId path parameter. */
export const attemptParams = z.strictObject({ attemptId: z.string().min(8).max(100).regex(/^[A-Za-z0-9_-]+$/, 'must be an attempt id') });
const recordParams = z.strictObject({ id: z.uuid('must be an onboarding record id') });
/** The body of a code hand-in. */
export const codeBody = z.strictObject({
  code: z.string().min(1, 'is required').max(2000, 'is too long'),
  metaUserId: z.string().regex(/^\d{1,20}$/, 'must be a Meta user id').optional(),
});
/** The body of a session-info hand-in: the WA_EMBEDDED_SIGNUP message. */
export const sessionBody = sessionEventSchema.extend({
  type: z.literal('WA_EMBEDDED_SIGNUP').optional(),
  version: z.union([z.number(), z.string().max(10)]).optional(),
});
/** What the connect page polls. */
export const attemptStatusSchema = z.object({
  recordId: z.uuid(),
  state: z.string(),
  reason: z.string().nullable(),
  abandonedStep: z.string().nullable(),
  wabaId: z.string().nullable(),
  wabaName: z.string().nullable(),
  displayPhoneNumber: z.string().nullable(),
});
const STATES = ['started', 'in_progress', 'action_required', 'failed', 'abandoned', 'connected', 'disconnected'] as const;
const listQuery = z.strictObject({
  state: z.enum(STATES).optional(),
  /** staff connects (no link) or customer links */
  via: z.enum(['staff', 'link'], 'must be staff or link').optional(),
  q: z.string().trim().min(1).max(100).optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
const pinBody = z.strictObject({ pin: z.string().regex(/^\d{6}$/, 'must be 6 digits') });
const revealBody = z.strictObject({ password: z.string().min(1, 'is required').max(1000) });

const actorOf = (req: FastifyRequest): AuditContext => ({ actorType: 'user', actorId: req.caller!.user.id, requestId: clientInfo(req).requestId });

/** Turns the service's refusals into the API's error codes. */
export async function run<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof OnboardingError) throw new AppError(err.kind, err.message);
    // Meta's own message (never a secret: the Graph client strips tokens from what it reports).
    if (err instanceof GraphError) throw new AppError(err.retryable ? 'unavailable' : 'upstream_failed', `Meta answered: ${err.message}`);
    throw err;
  }
}

/** Registers /api/v1/onboarding/... (staff). */
export async function onboardingRoutes(app: FastifyInstance, deps: { onboarding: OnboardingDeps }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const d = deps.onboarding;
  const tags = ['onboarding'];

  r.get('/api/v1/onboarding', {
    config: { action: 'onboarding.read' },
    schema: { tags, querystring: listQuery, response: { 200: recordListSchema } },
  }, async (req) => {
    const page = await listOnboarding(d, req.query);
    return { items: page.items.map((i) => presentListItem(i.row, i.phones)), nextCursor: page.nextCursor };
  });

  // a static path: matched before /api/v1/onboarding/:id
  r.get('/api/v1/onboarding/shared-accounts', {
    config: { action: 'onboarding.read' },
    schema: { tags, querystring: sharedAccountsQuery, response: { 200: sharedAccountListSchema } },
  }, async (req) => listSharedAccounts(d, req.query));

  r.post('/api/v1/onboarding/attempts', {
    config: { action: 'onboarding.manage' },
    schema: { tags, body: z.strictObject({ recordId: z.uuid('must be an onboarding record id').optional() }).nullish(), response: { 201: z.object({ recordId: z.uuid(), attemptId: z.string() }) } },
  }, async (req, reply) => reply.status(201).send(await run(() => startAttempt(d, { startedBy: req.caller!.user.id }, actorOf(req), req.body?.recordId))));

  r.get('/api/v1/onboarding/attempts/:attemptId', {
    config: { action: 'onboarding.read' },
    schema: { tags, params: attemptParams, response: { 200: attemptStatusSchema } },
  }, async (req) => run(() => attemptStatus(d, req.params.attemptId)));

  r.post('/api/v1/onboarding/attempts/:attemptId/code', {
    config: { action: 'onboarding.manage' },
    schema: { tags, params: attemptParams, body: codeBody, response: { 200: outcomeSchema } },
  }, async (req) => run(() => receiveCode(d, req.params.attemptId, req.body.code, req.body.metaUserId, actorOf(req))));

  r.post('/api/v1/onboarding/attempts/:attemptId/session', {
    config: { action: 'onboarding.manage' },
    schema: { tags, params: attemptParams, body: sessionBody, response: { 200: outcomeSchema } },
  }, async (req) => run(() => receiveSessionInfo(d, req.params.attemptId, { event: req.body.event, data: req.body.data }, actorOf(req))));

  r.get('/api/v1/onboarding/:id', {
    config: { action: 'onboarding.read' },
    schema: { tags, params: recordParams, response: { 200: recordDetailSchema } },
  }, async (req) => {
    const o = await run(() => getOnboarding(d, req.params.id));
    const reports = await getReports(d, req.params.id, o.phoneNumbers.map((p) => p.phoneNumberId));
    return presentDetail(o.row, o.steps, o.phoneNumbers, o.vault, reports);
  });

  r.post('/api/v1/onboarding/:id/retry', {
    config: { action: 'onboarding.retry' },
    schema: { tags, params: recordParams, response: { 200: outcomeSchema } },
  }, async (req) => run(() => retryStep(d, req.params.id, actorOf(req))));

  r.post('/api/v1/onboarding/:id/refresh', {
    config: { action: 'onboarding.retry' },
    schema: { tags, params: recordParams, response: { 200: outcomeSchema } },
  }, async (req) => run(() => refreshRecord(d, req.params.id, actorOf(req))));

  r.post('/api/v1/onboarding/:id/pin', {
    config: { action: 'onboarding.manage' },
    schema: { tags, params: recordParams, body: pinBody, response: { 200: outcomeSchema } },
  }, async (req) => run(() => submitExistingPin(d, req.params.id, req.body.pin, actorOf(req))));

  r.post('/api/v1/onboarding/:id/pin/reveal', {
    config: { action: 'onboarding.pin.reveal', rateLimit: { max: 5, timeWindow: 15 * 60_000 } },
    schema: { tags, params: recordParams, body: revealBody, response: { 200: z.object({ pin: z.string() }) } },
  }, async (req, reply) => {
    if (!(await verifyPassword(req.caller!.user.passwordHash, req.body.password))) throw fieldError('password', 'is not your password');
    const pin = await run(() => revealPin(d, req.params.id, actorOf(req)));
    return reply.header('cache-control', 'no-store').send({ pin });
  });

  r.post('/api/v1/onboarding/:id/disconnect', {
    config: { action: 'onboarding.manage' },
    schema: { tags, params: recordParams, response: { 200: outcomeSchema } },
  }, async (req) => run(() => disconnectRecord(d, req.params.id, actorOf(req))));
}
