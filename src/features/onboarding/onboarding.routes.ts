/**
 * Routes of the staff Embedded Signup flow: start an attempt, hand in the code the moment the login
 * callback fires (exchanged at once, server-side), hand in the session info, read a record, retry a
 * step, enter an existing registration PIN. Customer-link routes and the connect page come next.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { clientInfo } from '../../http/guard.js';
import { AppError } from '../../http/errors.js';
import type { AuditContext } from '../audit/audit.types.js';
import {
  getOnboarding,
  receiveCode,
  receiveSessionInfo,
  retryStep,
  startAttempt,
  submitExistingPin,
} from './onboarding.service.js';
import { OnboardingError, sessionEventSchema, type OnboardingDeps } from './onboarding.types.js';

const attemptParams = z.strictObject({ attemptId: z.string().min(8).max(100).regex(/^[A-Za-z0-9_-]+$/, 'must be an attempt id') });
const recordParams = z.strictObject({ id: z.uuid('must be an onboarding record id') });
const codeBody = z.strictObject({
  code: z.string().min(1, 'is required').max(2000, 'is too long'),
  metaUserId: z.string().regex(/^\d{1,20}$/, 'must be a Meta user id').optional(),
});
const sessionBody = sessionEventSchema.extend({
  type: z.literal('WA_EMBEDDED_SIGNUP').optional(),
  version: z.union([z.number(), z.string().max(10)]).optional(),
});
const pinBody = z.strictObject({ pin: z.string().regex(/^\d{6}$/, 'must be 6 digits') });
const outcome = z.object({ recordId: z.uuid(), state: z.string(), reason: z.string().nullable() });
const metaError = z.object({ code: z.number().int().nullable(), subcode: z.number().int().nullable(), message: z.string().nullable(), fbtraceId: z.string().nullable() }).nullable();
/** What leaves about a record: identifiers, states, Meta's answers — never a token, PIN or code. */
const detailResponse = z.object({
  record: z.object({
    id: z.uuid(),
    state: z.string(),
    reason: z.string().nullable(),
    businessId: z.string().nullable(),
    businessName: z.string().nullable(),
    wabaId: z.string().nullable(),
    wabaName: z.string().nullable(),
    phoneNumberId: z.string().nullable(),
    sessionEvent: z.string().nullable(),
    abandonedStep: z.string().nullable(),
    token: z.object({ type: z.string().nullable(), expiresAt: z.date().nullable(), scopes: z.unknown(), verifiedAt: z.date().nullable() }),
    error: metaError,
    createdAt: z.date(),
    connectedAt: z.date().nullable(),
  }),
  steps: z.array(z.object({ step: z.string(), status: z.string(), attempt: z.number().int(), startedAt: z.date().nullable(), finishedAt: z.date().nullable(), durationMs: z.number().int().nullable(), error: metaError })),
  phoneNumbers: z.array(
    z.object({
      phoneNumberId: z.string(),
      displayPhoneNumber: z.string().nullable(),
      verifiedName: z.string().nullable(),
      qualityRating: z.string().nullable(),
      codeVerificationStatus: z.string().nullable(),
      nameStatus: z.string().nullable(),
      platformType: z.string().nullable(),
      throughput: z.string().nullable(),
      status: z.string().nullable(),
      lookedUpAt: z.date(),
    }),
  ),
});

const actorOf = (req: FastifyRequest): AuditContext => ({ actorType: 'user', actorId: req.caller!.user.id, requestId: clientInfo(req).requestId });

/** Turns the service's refusals into the API's error codes. */
async function run<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof OnboardingError) throw new AppError(err.kind, err.message);
    throw err;
  }
}

/** Registers /api/v1/onboarding/... (staff connect). */
export async function onboardingRoutes(app: FastifyInstance, deps: { onboarding: OnboardingDeps }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const d = deps.onboarding;

  r.post('/api/v1/onboarding/attempts', {
    config: { action: 'onboarding.manage' },
    schema: { tags: ['onboarding'], response: { 201: z.object({ recordId: z.uuid(), attemptId: z.string() }) } },
  }, async (req, reply) => reply.status(201).send(await run(() => startAttempt(d, { startedBy: req.caller!.user.id }, actorOf(req)))));

  r.post('/api/v1/onboarding/attempts/:attemptId/code', {
    config: { action: 'onboarding.manage' },
    schema: { tags: ['onboarding'], params: attemptParams, body: codeBody, response: { 200: outcome } },
  }, async (req) => run(() => receiveCode(d, req.params.attemptId, req.body.code, req.body.metaUserId, actorOf(req))));

  r.post('/api/v1/onboarding/attempts/:attemptId/session', {
    config: { action: 'onboarding.manage' },
    schema: { tags: ['onboarding'], params: attemptParams, body: sessionBody, response: { 200: outcome } },
  }, async (req) => run(() => receiveSessionInfo(d, req.params.attemptId, { event: req.body.event, data: req.body.data }, actorOf(req))));

  r.get('/api/v1/onboarding/:id', {
    config: { action: 'onboarding.read' },
    schema: { tags: ['onboarding'], params: recordParams, response: { 200: detailResponse } },
  }, async (req) => {
    const { record, steps, phoneNumbers } = await run(() => getOnboarding(d, req.params.id));
    return {
      record: {
        id: record.id,
        state: record.state,
        reason: record.reason,
        businessId: record.businessId,
        businessName: record.businessName,
        wabaId: record.wabaId,
        wabaName: record.wabaName,
        phoneNumberId: record.phoneNumberId,
        sessionEvent: record.sessionEvent,
        abandonedStep: record.abandonedStep,
        token: { type: record.tokenType, expiresAt: record.tokenExpiresAt, scopes: record.tokenScopes, verifiedAt: record.tokenVerifiedAt },
        error: record.errorCode === null ? null : { code: record.errorCode, subcode: record.errorSubcode, message: record.errorMessage, fbtraceId: record.errorFbtraceId },
        createdAt: record.createdAt,
        connectedAt: record.connectedAt,
      },
      steps: steps.map((s) => ({ step: s.step, status: s.status, attempt: s.attempt, startedAt: s.startedAt, finishedAt: s.finishedAt, durationMs: s.durationMs, error: s.errorCode === null ? null : { code: s.errorCode, subcode: s.errorSubcode, message: s.errorMessage, fbtraceId: s.errorFbtraceId } })),
      phoneNumbers: phoneNumbers.map((p) => ({
        phoneNumberId: p.phoneNumberId,
        displayPhoneNumber: p.displayPhoneNumber,
        verifiedName: p.verifiedName,
        qualityRating: p.qualityRating,
        codeVerificationStatus: p.codeVerificationStatus,
        nameStatus: p.nameStatus,
        platformType: p.platformType,
        throughput: p.throughput,
        status: p.status,
        lookedUpAt: p.lookedUpAt,
      })),
    };
  });

  r.post('/api/v1/onboarding/:id/retry', {
    config: { action: 'onboarding.retry' },
    schema: { tags: ['onboarding'], params: recordParams, response: { 200: outcome } },
  }, async (req) => run(() => retryStep(d, req.params.id, actorOf(req))));

  r.post('/api/v1/onboarding/:id/pin', {
    config: { action: 'onboarding.manage' },
    schema: { tags: ['onboarding'], params: recordParams, body: pinBody, response: { 200: outcome } },
  }, async (req) => run(() => submitExistingPin(d, req.params.id, req.body.pin, actorOf(req))));
}
