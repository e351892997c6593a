/** SQL for managing other users: the searchable list, state changes, removal, links. */
import { and, eq, ilike, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { apiTokens, auditPersonalValues, deviceLocks, invitations, loginActivity, passwordResets, recoveryCodes, sessions, users, vaultSecrets } from '../../db/schema.js';
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

interface SortSpec {
  /** what ORDER BY uses: an indexed expression (see migrations 0002 and 0003) */
  order: SQL;
  /** the row's sort value as text, carried in the cursor */
  value: SQL;
  /** the cursor's text value turned back into the order expression's type */
  fromCursor(v: string): SQL;
}

const utcText = (col: SQL) => sql`to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`;

/** For each sort key: an order expression that has an index, and its cursor encoding. */
function sortSpec(key: SortKey): SortSpec {
  switch (key) {
    case 'name':
      return { order: sql`lower(${users.displayName})`, value: sql`lower(${users.displayName})`, fromCursor: (v) => sql`${v}` };
    case 'email':
      return { order: sql`${users.email}`, value: sql`${users.email}`, fromCursor: (v) => sql`${v}` };
    // enums sort in their declared order: owner, admin, operator, viewer / invited, active, deactivated, removed
    case 'role':
      return { order: sql`${users.role}`, value: sql`${users.role}::text`, fromCursor: (v) => sql`${v}::user_role` };
    case 'status':
      return { order: sql`${users.status}`, value: sql`${users.status}::text`, fromCursor: (v) => sql`${v}::user_status` };
    case 'createdAt':
      return { order: sql`${users.createdAt}`, value: utcText(sql`${users.createdAt}`), fromCursor: (v) => sql`(${v})::timestamp AT TIME ZONE 'UTC'` };
    case 'lastSignInAt':
      // never signed in sorts first ascending, last descending
      return {
        order: sql`coalesce(${users.lastSignInAt}, '-infinity'::timestamptz)`,
        value: sql`coalesce(${utcText(sql`${users.lastSignInAt}`)}, '')`,
        fromCursor: (v) => sql`coalesce((nullif(${v}, ''))::timestamp AT TIME ZONE 'UTC', '-infinity'::timestamptz)`,
      };
  }
}

/** How many rows in sort order the first attempt of a filtered page looks at. */
const CAPPED_WALK = 2000;

/**
 * One page of users matching the filter, plus each row's sort value (for the next cursor).
 * Filtered pages run in two steps, because neither plan alone is fast for every filter: first the
 * next 2,000 rows in sort order are walked and filtered (fast when matches are common); when that
 * does not fill the page, the matches are found through the filter's indexes and then sorted
 * (fast when matches are rare or bunched). Unfiltered pages just walk the sort index.
 */
export async function listUsers(ex: Executor, f: UserListFilter): Promise<{ row: UserRow; sortValue: string }[]> {
  const spec = sortSpec(f.sort);
  const filters: SQL[] = [];
  if (f.q) {
    const pattern = `%${f.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    filters.push(or(ilike(users.email, pattern), sql`lower(${users.displayName}) LIKE ${pattern}`)!);
  }
  if (f.role) filters.push(eq(users.role, f.role));
  if (f.status) filters.push(eq(users.status, f.status));
  if (f.inactiveSince) filters.push(or(isNull(users.lastSignInAt), lt(users.lastSignInAt, f.inactiveSince))!);
  const keyset = f.after
    ? f.order === 'asc'
      ? sql`(${spec.order}, ${users.id}) > (${spec.fromCursor(f.after.value ?? '')}, ${f.after.id}::uuid)`
      : sql`(${spec.order}, ${users.id}) < (${spec.fromCursor(f.after.value ?? '')}, ${f.after.id}::uuid)`
    : undefined;
  const dir = f.order === 'asc' ? sql`ASC` : sql`DESC`;
  const where = (conds: (SQL | undefined)[]) => {
    const c = conds.filter((x): x is SQL => x !== undefined);
    return c.length ? sql`WHERE ${sql.join(c, sql` AND `)}` : sql``;
  };
  const cols = sql`users.*, ${spec.value} AS sort_value, ${spec.order} AS sort_key`;
  const run = async (q: SQL) => {
    const r = await ex.execute<Record<string, unknown>>(q);
    return r.rows.map((raw) => ({ row: toUserRow(raw), sortValue: String(raw.sort_value) }));
  };
  if (filters.length === 0) {
    return run(sql`SELECT ${cols} FROM users ${where([keyset])} ORDER BY ${spec.order} ${dir}, users.id ${dir} LIMIT ${f.limit}`);
  }
  // the walk is aliased `users` so the filter expressions (written against the table) apply to it
  const capped = await run(sql`
    SELECT * FROM (SELECT ${cols} FROM users ${where([keyset])} ORDER BY ${spec.order} ${dir}, users.id ${dir} LIMIT ${CAPPED_WALK}) AS users
    ${where(filters.map((c) => sql`(${c})`))}
    ORDER BY sort_key ${dir}, id ${dir} LIMIT ${f.limit}`);
  if (capped.length === f.limit) return capped;
  return run(sql`
    WITH m AS MATERIALIZED (SELECT ${cols} FROM users ${where([keyset, ...filters])})
    SELECT * FROM m ORDER BY sort_key ${dir}, id ${dir} LIMIT ${f.limit}`);
}

/** Maps a raw users row (snake_case, from a hand-written query) to the drizzle row type. */
function toUserRow(r: Record<string, unknown>): UserRow {
  const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));
  return {
    id: r.id as string,
    email: r.email as string,
    displayName: r.display_name as string,
    role: r.role as UserRow['role'],
    status: r.status as UserRow['status'],
    passwordHash: (r.password_hash as string | null) ?? null,
    createdAt: date(r.created_at)!,
    updatedAt: date(r.updated_at)!,
    lastSignInAt: date(r.last_sign_in_at),
    lastSignInIp: (r.last_sign_in_ip as string | null) ?? null,
    failedCount: r.failed_count as number,
    failedWindowStart: date(r.failed_window_start),
    lockedUntil: date(r.locked_until),
    totpEnrolledAt: date(r.totp_enrolled_at),
    totpLastStep: r.totp_last_step === null || r.totp_last_step === undefined ? null : Number(r.totp_last_step),
    oidcSubject: (r.oidc_subject as string | null) ?? null,
  };
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
  // their second factor and API tokens end with them (the TOTP secret sits in the vault)
  await ex.delete(recoveryCodes).where(eq(recoveryCodes.userId, id));
  await ex.delete(apiTokens).where(eq(apiTokens.userId, id));
  await ex.delete(vaultSecrets).where(and(eq(vaultSecrets.ownerType, 'user_totp'), eq(vaultSecrets.ownerId, id)));
  await ex.update(users).set({ totpEnrolledAt: null, totpLastStep: null, oidcSubject: null }).where(eq(users.id, id));
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
