/** zod request and response schemas of the access routes. Responses list exactly what may leave. */
import { z } from 'zod';
import { ROLES } from './permissions.js';
import { PASSWORD_MAX } from './passwords.js';

export const email = z
  .string()
  .trim()
  .max(254, 'must be at most 254 characters')
  .pipe(z.email('must be a valid email address'))
  .transform((v) => v.toLowerCase());
export const displayName = z.string().trim().min(1, 'must not be blank').max(100, 'must be at most 100 characters');
/** Length rules beyond the cap are the service's (common-password list etc.). */
export const password = z.string().min(1, 'is required').max(PASSWORD_MAX, `must be at most ${PASSWORD_MAX} characters`);
const opaqueToken = z.string().min(1, 'is required').max(200, 'is too long');

export const userSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  displayName: z.string(),
  role: z.enum(ROLES),
  status: z.enum(['invited', 'active', 'deactivated', 'removed']),
  createdAt: z.date(),
  lastSignInAt: z.date().nullable(),
  lastSignInIp: z.string().nullable(),
});

export const userEnvelope = z.object({ user: userSchema });
export const meResponse = z.object({
  user: userSchema,
  abilities: z.array(z.string()),
  environment: z.object({ outbox: z.boolean(), sandbox: z.boolean(), embeddedSignup: z.object({ ready: z.boolean(), missing: z.array(z.string()) }) }),
});

export const signInBody = z.strictObject({ email, password });
export const setupBody = z.strictObject({ token: opaqueToken, email, displayName, password });
export const setupStatusQuery = z.strictObject({ token: opaqueToken });
export const setupStatusResponse = z.object({
  valid: z.boolean(),
  email: z.string().nullable(),
  displayName: z.string().nullable(),
});
export const profileBody = z.strictObject({ displayName });
export const passwordBody = z.strictObject({ currentPassword: password, newPassword: password });

export const sessionItem = z.object({
  id: z.uuid(),
  current: z.boolean(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  createdAt: z.date(),
  lastSeenAt: z.date(),
  expiresAt: z.date(),
});
export const sessionList = z.object({ items: z.array(sessionItem) });
export const sessionParams = z.strictObject({ id: z.uuid('must be a session id') });
export const endedResponse = z.object({ ended: z.number().int() });

export const activityQuery = z.strictObject({
  cursor: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});
export const activityItem = z.object({
  id: z.number().int(),
  at: z.date(),
  result: z.enum(['success', 'failure']),
  reason: z.string().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
});
export const activityPage = z.object({ items: z.array(activityItem), nextCursor: z.string().nullable() });
