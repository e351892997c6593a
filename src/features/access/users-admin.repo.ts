/** SQL for managing other users: the searchable list, state changes, removal, links. */
import { and, asc, desc, eq, ilike, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { auditPersonalValues, deviceLocks, invitations, loginActivity, passwordResets, sessions, users } from '../../db/schema.js';
import type { Executor } from '../../db/client.js';
import type { Role } from './permissions.js';
import type { UserRow } from './users.repo.js';

export type SortKey = 'name' | 'email' | 'role' | 'status' | 'lastSignInAt' | 'createdAt';

export interface UserListFilter {
  q?: string | undefined;
  role?: Role | undefined;
  status?: UserRow['status'] | undefined;
  inactiveSince?: Date | undefined;
  sort: SortKey;
  order: 'asc' | 'desc';
  /** keyset: the sort value and id of the last row of the previous page */
  after?: { value: string | null; id: string } | undefined;
  limit: number;
}

/** The SQL expression each sort key orders by (each has an index; nulls sort as the empty string). */
function sortExpr(key: SortKey): SQL {
  switch (key) {
    case 'name':
      return sql`lower(${users.displayName})`;
    case 'email':
      return sql`${users.email}`;
    case 'role':
      return sql`${users.role}::text`;
    case 'status':
      return sql`${users.status}::text`;
    case 'lastSignInAt':
      return sql`coalesce(to_char(${users.lastSignInAt} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), '')`;
    case 'createdAt':
      return sql`to_char(${users.createdAt} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`;
  }
}

/** One page of users matching the filter, plus each row's sort value (for the next cursor). */
export async function listUsers(ex: Executor, f: UserListFilter): Promise<{ row: UserRow; sortValue: string }[]> {
  const conds: SQL[] = [];
  if (f.q) {
    const pattern = `%${f.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conds.push(or(ilike(users.email, pattern), sql`lower(${users.displayName}) LIKE ${pattern}`)!);
  }
  if (f.role) conds.push(eq(users.role, f.role));
  if (f.status) conds.push(eq(users.status, f.status));
  if (f.inactiveSince) conds.push(or(isNull(users.lastSignInAt), lt(users.lastSignInAt, f.inactiveSince))!);
  const key = sortExpr(f.sort);
  if (f.after) {
    const v = f.after.value ?? '';
    conds.push(f.order === 'asc' ? sql`(${key}, ${users.id}) > (${v}, ${f.after.id}::uuid)` : sql`(${key}, ${users.id}) < (${v}, ${f.after.id}::uuid)`);
  }
  const dir = f.order === 'asc' ? asc : desc;
  const rows = await ex
    .select({ row: users, sortValue: sql<string>`${key}` })
    .from(users)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(dir(key), dir(users.id))
    .limit(f.limit);
  return rows;
}

/** Locks the active owners' rows for the rest of the transaction and counts them (last-owner guard). */
export async function lockActiveOwners(ex: Executor): Promise<number> {
  const rows = await ex
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.role, 'owner'), eq(users.status, 'active')))
    .for('update');
  return rows.length;
}

/** Sets role and/or status. */
export async function updateUserAccess(ex: Executor, id: string, v: { role?: Role; status?: UserRow['status']; at: Date }): Promise<UserRow> {
  const [row] = await ex
    .update(users)
    .set({ ...(v.role ? { role: v.role } : {}), ...(v.status ? { status: v.status } : {}), updatedAt: v.at })
    .where(eq(users.id, id))
    .returning();
  return row!;
}

/** Activates an invited user with their password and name. */
export async function activateInvitedUser(ex: Executor, id: string, v: { displayName: string; passwordHash: string; at: Date }): Promise<UserRow> {
  const [row] = await ex
    .update(users)
    .set({ status: 'active', displayName: v.displayName, passwordHash: v.passwordHash, updatedAt: v.at })
    .where(and(eq(users.id, id), eq(users.status, 'invited')))
    .returning();
  return row!;
}

/** Clears the lockout counters. */
export async function clearUserLock(ex: Executor, id: string): Promise<void> {
  await ex.update(users).set({ failedCount: 0, failedWindowStart: null, lockedUntil: null }).where(eq(users.id, id));
  await ex.delete(deviceLocks).where(eq(deviceLocks.userId, id));
}

/** Deletes every pending invitation and password-reset link of a user. */
export async function deleteUserLinks(ex: Executor, userId: string): Promise<void> {
  await ex.delete(invitations).where(eq(invitations.userId, userId));
  await ex.delete(passwordResets).where(eq(passwordResets.userId, userId));
}

/**
 * Irreversible removal: name and email become `pseudonym`, credentials and lock state go, sessions
 * and links are deleted, and the personal values kept about this user in the audit side table and in
 * login activity are erased. The audit trail itself stays, attributed to the (now pseudonymous) id.
 */
export async function deidentifyUser(ex: Executor, id: string, pseudonym: string, at: Date): Promise<UserRow> {
  const [row] = await ex
    .update(users)
    .set({
      email: pseudonym,
      displayName: pseudonym,
      status: 'removed',
      passwordHash: null,
      lastSignInIp: null,
      failedCount: 0,
      failedWindowStart: null,
      lockedUntil: null,
      updatedAt: at,
    })
    .where(eq(users.id, id))
    .returning();
  await ex.delete(sessions).where(eq(sessions.userId, id));
  await ex.delete(deviceLocks).where(eq(deviceLocks.userId, id));
  await deleteUserLinks(ex, id);
  await ex.delete(auditPersonalValues).where(and(eq(auditPersonalValues.subjectType, 'user'), eq(auditPersonalValues.subjectId, id)));
  await ex.update(loginActivity).set({ ip: null, userAgent: null, attemptedEmail: null }).where(eq(loginActivity.userId, id));
  return row!;
}

/** Deletes a user record outright (only for never-accepted invitations). */
export async function deleteUser(ex: Executor, id: string): Promise<void> {
  await ex.delete(users).where(eq(users.id, id));
}

/** Live-link helper for list rows: the expiry of each invited user's current invitation. */
export async function invitationExpiries(ex: Executor, userIds: string[]): Promise<Map<string, Date>> {
  if (userIds.length === 0) return new Map();
  const rows = await ex
    .select({ userId: invitations.userId, expiresAt: invitations.expiresAt })
    .from(invitations)
    .where(and(inArray(invitations.userId, userIds), isNull(invitations.usedAt)));
  return new Map(rows.map((r) => [r.userId, r.expiresAt]));
}
