/**
 * The successful sign-in as one statement: stamp the user and reset their lock, start the session,
 * end the session the browser carried, reset the device counter and record the attempt — one round
 * trip, run inside a transaction that the caller commits only when the password proved right. The
 * WHERE clause re-checks status and lock, so a concurrent change since the read makes it write nothing.
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';

export interface SuccessfulSignIn {
  userId: string;
  now: Date;
  ip: string | null;
  userAgent: string | null;
  tokenHash: string;
  expiresAt: Date;
  previousTokenHash: string | null;
  /** a valid, unlocked device cookie for this user: exempt from the account lock */
  deviceId: string | null;
  /** 'enrol' when 2FA is required for the user's role and its grace period is over; default 'full' */
  stage?: 'full' | 'enrol';
}

/** Writes a successful sign-in; false when the account was locked or deactivated meanwhile. */
export async function commitSuccessfulSignIn(ex: Executor, v: SuccessfulSignIn): Promise<boolean> {
  const exempt = v.deviceId !== null;
  const r = await ex.execute<{ n: number }>(sql`
    WITH u AS (
      UPDATE users
         SET last_sign_in_at = ${v.now}, last_sign_in_ip = ${v.ip},
             failed_count = 0, failed_window_start = NULL, locked_until = NULL
       WHERE id = ${v.userId} AND status = 'active'
         AND (${exempt}::boolean OR locked_until IS NULL OR locked_until <= ${v.now})
      RETURNING id
    ), s AS (
      INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, ip, user_agent, stage, proved_at)
      SELECT ${v.tokenHash}, id, ${v.now}, ${v.now}, ${v.expiresAt}, ${v.ip}, ${v.userAgent}, ${v.stage ?? 'full'}, ${v.now} FROM u
      RETURNING id
    ), p AS (
      DELETE FROM sessions WHERE token_hash = ${v.previousTokenHash} AND EXISTS (SELECT 1 FROM u)
    ), d AS (
      DELETE FROM device_locks WHERE device_id = ${v.deviceId} AND EXISTS (SELECT 1 FROM u)
    ), a AS (
      INSERT INTO login_activity (at, user_id, result, reason, ip, user_agent)
      SELECT ${v.now}, id, 'success', NULL, ${v.ip}, ${v.userAgent} FROM u
    )
    SELECT count(*)::int AS n FROM s`);
  return (r.rows[0]?.n ?? 0) === 1;
}
