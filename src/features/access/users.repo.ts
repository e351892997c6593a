/** SQL for user records and their lockout counters. */
import { and, count, eq } from 'drizzle-orm';
import { users } from '../../db/schema.js';
import type { Executor } from '../../db/client.js';
import type { LockState } from './lockout.js';
import type { Role } from './permissions.js';

export type UserRow = typeof users.$inferSelect;

/** The user with this (normalised) email, or undefined. */
export async function findUserByEmail(ex: Executor, email: string): Promise<UserRow | undefined> {
  const [row] = await ex.select().from(users).where(eq(users.email, email)).limit(1);
  return row;
}

/** The user with this id, or undefined. */
export async function findUserById(ex: Executor, id: string): Promise<UserRow | undefined> {
  const [row] = await ex.select().from(users).where(eq(users.id, id)).limit(1);
  return row;
}

/** Same, locking the row for the rest of the transaction (lockout counters, role changes). */
export async function findUserByIdForUpdate(ex: Executor, id: string): Promise<UserRow | undefined> {
  const [row] = await ex.select().from(users).where(eq(users.id, id)).for('update').limit(1);
  return row;
}

/** Number of users in any state (first-start detection). */
export async function countUsers(ex: Executor): Promise<number> {
  const [row] = await ex.select({ n: count() }).from(users);
  return row?.n ?? 0;
}

/** Number of active owners. */
export async function countActiveOwners(ex: Executor): Promise<number> {
  const [row] = await ex
    .select({ n: count() })
    .from(users)
    .where(and(eq(users.role, 'owner'), eq(users.status, 'active')));
  return row?.n ?? 0;
}

/** Inserts a user and returns it. */
export async function insertUser(
  ex: Executor,
  v: { email: string; displayName: string; role: Role; status: UserRow['status']; passwordHash: string | null; at: Date },
): Promise<UserRow> {
  const [row] = await ex
    .insert(users)
    .values({ ...v, createdAt: v.at, updatedAt: v.at })
    .returning();
  return row!;
}

/** Updates profile fields. */
export async function updateUserProfile(ex: Executor, id: string, v: { displayName: string; at: Date }): Promise<UserRow> {
  const [row] = await ex
    .update(users)
    .set({ displayName: v.displayName, updatedAt: v.at })
    .where(eq(users.id, id))
    .returning();
  return row!;
}

/** Replaces the password hash. */
export async function updatePasswordHash(ex: Executor, id: string, passwordHash: string, at: Date): Promise<void> {
  await ex.update(users).set({ passwordHash, updatedAt: at }).where(eq(users.id, id));
}

/** Stores the account's lockout counters. */
export async function saveUserLock(ex: Executor, id: string, s: LockState): Promise<void> {
  await ex
    .update(users)
    .set({ failedCount: s.failedCount, failedWindowStart: s.failedWindowStart, lockedUntil: s.lockedUntil })
    .where(eq(users.id, id));
}


