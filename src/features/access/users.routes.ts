/** Routes: the users area (/api/v1/users...) for owners, admins and, read-only, everyone. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AccessDeps } from './access.deps.js';
import { presentUser } from './access.presenters.js';
import { endedResponse, userEnvelope } from './access.schemas.js';
import { inviteUser, resendInvitation, revokeInvitation } from './invitations.service.js';
import { isLocked } from './lockout.js';
import { sendPasswordResetTo } from './password-reset.service.js';
import { roleMay } from './permissions.js';
import {
  changeRole,
  deactivateUser,
  endSessionsOf,
  getUserDetail,
  listSessionsOf,
  listUsersPage,
  reactivateUser,
  removeUser,
  unlockUser,
} from './users-admin.service.js';
import { mayResetTwoFactor } from './two-factor/two-factor.service.js';
import type { UserRow } from './users.repo.js';
import { noContent } from '../../http/schemas.js';
import {
  invitedResponse,
  inviteBody,
  mailResponse,
  otherSessions,
  roleBody,
  userDetailResponse,
  userIdParams,
  usersPage,
  usersQuery,
} from './users.schemas.js';

const INACTIVE_MS = 90 * 24 * 3600_000;

/** Registers /api/v1/users and its actions. */
export async function usersRoutes(app: FastifyInstance, deps: { access: AccessDeps }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { access } = deps;
  const item = (u: UserRow, invitationExpiresAt: Date | null) => ({ ...presentUser(u), locked: isLocked(u, access.clock.now()), invitationExpiresAt, twoFactorEnabled: u.totpEnrolledAt !== null });

  r.get('/api/v1/users', {
    config: { action: 'users.list' },
    schema: { tags: ['users'], querystring: usersQuery, response: { 200: usersPage } },
  }, async (req) => {
    const q = req.query;
    const page = await listUsersPage(access, {
      q: q.q || undefined,
      role: q.role,
      status: q.status,
      inactiveSince: q.inactive ? new Date(access.clock.now().getTime() - INACTIVE_MS) : undefined,
      sort: q.sort,
      order: q.order,
      cursor: q.cursor,
      limit: q.limit,
    });
    return { items: page.items.map((i) => item(i.user, i.invitationExpiresAt)), nextCursor: page.nextCursor };
  });

  r.get('/api/v1/users/:id', {
    config: { action: 'users.list' },
    schema: { tags: ['users'], params: userIdParams, response: { 200: userDetailResponse } },
  }, async (req) => {
    const d = await getUserDetail(access, req.caller!, req.params.id);
    const abilities = { ...d.abilities, resetTwoFactor: mayResetTwoFactor(req.caller!.user, d.user) };
    return { user: { ...item(d.user, d.invitationExpiresAt), abilities }, canInvite: roleMay(req.caller!.user.role, 'users.invite') };
  });

  r.get('/api/v1/users/:id/sessions', {
    config: { action: 'users.activity.read' },
    schema: { tags: ['users'], params: userIdParams, response: { 200: otherSessions } },
  }, async (req) => {
    const rows = await listSessionsOf(access, req.params.id);
    return { items: rows.map((s) => ({ id: s.id, ip: s.ip, userAgent: s.userAgent, createdAt: s.createdAt, lastSeenAt: s.lastSeenAt, expiresAt: s.expiresAt })) };
  });

  r.post('/api/v1/users/invitations', {
    config: { action: 'users.invite' },
    schema: { tags: ['users'], body: inviteBody, response: { 201: invitedResponse } },
  }, async (req, reply) => {
    const { user, mail } = await inviteUser(access, req.caller!, req.body);
    return reply.status(201).send({ user: presentUser(user), mail });
  });

  r.post('/api/v1/users/:id/invitation/resend', {
    config: { action: 'users.invite' },
    schema: { tags: ['users'], params: userIdParams, response: { 200: invitedResponse } },
  }, async (req) => {
    const { user, mail } = await resendInvitation(access, req.caller!, req.params.id);
    return { user: presentUser(user), mail };
  });

  r.delete('/api/v1/users/:id/invitation', {
    config: { action: 'users.invite' },
    schema: { tags: ['users'], params: userIdParams, response: { 204: noContent } },
  }, async (req, reply) => {
    await revokeInvitation(access, req.caller!, req.params.id);
    return reply.status(204).send(null);
  });

  r.patch('/api/v1/users/:id/role', {
    config: { action: 'users.role.change' },
    schema: { tags: ['users'], params: userIdParams, body: roleBody, response: { 200: userEnvelope } },
  }, async (req) => ({ user: presentUser(await changeRole(access, req.caller!, req.params.id, req.body.role)) }));

  const stateChange = (path: string, fn: typeof deactivateUser) =>
    r.post(`/api/v1/users/:id/${path}`, {
      config: { action: 'users.manage' },
      schema: { tags: ['users'], params: userIdParams, response: { 200: userEnvelope } },
    }, async (req) => ({ user: presentUser(await fn(access, req.caller!, req.params.id)) }));
  stateChange('deactivate', deactivateUser);
  stateChange('reactivate', reactivateUser);
  stateChange('remove', removeUser);
  stateChange('unlock', unlockUser);

  r.post('/api/v1/users/:id/sessions/end-all', {
    config: { action: 'users.manage' },
    schema: { tags: ['users'], params: userIdParams, response: { 200: endedResponse } },
  }, async (req) => ({ ended: await endSessionsOf(access, req.caller!, req.params.id) }));

  r.post('/api/v1/users/:id/password-reset', {
    config: { action: 'users.manage' },
    schema: { tags: ['users'], params: userIdParams, response: { 200: mailResponse } },
  }, async (req) => ({ mail: await sendPasswordResetTo(access, req.caller!, req.params.id) }));
}
