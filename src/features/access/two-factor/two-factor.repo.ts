/** SQL of 2FA: the enrolment columns on users, recovery codes, the per-role policy, pending sessions. */
import { and, count, eq, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../../../db/client.js';
import { recoveryCodes, sessions, twoFactorPolicy, users } from '../../../db/schema.js';
import type { Role } from '../permissions.js';

export type PolicyRow = typeof twoFactorPolicy.$inferSelect;

/** Marks the user enrolled at `at`, with `step` as the last accepted time step. */
export async function setEnrolled(ex: Executor, userId: string, at: Date, step: number): Promise<void> {
  await ex.update(users).set({ totpEnrolledAt: at, totpLastStep: step, updatedAt: at }).where(eq(users.id, userId));
}

/** Clears the enrolment (removal or reset). */
export async function clearEnrolment(ex: Executor, userId: string, at: Date): Promise<void> {
  await ex.update(users).set({ totpEnrolledAt: null, totpLastStep: null, updatedAt: at }).where(eq(users.id, userId));
}

/** Records the last accepted time step (replay protection). */
export async function setLastStep(ex: Executor, userId: string, step: number): Promise<void> {
  await ex.update(users).set({ totpLastStep: step }).where(eq(users.id, userId));
}

/** Replaces the user's recovery codes with `hashes`. */
export async function replaceRecoveryCodes(ex: Executor, userId: string, hashes: string[], at: Date): Promise<void> {
  await ex.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
  if (hashes.length > 0) await ex.insert(recoveryCodes).values(hashes.map((codeHash) => ({ userId, codeHash, createdAt: at })));
}

/** Deletes the user's recovery codes. */
export async function deleteRecoveryCodes(ex: Executor, userId: string): Promise<void> {
  await ex.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
}

/** Uses one unused code with this hash; false when there is none (wrong or already used). */
export async function consumeRecoveryCode(ex: Executor, userId: string, codeHash: string, at: Date): Promise<boolean> {
  const r = await ex
    .update(recoveryCodes)
    .set({ usedAt: at })
    .where(and(eq(recoveryCodes.userId, userId), eq(recoveryCodes.codeHash, codeHash), isNull(recoveryCodes.usedAt)))
    .returning({ id: recoveryCodes.id });
  return r.length > 0;
}

/** How many of the user's recovery codes are still unused. */
export async function countUnusedRecoveryCodes(ex: Executor, userId: string): Promise<number> {
  const [row] = await ex.select({ n: count() }).from(recoveryCodes).where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)));
  return row?.n ?? 0;
}

/** The policy rows (roles without a row: not required). */
export async function listPolicies(ex: Executor): Promise<PolicyRow[]> {
  return ex.select().from(twoFactorPolicy);
}

/** The policy row of one role, if any. */
export async function findPolicy(ex: Executor, role: Role): Promise<PolicyRow | undefined> {
  const [row] = await ex.select().from(twoFactorPolicy).where(eq(twoFactorPolicy.role, role)).limit(1);
  return row;
}

/** Writes the policy of one role. */
export async function upsertPolicy(
  ex: Executor,
  v: { role: Role; required: boolean; graceDays: number; requiredSince: Date | null; at: Date; by: string },
): Promise<void> {
  await ex
    .insert(twoFactorPolicy)
    .values({ role: v.role, required: v.required, graceDays: v.graceDays, requiredSince: v.requiredSince, updatedAt: v.at, updatedBy: v.by })
    .onConflictDoUpdate({
      target: twoFactorPolicy.role,
      set: { required: v.required, graceDays: v.graceDays, requiredSince: v.requiredSince, updatedAt: v.at, updatedBy: v.by },
    });
}

/**
 * The password step of an enrolled user's sign-in: a session that owes the second factor. Nothing
 * else is written — the lock counters, last sign-in and login activity wait for the code. The WHERE
 * clause re-checks status and lock as the full sign-in does; false when it wrote nothing.
 */
export async function insertSecondFactorSession(
  ex: Executor,
  v: { userId: string; now: Date; tokenHash: string; expiresAt: Date; ip: string | null; userAgent: string | null; previousTokenHash: string | null; deviceExempt: boolean },
): Promise<boolean> {
  const r = await ex.execute<{ n: number }>(sql`
    WITH u AS (
      SELECT id FROM users
       WHERE id = ${v.userId} AND status = 'active'
         AND (${v.deviceExempt}::boolean OR locked_until IS NULL OR locked_until <= ${v.now})
    ), s AS (
      INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, ip, user_agent, stage, proved_at)
      SELECT ${v.tokenHash}, id, ${v.now}, ${v.now}, ${v.expiresAt}, ${v.ip}, ${v.userAgent}, 'second_factor', NULL FROM u
      RETURNING id
    ), p AS (
      DELETE FROM sessions WHERE token_hash = ${v.previousTokenHash} AND EXISTS (SELECT 1 FROM u)
    )
    SELECT count(*)::int AS n FROM s`);
  return (r.rows[0]?.n ?? 0) === 1;
}

/** The sign-in completed by the second factor: stamp the user and reset their lock. */
export async function stampSignIn(ex: Executor, userId: string, now: Date, ip: string | null): Promise<void> {
  await ex
    .update(users)
    .set({ lastSignInAt: now, lastSignInIp: ip, failedCount: 0, failedWindowStart: null, lockedUntil: null })
    .where(eq(users.id, userId));
}

/** How a session's sign-in began (password or oidc): its code step is recorded under the same method. */
export async function findSessionMethod(ex: Executor, sessionId: string): Promise<'password' | 'oidc'> {
  const [row] = await ex.select({ method: sessions.method }).from(sessions).where(eq(sessions.id, sessionId)).limit(1);
  return row?.method === 'oidc' ? 'oidc' : 'password';
}

/** The stage of one session (undefined when it no longer exists). */
export async function findSessionStage(ex: Executor, sessionId: string): Promise<string | undefined> {
  const [row] = await ex.select({ stage: sessions.stage }).from(sessions).where(eq(sessions.id, sessionId)).limit(1);
  return row?.stage;
}

/** When the session last proved its user (null: never since it began). */
export async function findSessionProvedAt(ex: Executor, sessionId: string): Promise<Date | null | undefined> {
  const [row] = await ex.select({ provedAt: sessions.provedAt }).from(sessions).where(eq(sessions.id, sessionId)).limit(1);
  return row?.provedAt;
}
