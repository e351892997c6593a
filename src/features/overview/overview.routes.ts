/**
 * GET /api/v1/overview: the home page's panels for a period in the viewer's time zone. Every
 * signed-in role may ask; the answer carries only the panels the role may see (permissions.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getOverview, type OverviewDeps } from './overview.service.js';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD').refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'is not a calendar date');
const query = z.strictObject({
  period: z.enum(['7', '30', '90', 'custom'], 'must be 7, 30, 90 or custom').default('30'),
  from: day.optional(),
  to: day.optional(),
  tz: z.string().min(1).max(64).regex(/^[A-Za-z0-9_+\-/]+$/, 'must be an IANA time zone name such as Europe/Berlin').default('UTC'),
  source: z.enum(['all', 'staff', 'link'], 'must be all, staff or link').default('all'),
});

const counts = z.record(z.string(), z.number().int());
const overviewSchema = z.object({
  period: z.object({ from: z.date(), to: z.date(), fromDay: z.string(), toDay: z.string(), tz: z.string(), generatedAt: z.date() }),
  onboarding: z
    .object({
      source: z.enum(['all', 'staff', 'link']),
      funnel: z.array(z.object({ step: z.string(), count: z.number().int() })),
      abandoned: z.array(z.object({ step: z.string().nullable(), count: z.number().int() })),
      failures: z.array(z.object({ code: z.number().int().nullable(), count: z.number().int() })),
    })
    .optional(),
  accounts: z
    .object({
      byState: z.array(z.object({ state: z.string(), count: z.number().int() })),
      quality: z.array(z.object({ value: z.string().nullable(), count: z.number().int() })),
      nameStatus: z.array(z.object({ value: z.string().nullable(), count: z.number().int() })),
      tokens: z.object({ expiring: z.number().int(), expired: z.number().int(), windowDays: z.number().int() }),
    })
    .optional(),
  signIns: z
    .object({
      bucket: z.enum(['hour', 'day']),
      series: z.array(z.object({ bucket: z.string(), counts })),
      totals: counts,
      lockedAccounts: z.number().int(),
    })
    .optional(),
  webhooks: z
    .object({
      bucket: z.enum(['hour', 'day']),
      series: z.array(z.object({ bucket: z.string(), counts, lagMsAvg: z.number().int().nullable() })),
      byField: counts,
      byState: counts,
      lag: z.object({ avgMs: z.number().int().nullable(), maxMs: z.number().int().nullable() }),
    })
    .optional(),
  privacy: z
    .object({
      byState: z.array(z.object({ state: z.string(), overdue: z.number().int(), dueSoon: z.number().int(), later: z.number().int() })),
      dueSoonDays: z.number().int(),
      lastPurge: z
        .object({ startedAt: z.date(), finishedAt: z.date().nullable(), trigger: z.string(), error: z.string().nullable(), deleted: z.number().int() })
        .nullable(),
    })
    .optional(),
});

/** Registers GET /api/v1/overview. */
export async function overviewRoutes(app: FastifyInstance, deps: { overview: OverviewDeps }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/v1/overview',
    { config: { action: 'overview.read' }, schema: { tags: ['overview'], querystring: query, response: { 200: overviewSchema } } },
    async (req) => getOverview(deps.overview, req.caller!.user.role, req.query),
  );
}
