/** zod schemas of the user-management routes. */
import { z } from 'zod';
import { displayName, email, password, userSchema } from './access.schemas.js';
import { ROLES } from './permissions.js';

const opaqueToken = z.string().min(1, 'is required').max(200, 'is too long');
const statuses = ['invited', 'active', 'deactivated', 'removed'] as const;

export const userIdParams = z.strictObject({ id: z.uuid('must be a user id') });

export const usersQuery = z.strictObject({
  q: z.string().trim().max(100, 'must be at most 100 characters').optional(),
  role: z.enum(ROLES).optional(),
  status: z.enum(statuses).optional(),
  inactive: z.literal('90', 'must be 90').optional(),
  sort: z.enum(['name', 'email', 'role', 'status', 'lastSignInAt', 'createdAt']).default('name'),
  order: z.enum(['asc', 'desc']).default('asc'),
  cursor: z.string().max(500, 'is too long').optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

/** `twoFactorEnabled`: the user has confirmed a TOTP enrolment (src/features/access/two-factor). */
export const userListItem = userSchema.extend({ locked: z.boolean(), invitationExpiresAt: z.date().nullable(), twoFactorEnabled: z.boolean() });

export const abilitiesSchema = z.object({
  changeRole: z.boolean(),
  assignableRoles: z.array(z.enum(ROLES)),
  deactivate: z.boolean(),
  reactivate: z.boolean(),
  remove: z.boolean(),
  endSessions: z.boolean(),
  unlock: z.boolean(),
  sendPasswordReset: z.boolean(),
  resendInvitation: z.boolean(),
  revokeInvitation: z.boolean(),
  viewActivity: z.boolean(),
  /** reset this user's 2FA (users.2fa.reset, not above own role, not oneself, enrolled) */
  resetTwoFactor: z.boolean(),
});

export const usersPage = z.object({ items: z.array(userListItem), nextCursor: z.string().nullable() });
export const userDetailResponse = z.object({ user: userListItem.extend({ abilities: abilitiesSchema }), canInvite: z.boolean() });

export const inviteBody = z.strictObject({ email, displayName, role: z.enum(ROLES) });
export const mailOutcome = z.object({ delivered: z.boolean(), error: z.string().nullable() });
export const invitedResponse = z.object({ user: userSchema, mail: mailOutcome });
export const roleBody = z.strictObject({ role: z.enum(ROLES) });
export const mailResponse = z.object({ mail: mailOutcome });

export const tokenQuery = z.strictObject({ token: opaqueToken });
export const invitationStatus = z.object({ valid: z.boolean(), email: z.string().nullable(), displayName: z.string().nullable() });
export const acceptBody = z.strictObject({ token: opaqueToken, displayName, password });
export const resetRequestBody = z.strictObject({ email });
export const resetStatus = z.object({ valid: z.boolean() });
export const resetCompleteBody = z.strictObject({ token: opaqueToken, newPassword: password });

export const otherSessions = z.object({
  items: z.array(z.object({ id: z.uuid(), ip: z.string().nullable(), userAgent: z.string().nullable(), createdAt: z.date(), lastSeenAt: z.date(), expiresAt: z.date() })),
});

export const activityLogQuery = z.strictObject({
  userId: z.uuid('must be a user id').optional(),
  result: z.enum(['success', 'failure']).optional(),
  reason: z.enum(['bad_password', 'unknown_user', 'deactivated', 'locked', 'rate_limited']).optional(),
  from: z.coerce.date('must be a date').optional(),
  to: z.coerce.date('must be a date').optional(),
  cursor: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});
export const activityLogPage = z.object({
  items: z.array(
    z.object({
      id: z.number().int(),
      at: z.date(),
      userId: z.string().nullable(),
      userDisplayName: z.string().nullable(),
      userEmail: z.string().nullable(),
      attemptedEmail: z.string().nullable(),
      result: z.enum(['success', 'failure']),
      reason: z.string().nullable(),
      ip: z.string().nullable(),
      userAgent: z.string().nullable(),
    }),
  ),
  nextCursor: z.string().nullable(),
});

export const outboxQuery = z.strictObject({ cursor: z.coerce.number().int().positive().optional() });
export const outboxPage = z.object({
  items: z.array(z.object({ id: z.number().int(), to: z.string(), subject: z.string(), text: z.string(), createdAt: z.date() })),
  nextCursor: z.string().nullable(),
});
