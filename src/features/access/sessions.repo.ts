/** SQL for server-side sessions (only the SHA-256 of the cookie value is stored). */
import { and, desc, eq, lt, ne, or } from 'drizzle-orm';
import { sessions, users } from '../../db/schema.js';
import type { Executor } from '../../db/client.js';

export type SessionRow = typeof sessions.$inferSelect;
export type UserForSession = typeof users.$inferSelect;

/** Inserts a session. */
export async function insertSession(
  ex: Executor,
  v: { tokenHash: string; userId: string; at: Date; expiresAt: Date; ip: string | null; userAgent: string | null; stage?: SessionStage },
): Promise<SessionRow> {
  // Sessions start right after a proof (password, setup or invitation with a new password): proved now.
  const [row] = await ex
    .insert(sessions)
    .values({ tokenHash: v.tokenHash, userId: v.userId, createdAt: v.at, lastSeenAt: v.at, expiresAt: v.expiresAt, ip: v.ip, userAgent: v.userAgent, stage: v.stage ?? 'full', provedAt: v.at })
    .returning();
  return row!;
}

/** The session with this token hash joined with its user, in one round trip. */
export async function findSessionWithUser(
  ex: Executor,
  tokenHash: string,
): Promise<{ session: SessionRow; user: UserForSession } | undefined> {
  const [row] = await ex
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.tokenHash, tokenHash))
    .limit(1);
  return row;
}

/** full: signed in; second_factor: a TOTP or recovery code is owed; enrol: only 2FA enrolment is allowed. */
export type SessionStage = 'full' | 'second_factor' | 'enrol';

/**
 * Moves a session to `stage` and records a proof at `provedAt` (second factor given, enrolment
 * confirmed). The session gets a new id (`tokenHash` of a fresh token) at the same time: gaining
 * privileges never keeps the token that was issued before (ASVS 3.2.1).
 */
export async function updateSessionStage(ex: Executor, id: string, stage: SessionStage, provedAt: Date, tokenHash: string): Promise<void> {
  await ex.update(sessions).set({ stage, provedAt, tokenHash }).where(eq(sessions.id, id));
}

/** Records a fresh proof (step-up: password or code given again). */
export async function markSessionProved(ex: Executor, id: string, at: Date): Promise<void> {
  await ex.update(sessions).set({ provedAt: at }).where(eq(sessions.id, id));
}

/** Moves last-seen forward. */
export async function touchSession(ex: Executor, id: string, at: Date): Promise<void> {
  await ex.update(sessions).set({ lastSeenAt: at }).where(eq(sessions.id, id));
}

/** Deletes one session by id; returns whether it existed. */
export async function deleteSession(ex: Executor, id: string): Promise<boolean> {
  const r = await ex.delete(sessions).where(eq(sessions.id, id)).returning({ id: sessions.id });
  return r.length > 0;
}


/** Deletes one of a user's sessions (scoped, so nobody ends someone else's session by id). */
export async function deleteUserSession(ex: Executor, userId: string, id: string): Promise<boolean> {
  const r = await ex
    .delete(sessions)
    .where(and(eq(sessions.id, id), eq(sessions.userId, userId)))
    .returning({ id: sessions.id });
  return r.length > 0;
}

/** Deletes every session of a user except `keepId`; returns how many ended. */
export async function deleteOtherSessions(ex: Executor, userId: string, keepId: string | null): Promise<number> {
  const cond = keepId ? and(eq(sessions.userId, userId), ne(sessions.id, keepId)) : eq(sessions.userId, userId);
  const r = await ex.delete(sessions).where(cond).returning({ id: sessions.id });
  return r.length;
}

/** A user's sessions, most recently seen first. */
export async function listUserSessions(ex: Executor, userId: string): Promise<SessionRow[]> {
  return ex.select().from(sessions).where(eq(sessions.userId, userId)).orderBy(desc(sessions.lastSeenAt));
}

