/** Routes: the signed-in user's own account (/api/v1/me...). */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { setSessionCookie, type CookieSettings } from '../../http/cookies.js';
import type { AccessDeps } from './access.deps.js';
import { presentUser } from './access.presenters.js';
import {
  activityPage,
  activityQuery,
  endedResponse,
  meResponse,
  passwordBody,
  profileBody,
  sessionList,
  sessionParams,
  userEnvelope,
} from './access.schemas.js';
import {
  changeOwnPassword,
  endOtherOwnSessions,
  endOwnSession,
  listOwnLoginActivity,
  listOwnSessions,
  updateOwnProfile,
} from './account.service.js';
import { abilitiesOf } from './permissions.js';
import { noContent } from '../../http/schemas.js';

/** Registers /api/v1/me and its sub-resources. */
export async function accountRoutes(
  app: FastifyInstance,
  deps: { access: AccessDeps; cookies: CookieSettings; environment: { outbox: boolean; sandbox: boolean; embeddedSignup: { ready: boolean; missing: string[] } } },
): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/me', {
    config: { action: 'self.read' },
    schema: { tags: ['me'], response: { 200: meResponse } },
  }, async (req) => ({ user: presentUser(req.caller!.user), abilities: abilitiesOf(req.caller!.user.role), environment: deps.environment }));

  r.patch('/api/v1/me', {
    config: { action: 'self.manage' },
    schema: { tags: ['me'], body: profileBody, response: { 200: userEnvelope } },
  }, async (req) => ({ user: presentUser(await updateOwnProfile(deps.access, req.caller!, req.body)) }));

  r.post('/api/v1/me/password', {
    config: { action: 'self.manage' },
    schema: { tags: ['me'], body: passwordBody, response: { 204: noContent } },
  }, async (req, reply) => {
    const { sessionToken } = await changeOwnPassword(deps.access, req.caller!, req.body);
    setSessionCookie(reply, deps.cookies, sessionToken);
    return reply.status(204).send(null);
  });

  r.get('/api/v1/me/sessions', {
    config: { action: 'self.manage' },
    schema: { tags: ['me'], response: { 200: sessionList } },
  }, async (req) => {
    const rows = await listOwnSessions(deps.access, req.caller!);
    return {
      items: rows.map((s) => ({
        id: s.id,
        current: s.id === req.caller!.sessionId,
        ip: s.ip,
        userAgent: s.userAgent,
        createdAt: s.createdAt,
        lastSeenAt: s.lastSeenAt,
        expiresAt: s.expiresAt,
      })),
    };
  });

  r.delete('/api/v1/me/sessions/:id', {
    config: { action: 'self.manage' },
    schema: { tags: ['me'], params: sessionParams, response: { 204: noContent } },
  }, async (req, reply) => {
    await endOwnSession(deps.access, req.caller!, req.params.id);
    return reply.status(204).send(null);
  });

  r.post('/api/v1/me/sessions/end-others', {
    config: { action: 'self.manage' },
    schema: { tags: ['me'], response: { 200: endedResponse } },
  }, async (req) => ({ ended: await endOtherOwnSessions(deps.access, req.caller!) }));

  r.get('/api/v1/me/login-activity', {
    config: { action: 'self.activity.read' },
    schema: { tags: ['me'], querystring: activityQuery, response: { 200: activityPage } },
  }, async (req) => {
    const page = await listOwnLoginActivity(deps.access, req.caller!, { cursor: req.query.cursor ?? null, limit: req.query.limit });
    return {
      items: page.items.map((a) => ({ id: a.id, at: a.at, result: a.result, reason: a.reason, ip: a.ip, userAgent: a.userAgent })),
      nextCursor: page.nextCursor === null ? null : String(page.nextCursor),
    };
  });
}
