/**
 * Retention periods, purge runs and legal holds (owners; docs/API-v1-retention.md).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { decodeCursor, encodeCursor } from '../../http/cursor.js';
import { fieldError } from '../../http/errors.js';
import { clientInfo } from '../../http/guard.js';
import type { Logger } from '../../logger.js';
import type { AuditContext } from '../audit/audit.types.js';
import { listHoldsPage, placeHold, removeHold, type HoldView } from './legal-holds.service.js';
import { runPurge, type PurgeResult } from './purge.service.js';
import { KIND_SPECS, RETENTION_KINDS, type RetentionKind } from './retention-kinds.js';
import type { RetentionDeps } from './retention.deps.js';
import { listPurgeRuns, type PurgeRunRow } from './retention.repo.js';
import { listPeriods, updatePeriods } from './retention.service.js';

const kindEnum = z.enum(RETENTION_KINDS);
const periodSchema = z.object({
  kind: kindEnum,
  label: z.string(),
  describe: z.string(),
  unit: z.enum(['days', 'hours']),
  value: z.number().int(),
  default: z.number().int(),
  min: z.number().int(),
  max: z.number().int(),
  updatedAt: z.date().nullable(),
  updatedBy: z.object({ id: z.uuid(), displayName: z.string() }).nullable(),
});
const periodsBody = z.strictObject({
  periods: z.strictObject(
    Object.fromEntries(
      RETENTION_KINDS.map((k) => {
        const s = KIND_SPECS[k];
        return [k, z.number('must be a number').int('must be a whole number').min(s.min, `must be at least ${s.min} ${s.unit}`).max(s.max, `must be at most ${s.max} ${s.unit}`).optional()];
      }),
    ) as Record<RetentionKind, z.ZodOptional<z.ZodNumber>>,
  ),
});
const countsSchema = z.object(Object.fromEntries(RETENTION_KINDS.map((k) => [k, z.number().int()])) as Record<RetentionKind, z.ZodNumber>);
const purgeResultSchema = z.object({
  runId: z.number().int().nullable(),
  dryRun: z.boolean(),
  counts: countsSchema,
  anchorId: z.number().int().nullable(),
  cutoffs: z.object(Object.fromEntries(RETENTION_KINDS.map((k) => [k, z.date()])) as Record<RetentionKind, z.ZodDate>),
});
const runSchema = z.object({
  id: z.number().int(),
  startedAt: z.date(),
  finishedAt: z.date().nullable(),
  dryRun: z.boolean(),
  trigger: z.string(),
  counts: z.record(z.string(), z.number()),
  anchorId: z.number().int().nullable(),
  error: z.string().nullable(),
});
const holdSchema = z.object({
  id: z.uuid(),
  subjectType: z.enum(['user', 'onboarding']),
  subjectId: z.uuid(),
  subjectLabel: z.string().nullable(),
  reason: z.string(),
  placedBy: z.uuid().nullable(),
  placedAt: z.date(),
  liftedAt: z.date().nullable(),
  liftedBy: z.uuid().nullable(),
  liftReason: z.string().nullable(),
});
const reason = z.string().trim().min(3, 'must be at least 3 characters').max(500, 'must be at most 500 characters');
const placeBody = z.strictObject({
  subjectType: z.enum(['user', 'onboarding'], 'must be user or onboarding'),
  subjectId: z.uuid('must be a user or onboarding record id'),
  reason,
});
const liftBody = z.strictObject({ reason });
const holdParams = z.strictObject({ id: z.uuid('must be a legal hold id') });
const pageQuery = z.strictObject({
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
const holdsQuery = pageQuery.extend({ status: z.enum(['active', 'all']).default('active') });

const actorOf = (req: FastifyRequest): AuditContext => ({ actorType: 'user', actorId: req.caller!.user.id, requestId: clientInfo(req).requestId });

const presentRun = (r: PurgeRunRow): z.input<typeof runSchema> => ({ ...r, counts: (r.counts ?? {}) as Record<string, number> });
const presentHold = (h: HoldView): z.input<typeof holdSchema> => ({ ...h, subjectType: h.subjectType as 'user' | 'onboarding' });
const presentResult = (r: PurgeResult): z.input<typeof purgeResultSchema> => r;

/** Registers /api/v1/retention/* and /api/v1/legal-holds. */
export async function retentionRoutes(app: FastifyInstance, deps: { retention: RetentionDeps; logger: Pick<Logger, 'info'> }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const d = deps.retention;
  const tags = ['retention'];

  r.get('/api/v1/retention/periods', {
    config: { action: 'settings.manage' },
    schema: { tags, response: { 200: z.object({ items: z.array(periodSchema) }) } },
  }, async () => ({ items: await listPeriods(d) }));

  r.put('/api/v1/retention/periods', {
    config: { action: 'settings.manage' },
    schema: { tags, body: periodsBody, response: { 200: z.object({ items: z.array(periodSchema) }) } },
  }, async (req) => ({ items: await updatePeriods(d, actorOf(req), req.body.periods) }));

  r.get('/api/v1/retention/purge-runs', {
    config: { action: 'settings.manage' },
    schema: { tags, querystring: pageQuery, response: { 200: z.object({ items: z.array(runSchema), nextCursor: z.string().nullable() }) } },
  }, async (req) => {
    let after: { startedAt: Date; id: number } | undefined;
    if (req.query.cursor) {
      const c = decodeCursor(req.query.cursor, /^\d{1,19}$/);
      if (c.value === null || Number.isNaN(Date.parse(c.value))) throw fieldError('cursor', 'is not a cursor from this list');
      after = { startedAt: new Date(c.value), id: Number(c.id) };
    }
    const rows = await listPurgeRuns(d.db, { limit: req.query.limit + 1, after });
    const page = rows.slice(0, req.query.limit);
    const last = page[page.length - 1];
    return { items: page.map(presentRun), nextCursor: rows.length > req.query.limit && last ? encodeCursor(last.startedAt.toISOString(), String(last.id)) : null };
  });

  r.get('/api/v1/retention/purge-preview', {
    config: { action: 'settings.manage' },
    schema: { tags, response: { 200: purgeResultSchema } },
  }, async () => presentResult(await runPurge(d, { dryRun: true, trigger: 'manual' })));

  r.post('/api/v1/retention/purge', {
    config: { action: 'settings.manage' },
    schema: { tags, response: { 200: purgeResultSchema } },
  }, async (req) => presentResult(await runPurge({ ...d, logger: deps.logger }, { dryRun: false, trigger: 'manual', actor: actorOf(req) })));

  r.get('/api/v1/legal-holds', {
    config: { action: 'legal_hold.manage' },
    schema: { tags, querystring: holdsQuery, response: { 200: z.object({ items: z.array(holdSchema), nextCursor: z.string().nullable() }) } },
  }, async (req) => {
    const page = await listHoldsPage(d, { active: req.query.status === 'active', limit: req.query.limit, cursor: req.query.cursor });
    return { items: page.items.map(presentHold), nextCursor: page.nextCursor };
  });

  r.post('/api/v1/legal-holds', {
    config: { action: 'legal_hold.manage' },
    schema: { tags, body: placeBody, response: { 201: holdSchema } },
  }, async (req, reply) => {
    const hold = await placeHold(d, actorOf(req), req.body);
    return reply.code(201).send(presentHold(hold));
  });

  r.post('/api/v1/legal-holds/:id/lift', {
    config: { action: 'legal_hold.manage' },
    schema: { tags, params: holdParams, body: liftBody, response: { 200: holdSchema } },
  }, async (req) => presentHold(await removeHold(d, actorOf(req), req.params.id, req.body.reason)));
}
