/** SQL for single sign-on: the one settings row, in-flight flows, and linking accounts to the provider. */
import { and, eq, lt, sql } from 'drizzle-orm';
import { loginActivity, oidcFlows, sessions, ssoSettings, users } from '../../../db/schema.js';
import type { Executor } from '../../../db/client.js';
import type { Role } from '../permissions.js';
import type { UserRow } from '../users.repo.js';

export type SsoSettingsRow = typeof ssoSettings.$inferSelect;
export type OidcFlowRow = typeof oidcFlows.$inferSelect;

/** The settings row has this id: there is one provider. */
export const SETTINGS_ID = 1;

export async function findSsoSettings(ex: Executor): Promise<SsoSettingsRow | undefined> {
  const [row] = await ex.select().from(ssoSettings).where(eq(ssoSettings.id, SETTINGS_ID)).limit(1);
  return row;
}

export async function upsertSsoSettings(ex: Executor, v: Omit<SsoSettingsRow, 'id'>): Promise<SsoSettingsRow> {
  const [row] = await ex
    .insert(ssoSettings)
    .values({ id: SETTINGS_ID, ...v })
    .onConflictDoUpdate({ target: ssoSettings.id, set: v })
    .returning();
  return row!;
}

export async function insertOidcFlow(ex: Executor, v: OidcFlowRow): Promise<void> {
  await ex.insert(oidcFlows).values(v);
}

/** Takes a flow out (single use): returns it once, whether or not it has expired. */
export async function takeOidcFlow(ex: Executor, stateHash: string): Promise<OidcFlowRow | undefined> {
  const [row] = await ex.delete(oidcFlows).where(eq(oidcFlows.stateHash, stateHash)).returning();
  return row;
}

/** Deletes flows that expired unanswered. */
export async function deleteExpiredOidcFlows(ex: Executor, now: Date): Promise<number> {
  const r = await ex.delete(oidcFlows).where(lt(oidcFlows.expiresAt, now)).returning({ s: oidcFlows.stateHash });
  return r.length;
}

export async function findUserBySubject(ex: Executor, subject: string): Promise<UserRow | undefined> {
  const [row] = await ex.select().from(users).where(eq(users.oidcSubject, subject)).limit(1);
  return row;
}

/** Links an account to the provider's subject (only when it has none yet). */
export async function linkSubject(ex: Executor, userId: string, subject: string, at: Date): Promise<boolean> {
  const r = await ex
    .update(users)
    .set({ oidcSubject: subject, updatedAt: at })
    .where(and(eq(users.id, userId), sql`${users.oidcSubject} IS NULL`))
    .returning({ id: users.id });
  return r.length === 1;
}

/** Creates the account of an unknown user of an allowed domain: no password, linked to the subject. */
export async function insertSsoUser(ex: Executor, v: { email: string; displayName: string; role: Role; subject: string; at: Date }): Promise<UserRow> {
  const [row] = await ex
    .insert(users)
    .values({ email: v.email, displayName: v.displayName, role: v.role, status: 'invited', passwordHash: null, oidcSubject: v.subject, createdAt: v.at, updatedAt: v.at })
    .returning();
  return row!;
}

/** Activates an account that single sign-on created (its first sign-in is its acceptance). */
export async function activateSsoUser(ex: Executor, userId: string, at: Date): Promise<void> {
  await ex.update(users).set({ status: 'active', updatedAt: at }).where(and(eq(users.id, userId), eq(users.status, 'invited')));
}

/**
 * A successful SSO sign-in: stamp the user and reset their lock, start the session at `stage`
 * (method oidc), and record the attempt — only while the account is still active (re-checked in
 * the statement, so a deactivation since the read wins). False when nothing was written.
 */
export async function commitSsoSignIn(
  ex: Executor,
  v: { userId: string; now: Date; ip: string | null; userAgent: string | null; tokenHash: string; expiresAt: Date; stage: 'full' | 'second_factor' | 'enrol'; secondFactor: string | null },
): Promise<boolean> {
  const done = v.stage !== 'second_factor';
  const r = await ex.execute<{ n: number }>(sql`
    WITH u AS (
      -- the code step (second_factor) stamps the user and resets the lock itself, as after a password
      UPDATE users
         SET last_sign_in_at = CASE WHEN ${done}::boolean THEN ${v.now}::timestamptz ELSE last_sign_in_at END,
             last_sign_in_ip = CASE WHEN ${done}::boolean THEN ${v.ip} ELSE last_sign_in_ip END,
             failed_count = CASE WHEN ${done}::boolean THEN 0 ELSE failed_count END,
             failed_window_start = CASE WHEN ${done}::boolean THEN NULL ELSE failed_window_start END,
             locked_until = CASE WHEN ${done}::boolean THEN NULL ELSE locked_until END
       WHERE id = ${v.userId} AND status = 'active'
      RETURNING id
    ), s AS (
      INSERT INTO ${sessions} (token_hash, user_id, created_at, last_seen_at, expires_at, ip, user_agent, stage, proved_at, method)
      SELECT ${v.tokenHash}, id, ${v.now}, ${v.now}, ${v.expiresAt}, ${v.ip}, ${v.userAgent}, ${v.stage},
             CASE WHEN ${done}::boolean THEN ${v.now}::timestamptz ELSE NULL END, 'oidc' FROM u
      RETURNING id
    ), a AS (
      INSERT INTO ${loginActivity} (at, user_id, result, reason, ip, user_agent, method, second_factor)
      SELECT ${v.now}, id, 'success', NULL, ${v.ip}, ${v.userAgent}, 'oidc', ${v.secondFactor} FROM u
       WHERE ${done}::boolean
    )
    SELECT count(*)::int AS n FROM s`);
  return (r.rows[0]?.n ?? 0) === 1;
}

