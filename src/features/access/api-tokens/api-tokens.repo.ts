/** SQL for personal API tokens (`api_tokens`). */
import { and, desc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import { apiTokens, users } from '../../../db/schema.js';
import type { Executor } from '../../../db/client.js';
import { ROLE_RANK, ROLES, type Role } from '../permissions.js';
import type { UserRow } from '../users.repo.js';

export type ApiTokenRow = typeof apiTokens.$inferSelect;

/** Why a token stopped working before its expiry. */
export type TokenEndReason = 'revoked' | 'creator_deactivated' | 'creator_removed' | 'role_lowered';

export async function insertApiToken(
  ex: Executor,
  v: { userId: string; name: string; role: Role; tokenHash: string; prefix: string; at: Date; expiresAt: Date },
): Promise<ApiTokenRow> {
  const [row] = await ex
    .insert(apiTokens)
    .values({ userId: v.userId, name: v.name, role: v.role, tokenHash: v.tokenHash, prefix: v.prefix, createdAt: v.at, expiresAt: v.expiresAt })
    .returning();
  return row!;
}

/** A user's tokens, newest first (ended ones too: the list shows why they ended). */
export async function listUserApiTokens(ex: Executor, userId: string): Promise<ApiTokenRow[]> {
  return ex.select().from(apiTokens).where(eq(apiTokens.userId, userId)).orderBy(desc(apiTokens.createdAt), desc(apiTokens.id));
}

/** How many live (unrevoked, unexpired) tokens a user holds. */
export async function countLiveApiTokens(ex: Executor, userId: string, now: Date): Promise<number> {
  const [row] = await ex
    .select({ n: sql<number>`count(*)::int` })
    .from(apiTokens)
    .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt), gt(apiTokens.expiresAt, now)));
  return row?.n ?? 0;
}

/** The token with this hash joined with its creator, in one round trip. */
export async function findApiTokenWithUser(ex: Executor, tokenHash: string): Promise<{ token: ApiTokenRow; user: UserRow } | undefined> {
  const [row] = await ex
    .select({ token: apiTokens, user: users })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(eq(apiTokens.tokenHash, tokenHash))
    .limit(1);
  return row;
}

/** Ends one of `userId`'s tokens; returns the row when it was live (undefined: not theirs, or already ended). */
export async function revokeUserApiToken(ex: Executor, userId: string, id: string, at: Date): Promise<ApiTokenRow | undefined> {
  const [row] = await ex
    .update(apiTokens)
    .set({ revokedAt: at, revokedReason: 'revoked' })
    .where(and(eq(apiTokens.id, id), eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
    .returning();
  return row;
}

/** Ends one token for `reason` (used when a use finds its creator no longer entitled). */
export async function endApiToken(ex: Executor, id: string, reason: TokenEndReason, at: Date): Promise<void> {
  await ex.update(apiTokens).set({ revokedAt: at, revokedReason: reason }).where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)));
}

/** Ends every live token of `userId` (deactivation, removal); returns how many. */
export async function endUserApiTokens(ex: Executor, userId: string, reason: TokenEndReason, at: Date): Promise<number> {
  const r = await ex
    .update(apiTokens)
    .set({ revokedAt: at, revokedReason: reason })
    .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id });
  return r.length;
}

/** Ends the live tokens of `userId` whose role is above `role` (the creator's new role); returns how many. */
export async function endApiTokensAbove(ex: Executor, userId: string, role: Role, at: Date): Promise<number> {
  const above = ROLES.filter((r) => ROLE_RANK[r] > ROLE_RANK[role]);
  if (above.length === 0) return 0;
  const r = await ex
    .update(apiTokens)
    .set({ revokedAt: at, revokedReason: 'role_lowered' })
    .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt), inArray(apiTokens.role, above)))
    .returning({ id: apiTokens.id });
  return r.length;
}

/** Moves last-use forward. */
export async function touchApiToken(ex: Executor, id: string, at: Date): Promise<void> {
  await ex.update(apiTokens).set({ lastUsedAt: at }).where(eq(apiTokens.id, id));
}
