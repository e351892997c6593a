/** Routes: the caller's own notifications and mail preferences (`self.notifications`, every role). */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { NotificationKind, NotificationCategory } from './notification-kinds.js';
import type { NotificationRow } from './notifications.repo.js';
import {
  notificationEnvelope,
  notificationParams,
  notificationsPage,
  notificationsQuery,
  preferencesBody,
  preferencesResponse,
  readAllResponse,
  unreadCountResponse,
} from './notifications.schemas.js';
import { listOwnNotifications, ownPreferences, readAllOwn, readOwnNotification, saveOwnPreferences, unreadCountOf, type OwnDeps } from './notifications.service.js';

/** What leaves the server of a notification. */
function present(n: NotificationRow) {
  return {
    id: n.id,
    kind: n.kind as NotificationKind,
    category: n.category as NotificationCategory,
    title: n.title,
    body: n.body,
    link: n.link,
    createdAt: n.createdAt.toISOString(),
    readAt: n.readAt?.toISOString() ?? null,
  };
}

/** Registers /api/v1/notifications and /api/v1/me/notification-preferences. */
export async function notificationRoutes(app: FastifyInstance, deps: { notifications: OwnDeps }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const d = deps.notifications;

  r.get('/api/v1/notifications', {
    config: { action: 'self.notifications' },
    schema: { tags: ['notifications'], querystring: notificationsQuery, response: { 200: notificationsPage } },
  }, async (req) => {
    const page = await listOwnNotifications(d, req.caller!.user.id, req.query);
    return { ...page, items: page.items.map(present) };
  });

  r.get('/api/v1/notifications/unread-count', {
    config: { action: 'self.notifications' },
    schema: { tags: ['notifications'], response: { 200: unreadCountResponse } },
  }, async (req) => ({ unreadCount: await unreadCountOf(d, req.caller!.user.id) }));

  r.post('/api/v1/notifications/:id/read', {
    config: { action: 'self.notifications' },
    schema: { tags: ['notifications'], params: notificationParams, response: { 200: notificationEnvelope } },
  }, async (req) => ({ notification: present(await readOwnNotification(d, req.caller!.user.id, req.params.id)) }));

  r.post('/api/v1/notifications/read-all', {
    config: { action: 'self.notifications' },
    schema: { tags: ['notifications'], response: { 200: readAllResponse } },
  }, async (req) => ({ updated: await readAllOwn(d, req.caller!.user.id) }));

  r.get('/api/v1/me/notification-preferences', {
    config: { action: 'self.notifications' },
    schema: { tags: ['me'], response: { 200: preferencesResponse } },
  }, async (req) => ({ categories: await ownPreferences(d, req.caller!.user.id) }));

  r.put('/api/v1/me/notification-preferences', {
    config: { action: 'self.notifications' },
    schema: { tags: ['me'], body: preferencesBody, response: { 200: preferencesResponse } },
  }, async (req) => ({ categories: await saveOwnPreferences(d, req.caller!.user.id, req.body.mail) }));
}
