/** SQL of notifications: intents, fan-out, mail claims, the user's list and preferences. */
import { and, desc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Executor, Tx } from '../../db/client.js';
import { notificationIntents, notificationPreferences, notifications } from '../../db/schema.js';
import type { Role } from '../access/permissions.js';

export type IntentRow = typeof notificationIntents.$inferSelect;
export type NotificationRow = typeof notifications.$inferSelect;
export type NewIntent = typeof notificationIntents.$inferInsert;

/** Inserts an intent unless its dedupe key exists; true when inserted. */
export async function insertIntent(ex: Executor, v: NewIntent): Promise<boolean> {
  const rows = await ex.insert(notificationIntents).values(v).onConflictDoNothing({ target: notificationIntents.dedupeKey }).returning({ id: notificationIntents.id });
  return rows.length === 1;
}

/** Pending intents, oldest first, locked so two instances never fan out the same one. */
export async function claimPendingIntents(tx: Tx, limit: number): Promise<IntentRow[]> {
  return tx
    .select()
    .from(notificationIntents)
    .where(isNull(notificationIntents.deliveredAt))
    .orderBy(notificationIntents.createdAt)
    .limit(limit)
    .for('update', { skipLocked: true });
}

/**
 * One notification per recipient: active users holding one of `roles`, or the one user (active or
 * deactivated: a status change is news to them too). Mail starts `pending`, or `skipped` when the
 * user turned the category's mail off (unless it is locked on). The unique (dedupe key, user) makes
 * a second fan-out of the same occurrence insert nothing. Returns the recipients' ids.
 */
export async function fanOutIntent(
  tx: Tx,
  intent: IntentRow,
  opts: { category: string; roles: readonly Role[] | null; mailLocked: boolean },
): Promise<string[]> {
  if (opts.roles !== null && opts.roles.length === 0) return [];
  const who =
    opts.roles === null
      ? sql`u.id = ${intent.audienceUserId} AND u.status IN ('active', 'deactivated')`
      : sql`u.status = 'active' AND u.role::text IN (${sql.join(opts.roles.map((r) => sql`${r}`), sql`, `)})`;
  const r = await tx.execute<{ user_id: string }>(sql`
    INSERT INTO notifications (user_id, kind, category, dedupe_key, title, body, link, created_at, mail_state)
    SELECT u.id, ${intent.kind}, ${opts.category}, ${intent.dedupeKey}, ${intent.title}, ${intent.body}, ${intent.link}, ${intent.createdAt},
           CASE WHEN NOT ${opts.mailLocked}::boolean AND p.mail = false THEN 'skipped' ELSE 'pending' END
      FROM users u
      LEFT JOIN notification_preferences p ON p.user_id = u.id AND p.category = ${opts.category}
     WHERE ${who}
    ON CONFLICT (dedupe_key, user_id) DO NOTHING
    RETURNING user_id`);
  return r.rows.map((x) => x.user_id);
}

export async function markIntentDelivered(tx: Tx, id: string, at: Date): Promise<void> {
  await tx.update(notificationIntents).set({ deliveredAt: at }).where(eq(notificationIntents.id, id));
}

export type MailClaim = {
  id: string;
  email: string;
  title: string;
  body: string;
  link: string | null;
};

/**
 * Takes up to `limit` notifications waiting for mail and marks them `sending` in one statement
 * (SKIP LOCKED: instances take disjoint sets), so each mail is handed to the mailer once.
 */
export async function claimMails(ex: Executor, limit: number, at: Date): Promise<MailClaim[]> {
  const r = await ex.execute<MailClaim>(sql`
    UPDATE notifications n SET mail_state = 'sending', mailed_at = ${at}
      FROM users u
     WHERE u.id = n.user_id
       AND n.id IN (SELECT id FROM notifications WHERE mail_state = 'pending' ORDER BY created_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)
    RETURNING n.id, u.email, n.title, n.body, n.link`);
  return r.rows;
}

export async function finishMail(ex: Executor, id: string, v: { state: 'sent' | 'failed' | 'skipped'; error: string | null; at: Date }): Promise<void> {
  await ex.update(notifications).set({ mailState: v.state, mailError: v.error, mailedAt: v.at }).where(eq(notifications.id, id));
}

/** A user's notifications, newest first, after the (createdAt, id) cursor. */
export async function listUserNotifications(
  ex: Executor,
  userId: string,
  opts: { before: { at: Date; id: string } | null; unreadOnly: boolean; limit: number },
): Promise<NotificationRow[]> {
  const b = opts.before;
  return ex
    .select()
    .from(notifications)
    .where(
      and(
        eq(notifications.userId, userId),
        opts.unreadOnly ? isNull(notifications.readAt) : undefined,
        b ? or(lt(notifications.createdAt, b.at), and(eq(notifications.createdAt, b.at), lt(notifications.id, b.id))) : undefined,
      ),
    )
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(opts.limit);
}

export async function countUnread(ex: Executor, userId: string): Promise<number> {
  const [row] = await ex.select({ n: sql<number>`count(*)::int` }).from(notifications).where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));
  return Number(row?.n ?? 0);
}

export async function findUserNotification(ex: Executor, userId: string, id: string): Promise<NotificationRow | undefined> {
  const [row] = await ex.select().from(notifications).where(and(eq(notifications.id, id), eq(notifications.userId, userId)));
  return row;
}

/** Marks one of the user's notifications read (the first read time stays). */
export async function markRead(ex: Executor, userId: string, id: string, at: Date): Promise<NotificationRow | undefined> {
  const [row] = await ex
    .update(notifications)
    .set({ readAt: sql`COALESCE(${notifications.readAt}, ${at})` })
    .where(and(eq(notifications.id, id), eq(notifications.userId, userId)))
    .returning();
  return row;
}

export async function markAllRead(ex: Executor, userId: string, at: Date): Promise<number> {
  const rows = await ex
    .update(notifications)
    .set({ readAt: at })
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)))
    .returning({ id: notifications.id });
  return rows.length;
}

export async function listPreferences(ex: Executor, userId: string): Promise<{ category: string; mail: boolean }[]> {
  return ex.select({ category: notificationPreferences.category, mail: notificationPreferences.mail }).from(notificationPreferences).where(eq(notificationPreferences.userId, userId));
}

export async function upsertPreference(ex: Executor, v: { userId: string; category: string; mail: boolean; at: Date }): Promise<void> {
  await ex
    .insert(notificationPreferences)
    .values({ userId: v.userId, category: v.category, mail: v.mail, updatedAt: v.at })
    .onConflictDoUpdate({ target: [notificationPreferences.userId, notificationPreferences.category], set: { mail: v.mail, updatedAt: v.at } });
}
