/**
 * The audit log API's zod schemas (in and out): the filters shared by the list and the export, one
 * event as a list item, and the detail with its personal values.
 */
import { z } from 'zod';

export const ACTOR_TYPES = ['user', 'system', 'cli', 'meta', 'customer'] as const;
export const EXPORT_FORMATS = ['csv', 'jsonl'] as const;

const ACTION = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/;
const isoDate = z.iso.datetime({ offset: true, error: 'must be an ISO date-time' }).transform((v) => new Date(v));

/** `action=a&action=b` or `action=a,b`: one or several actions. */
const actions = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => [v].flat().flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s.length > 0))
  .pipe(z.array(z.string().regex(ACTION, 'must be an audit action such as user.invited')).max(50, 'at most 50 actions'));

/** The filters of the list and the export (a strict object: an unknown parameter is a 400 naming it). */
const filterShape = {
  actor: z.uuid({ error: 'must be a user id' }).optional(),
  actorType: z.enum(ACTOR_TYPES).optional(),
  action: actions.optional(),
  targetType: z.string().regex(/^[a-z][a-z_]{0,39}$/, 'must be a target type such as user').optional(),
  targetId: z.string().trim().min(1).max(200).optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
  q: z.string().trim().max(200).optional(),
};

type Filters = { targetType?: string; targetId?: string; from?: Date; to?: Date };

/** Cross-field rules: a target id needs its type (the index is on both); `from` before `to`. */
function checkFilters(v: Filters, ctx: z.RefinementCtx): void {
  if (v.targetId && !v.targetType) ctx.addIssue({ code: 'custom', path: ['targetId'], message: 'needs targetType as well' });
  if (v.from && v.to && v.from.getTime() >= v.to.getTime()) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
}

export const listQuery = z
  .strictObject({ ...filterShape, cursor: z.string().max(500).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) })
  .superRefine(checkFilters);

export const exportQuery = z.strictObject({ ...filterShape, format: z.enum(EXPORT_FORMATS) }).superRefine(checkFilters);

export type ListQuery = z.infer<typeof listQuery>;
export type ExportQuery = z.infer<typeof exportQuery>;
/** The filters alone (what the repo narrows by). */
export type AuditFilters = Omit<ExportQuery, 'format'>;

export const eventParams = z.strictObject({ id: z.string().regex(/^\d{1,18}$/, 'must be an audit event id').transform(Number) });

const actorSchema = z.object({
  type: z.string(),
  id: z.string().nullable(),
  /** the user's current display name (user actors whose account still exists) */
  name: z.string().nullable(),
});

export const eventItem = z.object({
  id: z.number().int(),
  at: z.date(),
  actor: actorSchema,
  action: z.string(),
  actionLabel: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  requestId: z.string().nullable(),
  changedFields: z.array(z.string()),
});

export const eventPage = z.object({ items: z.array(eventItem), nextCursor: z.string().nullable() });

export const personalValue = z.object({
  field: z.string(),
  /** before / after / value */
  kind: z.string(),
  subjectType: z.string(),
  subjectId: z.string(),
  value: z.string(),
});

export const eventDetail = z.object({
  event: eventItem.extend({
    details: z.record(z.string(), z.unknown()),
    /** personal values from the side table, while they exist (erasure and retention remove them) */
    personal: z.array(personalValue),
  }),
});

export const actionList = z.object({ items: z.array(z.object({ action: z.string(), label: z.string() })) });
