/**
 * Routes of 2FA: the code step of sign-in, the caller's own 2FA, step-up proofs, the reset by owners
 * and admins, and the per-role policy. Thin: validate -> guard -> one service call -> present.
 */
import { sessionOf } from '../account.service.js';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { setDeviceCookie, setSessionCookie, type CookieSettings } from '../../../http/cookies.js';
import { AppError } from '../../../http/errors.js';
import { clientInfo } from '../../../http/guard.js';
import { presentUser } from '../access.presenters.js';
import { userEnvelope } from '../access.schemas.js';
import { DEVICE_COOKIE } from '../device-cookie.js';
import { userIdParams } from '../users.schemas.js';
import { getTwoFactorPolicy, setTwoFactorPolicy } from './policy.service.js';
import { completeSecondFactor } from './second-factor.service.js';
import { proveIdentity } from './step-up.service.js';
import { findSessionProvedAt, findSessionStage } from './two-factor.repo.js';
import {
  confirmBody,
  enrolmentBody,
  enrolmentResponse,
  policyBody,
  policyResponse,
  recoveryCodesResponse,
  removeBody,
  roleParams,
  secondFactorBody,
  statusResponse,
  stepUpBody,
  stepUpResponse,
  stepUpState,
} from './two-factor.schemas.js';
import { confirmEnrolment, removeOwnTwoFactor, resetTwoFactor, startEnrolment, twoFactorStatus, type TwoFactorDeps } from './two-factor.service.js';
import { noContent } from '../../../http/schemas.js';

export interface TwoFactorRouteDeps {
  twoFactor: TwoFactorDeps;
  cookies: CookieSettings;
  signInRateLimit: { max: number; timeWindowMs: number };
}

/** Registers /api/v1/auth/second-factor, /api/v1/me/two-factor*, /api/v1/me/step-up, the reset and /api/v1/settings/two-factor. */
export async function twoFactorRoutes(app: FastifyInstance, deps: TwoFactorRouteDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const d = deps.twoFactor;
  const tags = ['two-factor'];

  r.post('/api/v1/auth/second-factor', {
    config: { action: 'self.manage', rateLimit: { max: deps.signInRateLimit.max, timeWindow: deps.signInRateLimit.timeWindowMs } },
    schema: { tags, body: secondFactorBody, response: { 200: userEnvelope } },
  }, async (req, reply) => {
    const caller = req.caller!;
    if ((await findSessionStage(d.db, sessionOf(caller))) !== 'second_factor') throw new AppError('conflict', 'This session does not owe a second factor.');
    const result = await completeSecondFactor(
      d,
      { userId: caller.user.id, sessionId: sessionOf(caller), code: req.body.code, deviceCookieValue: req.cookies[DEVICE_COOKIE] },
      clientInfo(req),
    );
    setSessionCookie(reply, deps.cookies, result.sessionToken);
    if (result.deviceCookie) setDeviceCookie(reply, deps.cookies, result.deviceCookie);
    return { user: presentUser(result.user) };
  });

  r.get('/api/v1/me/two-factor', {
    config: { action: 'self.read' },
    schema: { tags, response: { 200: statusResponse } },
  }, async (req) => twoFactorStatus(d, req.caller!));

  r.post('/api/v1/me/two-factor/enrolment', {
    config: { action: 'self.manage' },
    schema: { tags, body: enrolmentBody, response: { 200: enrolmentResponse } },
  }, async (req, reply) => {
    // The secret is shown this once: no cache may keep it.
    reply.header('cache-control', 'no-store');
    return startEnrolment(d, req.caller!, { password: req.body?.password, code: req.body?.code });
  });

  r.post('/api/v1/me/two-factor/enrolment/confirm', {
    config: { action: 'self.manage' },
    schema: { tags, body: confirmBody, response: { 200: recoveryCodesResponse } },
  }, async (req, reply) => {
    reply.header('cache-control', 'no-store');
    const { recoveryCodes, sessionToken } = await confirmEnrolment(d, req.caller!, req.body);
    setSessionCookie(reply, deps.cookies, sessionToken);
    return { recoveryCodes };
  });

  r.post('/api/v1/me/two-factor/remove', {
    config: { action: 'self.manage' },
    schema: { tags, body: removeBody, response: { 204: noContent } },
  }, async (req, reply) => {
    await removeOwnTwoFactor(d, req.caller!, req.body);
    return reply.status(204).send(null);
  });

  // How long the session's last proof still counts: the UI asks for a proof before leaving for a page
  // (the connect page, a download) whose sensitive request it cannot retry itself.
  r.get('/api/v1/me/step-up', {
    config: { action: 'self.read' },
    schema: { tags, response: { 200: stepUpState } },
  }, async (req) => {
    // an API token has no session and proves nothing
    const sessionId = req.caller!.sessionId;
    const provedAt = sessionId ? ((await findSessionProvedAt(d.db, sessionId)) ?? null) : null;
    return { provedAt, windowMs: d.stepUpMs, remainingMs: provedAt ? Math.max(0, provedAt.getTime() + d.stepUpMs - d.clock.now().getTime()) : 0 };
  });

  r.post('/api/v1/me/step-up', {
    config: { action: 'self.manage' },
    schema: { tags, body: stepUpBody, response: { 200: stepUpResponse } },
  }, async (req) => proveIdentity(d, req.caller!, req.body));

  r.post('/api/v1/users/:id/two-factor/reset', {
    config: { action: 'users.2fa.reset' },
    schema: { tags, params: userIdParams, response: { 200: userEnvelope } },
  }, async (req) => ({ user: presentUser(await resetTwoFactor(d, req.caller!, req.params.id)) }));

  r.get('/api/v1/settings/two-factor', {
    config: { action: 'settings.manage' },
    schema: { tags, response: { 200: policyResponse } },
  }, async () => ({ roles: await getTwoFactorPolicy(d) }));

  r.put('/api/v1/settings/two-factor/:role', {
    config: { action: 'settings.manage' },
    schema: { tags, params: roleParams, body: policyBody, response: { 200: policyResponse } },
  }, async (req) => ({ roles: await setTwoFactorPolicy(d, req.caller!, req.params.role, req.body) }));
}
