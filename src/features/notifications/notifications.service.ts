/** The signed-in user's notifications and mail preferences (own only: every query is by the caller's id). */
import type { Db } from '../../db/client.js';
import { AppError, fieldError } from '../../http/errors.js';
import type { Clock } from '../../lib/clock.js';
import { CATEGORY_SPECS, NOTIFICATION_CATEGORIES, type NotificationCategory } from './notification-kinds.js';
import {
  countUnread,
  listPreferences,
  listUserNotifications,
  markAllRead,
  markRead,
  upsertPreference,
  type NotificationRow,
} from './notifications.repo.js';

export interface OwnDeps {
  db: Db;
  clock: Clock;
}

const PAGE = 30;

/** An opaque cursor: the last row's time (ms) and id. */
export function encodeCursor(row: Pick<NotificationRow, 'createdAt' | 'id'>): string {
  return Buffer.from(`${row.createdAt.getTime()}|${row.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { at: Date; id: string } {
  const [ms, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const at = new Date(Number(ms));
  if (!id || !/^[0-9a-f-]{36}$/.test(id) || Number.isNaN(at.getTime())) throw fieldError('cursor', 'is not a cursor this list returned');
  return { at, id };
}

/** A page of the user's notifications, newest first, with the unread count. */
export async function listOwnNotifications(deps: OwnDeps, userId: string, q: { cursor?: string | undefined; unread?: boolean | undefined; limit?: number | undefined }) {
  const limit = q.limit ?? PAGE;
  const rows = await listUserNotifications(deps.db, userId, { before: q.cursor ? decodeCursor(q.cursor) : null, unreadOnly: q.unread === true, limit: limit + 1 });
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1]!) : null, unreadCount: await countUnread(deps.db, userId) };
}

export async function unreadCountOf(deps: OwnDeps, userId: string): Promise<number> {
  return countUnread(deps.db, userId);
}

/** Marks one of the caller's notifications read; another user's id is 404, as if it did not exist. */
export async function readOwnNotification(deps: OwnDeps, userId: string, id: string): Promise<NotificationRow> {
  const row = await markRead(deps.db, userId, id, deps.clock.now());
  if (!row) throw new AppError('not_found', 'No such notification.');
  return row;
}

export async function readAllOwn(deps: OwnDeps, userId: string): Promise<number> {
  return markAllRead(deps.db, userId, deps.clock.now());
}

export interface PreferenceView {
  category: NotificationCategory;
  label: string;
  describe: string;
  mail: boolean;
  locked: boolean;
}

/** Every category with the user's mail choice (default on; locked categories always on). */
export async function ownPreferences(deps: OwnDeps, userId: string): Promise<PreferenceView[]> {
  const saved = new Map((await listPreferences(deps.db, userId)).map((p) => [p.category, p.mail]));
  return NOTIFICATION_CATEGORIES.map((category) => {
    const spec = CATEGORY_SPECS[category];
    return { category, label: spec.label, describe: spec.describe, locked: spec.locked, mail: spec.locked ? true : (saved.get(category) ?? true) };
  });
}

/** Saves the user's choices; turning off a locked category is refused naming it. */
export async function saveOwnPreferences(deps: OwnDeps, userId: string, mail: Partial<Record<NotificationCategory, boolean>>): Promise<PreferenceView[]> {
  for (const [category, on] of Object.entries(mail) as [NotificationCategory, boolean][]) {
    if (CATEGORY_SPECS[category].locked && !on) throw fieldError(`mail.${category}`, 'security notices about your own account cannot be turned off');
  }
  const at = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    for (const [category, on] of Object.entries(mail) as [NotificationCategory, boolean][]) {
      if (!CATEGORY_SPECS[category].locked) await upsertPreference(tx, { userId, category, mail: on, at });
    }
  });
  return ownPreferences(deps, userId);
}
