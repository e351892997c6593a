/** Routes: the signed-in user's personal API tokens (/api/v1/me/tokens). Browser sessions only (see SESSION_ONLY_ACTIONS). */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { noContent } from '../../../http/schemas.js';
import type { AccessDeps } from '../access.deps.js';
import { createdToken, createTokenBody, tokenList, tokenParams } from './api-tokens.schemas.js';
import { createApiToken, listOwnApiTokens, revokeOwnApiToken, tokenState } from './api-tokens.service.js';
import type { ApiTokenRow } from './api-tokens.repo.js';

export async function apiTokenRoutes(app: FastifyInstance, deps: { access: AccessDeps }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['me'];
  const present = (t: ApiTokenRow) => ({
    id: t.id,
    name: t.name,
    role: t.role,
    prefix: t.prefix,
    createdAt: t.createdAt,
    expiresAt: t.expiresAt,
    lastUsedAt: t.lastUsedAt,
    state: tokenState(t, deps.access.clock.now()),
    revokedAt: t.revokedAt,
    revokedReason: t.revokedReason,
  });

  r.get('/api/v1/me/tokens', {
    config: { action: 'self.tokens' },
    schema: { tags, response: { 200: tokenList } },
  }, async (req) => ({ items: (await listOwnApiTokens(deps.access, req.caller!)).map(present) }));

  r.post('/api/v1/me/tokens', {
    config: { action: 'self.tokens' },
    schema: { tags, body: createTokenBody, response: { 201: createdToken } },
  }, async (req, reply) => {
    const { row, token } = await createApiToken(deps.access, req.caller!, req.body);
    return reply.status(201).send({ item: present(row), token });
  });

  r.delete('/api/v1/me/tokens/:id', {
    config: { action: 'self.tokens' },
    schema: { tags, params: tokenParams, response: { 204: noContent } },
  }, async (req, reply) => {
    await revokeOwnApiToken(deps.access, req.caller!, req.params.id);
    return reply.status(204).send(null);
  });
}
