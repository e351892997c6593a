/**
 * GET /api/v1/audit/verify: walk the chain and report (nothing written; for monitoring).
 * POST /api/v1/audit/verify: the same from the integrity page, optionally anchoring the head first,
 * recorded as an 'audit.verified' event. Both need `audit.read` (owners and admins).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { verifyBody, verifyReport } from './verify.schemas.js';
import { runVerification, type ChainDeps } from './verify.service.js';

export async function auditChainRoutes(app: FastifyInstance, deps: { chain: ChainDeps }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['audit'];
  const actorOf = (req: FastifyRequest) => ({ actorType: 'user' as const, actorId: req.caller!.user.id, requestId: req.caller!.client.requestId });

  r.get('/api/v1/audit/verify', {
    config: { action: 'audit.read' },
    schema: { tags, summary: 'verify the audit chain and its anchors', response: { 200: verifyReport } },
  }, async (req) => runVerification(deps.chain, actorOf(req), { record: false, anchorFirst: false }));

  r.post('/api/v1/audit/verify', {
    config: { action: 'audit.read' },
    schema: { tags, summary: 'verify the audit chain (optionally anchoring the head first); recorded in the audit log', body: verifyBody, response: { 200: verifyReport } },
  }, async (req) => runVerification(deps.chain, actorOf(req), { record: true, anchorFirst: req.body?.anchorFirst ?? false }));
}
