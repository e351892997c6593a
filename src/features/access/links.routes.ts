/** Public routes for invitation and password-reset links, and the owners'/admins' sign-in log. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { setSessionCookie, type CookieSettings } from '../../http/cookies.js';
import { clientInfo } from '../../http/guard.js';
import type { AccessDeps } from './access.deps.js';
import { presentUser } from './access.presenters.js';
import { userEnvelope } from './access.schemas.js';
import { acceptInvitation, getInvitationStatus } from './invitations.service.js';
import { listAllLoginActivity } from './login-activity.repo.js';
import { completePasswordReset, getResetStatus, requestPasswordReset } from './password-reset.service.js';
import {
  acceptBody,
  activityLogPage,
  activityLogQuery,
  invitationStatus,
  resetCompleteBody,
  resetRequestBody,
  resetStatus,
  tokenQuery,
} from './users.schemas.js';
import { z } from 'zod';
import { noContent } from '../../http/schemas.js';

/** Registers /api/v1/invitations/*, /api/v1/auth/password-reset/*, /api/v1/login-activity. */
export async function linksRoutes(app: FastifyInstance, deps: { access: AccessDeps; cookies: CookieSettings }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { access } = deps;
  const publicLimit = { max: 20, timeWindow: 60_000 };

  r.get('/api/v1/invitations/status', {
    config: { action: 'public.invitation', rateLimit: publicLimit },
    schema: { tags: ['invitations'], querystring: tokenQuery, response: { 200: invitationStatus } },
  }, async (req) => getInvitationStatus(access, req.query.token));

  r.post('/api/v1/invitations/accept', {
    config: { action: 'public.invitation', rateLimit: publicLimit },
    schema: { tags: ['invitations'], body: acceptBody, response: { 200: userEnvelope } },
  }, async (req, reply) => {
    const { user, sessionToken } = await acceptInvitation(access, req.body, clientInfo(req));
    setSessionCookie(reply, deps.cookies, sessionToken);
    return { user: presentUser(user) };
  });

  r.post('/api/v1/auth/password-reset/request', {
    // per IP here; per account in the service (3 links an hour)
    config: { action: 'public.password_reset', rateLimit: { max: 5, timeWindow: 15 * 60_000 } },
    schema: { tags: ['auth'], body: resetRequestBody, response: { 202: z.object({ ok: z.literal(true) }) } },
  }, async (req, reply) => {
    const { delivery } = await requestPasswordReset(access, req.body.email, clientInfo(req));
    delivery.catch((err: unknown) => req.log.error({ err }, 'password reset mail failed'));
    return reply.status(202).send({ ok: true });
  });

  r.get('/api/v1/auth/password-reset/status', {
    config: { action: 'public.password_reset', rateLimit: publicLimit },
    schema: { tags: ['auth'], querystring: tokenQuery, response: { 200: resetStatus } },
  }, async (req) => getResetStatus(access, req.query.token));

  r.post('/api/v1/auth/password-reset/complete', {
    config: { action: 'public.password_reset', rateLimit: publicLimit },
    schema: { tags: ['auth'], body: resetCompleteBody, response: { 204: noContent } },
  }, async (req, reply) => {
    await completePasswordReset(access, req.body, clientInfo(req));
    return reply.status(204).send(null);
  });

  r.get('/api/v1/login-activity', {
    config: { action: 'users.activity.read' },
    schema: { tags: ['users'], querystring: activityLogQuery, response: { 200: activityLogPage } },
  }, async (req) => {
    const q = req.query;
    const rows = await listAllLoginActivity(access.db, { ...q, beforeId: q.cursor ?? null, limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    return {
      items: page.map(({ a, userDisplayName, userEmail }) => ({
        id: a.id,
        at: a.at,
        userId: a.userId,
        userDisplayName,
        userEmail,
        attemptedEmail: a.attemptedEmail,
        result: a.result,
        reason: a.reason,
        ip: a.ip,
        userAgent: a.userAgent,
      })),
      nextCursor: rows.length > q.limit ? String(page[page.length - 1]!.a.id) : null,
    };
  });
}
