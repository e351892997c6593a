/** zod schemas of the notifications API (what may leave the server: no mail addresses, no errors). */
import { z } from 'zod';
import { NOTIFICATION_CATEGORIES, NOTIFICATION_KINDS } from './notification-kinds.js';

export const notificationsQuery = z.strictObject({
  cursor: z.string().max(200, 'is too long').optional(),
  unread: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});

export const notificationParams = z.strictObject({ id: z.uuid('is not a notification id') });

export const notificationView = z.object({
  id: z.string(),
  kind: z.enum(NOTIFICATION_KINDS),
  category: z.enum(NOTIFICATION_CATEGORIES),
  title: z.string(),
  body: z.string(),
  /** in-app path of the thing concerned */
  link: z.string().nullable(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});

export const notificationsPage = z.object({ items: z.array(notificationView), nextCursor: z.string().nullable(), unreadCount: z.number().int() });
export const unreadCountResponse = z.object({ unreadCount: z.number().int() });
export const notificationEnvelope = z.object({ notification: notificationView });
export const readAllResponse = z.object({ updated: z.number().int() });

export const preferenceView = z.object({
  category: z.enum(NOTIFICATION_CATEGORIES),
  label: z.string(),
  describe: z.string(),
  mail: z.boolean(),
  locked: z.boolean(),
});
export const preferencesResponse = z.object({ categories: z.array(preferenceView) });
export const preferencesBody = z.strictObject({
  mail: z.strictObject(Object.fromEntries(NOTIFICATION_CATEGORIES.map((c) => [c, z.boolean().optional()])) as Record<(typeof NOTIFICATION_CATEGORIES)[number], z.ZodOptional<z.ZodBoolean>>),
});
