/** The event log API's zod schemas (in and out). Never the raw value: the summary is content-free. */
import { z } from 'zod';

export const WEBHOOK_STATES = ['pending', 'processed', 'failed', 'duplicate', 'unhandled'] as const;

export const eventListQuery = z.strictObject({
  state: z.enum(WEBHOOK_STATES).optional(),
  field: z.string().trim().min(1).max(100).optional(),
  wabaId: z.string().regex(/^\d{1,30}$/, 'must be a WABA id').optional(),
  from: z.iso.datetime({ offset: true, error: 'must be an ISO date-time' }).transform((v) => new Date(v)).optional(),
  to: z.iso.datetime({ offset: true, error: 'must be an ISO date-time' }).transform((v) => new Date(v)).optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const eventParams = z.strictObject({ id: z.string().regex(/^\d{1,18}$/, 'must be a webhook event id').transform(Number) });

export const eventItemSchema = z.object({
  id: z.number().int(),
  receivedAt: z.date(),
  field: z.string(),
  wabaId: z.string().nullable(),
  phoneNumberId: z.string().nullable(),
  eventAt: z.date().nullable(),
  state: z.enum(WEBHOOK_STATES),
  reason: z.string().nullable(),
  attempts: z.number().int(),
  recordId: z.string().nullable(),
  summary: z.record(z.string(), z.unknown()),
});

export const eventListSchema = z.object({ items: z.array(eventItemSchema), nextCursor: z.string().nullable() });

export const reprocessSchema = z.object({
  event: eventItemSchema,
  processed: z.boolean(),
});
