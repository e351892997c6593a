/**
 * Customer onboarding links, staff side: list, create (the URL is shown once), revoke
 * (docs/API-v1-onboarding.md).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { clientInfo } from '../../../http/guard.js';
import type { AuditContext } from '../../audit/audit.types.js';
import { run } from '../onboarding.routes.js';
import type { LinkListRow, LinkRow } from './customer-links.repo.js';
import { createLink, linkRow, linkStatus, listLinksPage, revokeLink, type CustomerLinkDeps } from './customer-links.service.js';

const linkSchema = z.object({
  id: z.uuid(),
  label: z.string(),
  businessName: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  status: z.enum(['active', 'used', 'revoked', 'expired']),
  expiresAt: z.date(),
  createdAt: z.date(),
  createdBy: z.object({ id: z.uuid(), displayName: z.string() }).nullable(),
  usedAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
  recordId: z.uuid().nullable(),
});
const optionalText = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`).optional().transform((v) => (v === '' ? undefined : v));
const createBody = z.strictObject({
  label: z.string().trim().min(1, 'is required').max(100, 'must be at most 100 characters'),
  businessName: optionalText(200),
  email: z.union([z.literal(''), z.email('must be an email address').max(254)]).optional().transform((v) => (v === '' ? undefined : v)),
  phone: z.union([z.literal(''), z.string().trim().regex(/^\+?[0-9 ()-]{6,20}$/, 'must be a phone number')]).optional().transform((v) => (v === '' ? undefined : v)),
  expiresInDays: z.number().int('must be a whole number').min(1, 'must be at least 1').max(30, 'must be at most 30').optional(),
});
const listQuery = z.strictObject({
  status: z.enum(['active', 'used', 'revoked', 'expired']).optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
const idParams = z.strictObject({ id: z.uuid('must be an onboarding link id') });

const actorOf = (req: FastifyRequest): AuditContext => ({ actorType: 'user', actorId: req.caller!.user.id, requestId: clientInfo(req).requestId });

function present(row: LinkListRow, now: Date): z.input<typeof linkSchema> {
  const l = row.link;
  return {
    id: l.id,
    label: l.label,
    businessName: l.businessName,
    email: l.email,
    phone: l.phone,
    status: linkStatus(l, now),
    expiresAt: l.expiresAt,
    createdAt: l.createdAt,
    createdBy: l.createdBy && row.createdByName !== null ? { id: l.createdBy, displayName: row.createdByName } : null,
    usedAt: l.usedAt,
    revokedAt: l.revokedAt,
    recordId: row.recordId,
  };
}

/** Registers /api/v1/onboarding-links. */
export async function customerLinksRoutes(app: FastifyInstance, deps: { links: CustomerLinkDeps }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const d = deps.links;
  const tags = ['onboarding'];
  const one = async (link: LinkRow) => present(await linkRow(d, link.id), d.clock.now());

  r.get('/api/v1/onboarding-links', {
    config: { action: 'onboarding.read' },
    schema: { tags, querystring: listQuery, response: { 200: z.object({ items: z.array(linkSchema), nextCursor: z.string().nullable() }) } },
  }, async (req) => {
    const page = await listLinksPage(d, req.query);
    const now = d.clock.now();
    return { items: page.items.map((row) => present(row, now)), nextCursor: page.nextCursor };
  });

  r.post('/api/v1/onboarding-links', {
    config: { action: 'onboarding.manage' },
    schema: { tags, body: createBody, response: { 201: z.object({ link: linkSchema, url: z.string() }) } },
  }, async (req, reply) => {
    const { link, url } = await createLink(d, req.caller!.user.id, req.body, actorOf(req));
    return reply.status(201).header('cache-control', 'no-store').send({ link: await one(link), url });
  });

  r.post('/api/v1/onboarding-links/:id/revoke', {
    config: { action: 'onboarding.manage' },
    schema: { tags, params: idParams, response: { 200: z.object({ link: linkSchema }) } },
  }, async (req) => ({ link: await one(await run(() => revokeLink(d, req.params.id, actorOf(req)))) }));
}
