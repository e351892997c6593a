/** zod schemas of the privacy request routes (queue and "My data"). Responses list exactly what may leave. */
import { z } from 'zod';
import { displayName, email } from '../../access/access.schemas.js';
import { REQUEST_KINDS, REQUEST_SOURCES, REQUEST_STATES } from '../request-states.js';

const reason = z.string().trim().min(3, 'must be at least 3 characters').max(2000, 'must be at most 2000 characters');
const message = z.string().trim().max(4000, 'must be at most 4000 characters');

export const requestIdParams = z.strictObject({ id: z.uuid('must be a request id') });

export const queueQuery = z.strictObject({
  state: z.enum([...REQUEST_STATES, 'open']).optional(),
  kind: z.enum(REQUEST_KINDS).optional(),
  source: z.enum(REQUEST_SOURCES).optional(),
  urgency: z.enum(['overdue', 'due_soon']).optional(),
  cursor: z.string().max(500, 'is too long').optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const correctionBody = z.strictObject({
  displayName: displayName.optional(),
  email: email.optional(),
  other: z.string().trim().min(1).max(2000, 'must be at most 2000 characters').optional(),
});

export const ownRequestBody = z.strictObject({
  kind: z.enum(REQUEST_KINDS),
  message: message.optional(),
  correction: correctionBody.optional(),
});

export const onBehalfBody = z.strictObject({
  kind: z.enum(REQUEST_KINDS),
  subjectUserId: z.uuid('must be a user id').optional(),
  email: email.optional(),
  message: message.optional(),
  correction: correctionBody.optional(),
  /** manual verification now, with the reason recorded; absent: the request waits at `received` */
  verifyReason: reason.optional(),
});

export const reasonBody = z.strictObject({ reason });
export const optionalReasonBody = z.strictObject({ reason: reason.optional() });
export const exportQuery = z.strictObject({ format: z.enum(['json', 'text']).default('json') });
export const confirmEmailBody = z.strictObject({ token: z.string().min(1, 'is required').max(200, 'is too long') });

const outcome = z.object({
  deleted: z.array(z.string()),
  kept: z.array(z.object({ what: z.string(), why: z.string() })),
  corrected: z.array(z.string()).optional(),
  note: z.string().nullable(),
  pending: z.string().nullable(),
  export: z.boolean(),
});

export const requestItem = z.object({
  id: z.uuid(),
  kind: z.enum(REQUEST_KINDS),
  source: z.enum(REQUEST_SOURCES),
  state: z.enum(REQUEST_STATES),
  urgency: z.enum(['overdue', 'due_soon', 'on_time', 'closed']),
  receivedAt: z.date(),
  dueAt: z.date(),
  completedAt: z.date().nullable(),
  extended: z.boolean(),
  verifiedHow: z.string().nullable(),
  /** who the request is about, as the queue shows it (account name and email, or the email named) */
  requester: z.string().nullable(),
  outcome,
  rejectionReason: z.string().nullable(),
});

export const queuePage = z.object({ items: z.array(requestItem), nextCursor: z.string().nullable() });
export const ownList = z.object({ items: z.array(requestItem) });
export const requestEnvelope = z.object({ request: requestItem });

export const requestDetail = z.object({
  request: requestItem.extend({
    email: z.string().nullable(),
    message: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
    personalErased: z.boolean(),
    subject: z.object({ id: z.uuid(), email: z.string(), displayName: z.string(), status: z.string() }).nullable(),
    createdBy: z.object({ id: z.uuid(), displayName: z.string() }).nullable(),
    confirmationCode: z.string().nullable(),
    verifiedAt: z.date().nullable(),
    verifyReason: z.string().nullable(),
    extendedAt: z.date().nullable(),
    extensionReason: z.string().nullable(),
    metaOriginated: z.boolean(),
  }),
  trail: z.array(z.object({ at: z.date(), action: z.string(), actorType: z.string(), actor: z.string().nullable(), details: z.record(z.string(), z.unknown()) })),
  can: z.object({ verify: z.boolean(), extend: z.boolean(), reject: z.boolean(), cancel: z.boolean(), fulfil: z.boolean(), download: z.boolean() }),
});
