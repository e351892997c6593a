/** SQL for the login-activity record (every sign-in attempt) and device-cookie counters. */
import { and, desc, eq, gte, lt, lte, type SQL } from 'drizzle-orm';
import { deviceLocks, loginActivity, users } from '../../db/schema.js';
import type { Executor } from '../../db/client.js';
import type { LockState } from './lockout.js';
import { signIns } from '../metrics/metrics.js';

export type LoginActivityRow = typeof loginActivity.$inferSelect;
export type LoginReason = NonNullable<LoginActivityRow['reason']>;

/** Appends one attempt. */
export async function insertLoginActivity(
  ex: Executor,
  v: {
    at: Date;
    userId: string | null;
    attemptedEmail: string | null;
    result: 'success' | 'failure';
    reason: LoginReason | null;
    ip: string | null;
    userAgent: string | null;
    /** the second factor's result when one was asked (totp_ok, totp_failed, recovery_ok, recovery_failed) */
    secondFactor?: string | null;
    /** how the person signed in: password (default) or oidc */
    method?: 'password' | 'oidc';
  },
): Promise<void> {
  await ex.insert(loginActivity).values(v);
  signIns.inc({ result: v.result, reason: v.reason ?? 'none' });
}

/** One page of a user's attempts, newest first, before the id `beforeId` (keyset pagination). */
export async function listLoginActivity(
  ex: Executor,
  userId: string,
  beforeId: number | null,
  limit: number,
): Promise<LoginActivityRow[]> {
  const cond = beforeId === null ? eq(loginActivity.userId, userId) : and(eq(loginActivity.userId, userId), lt(loginActivity.id, beforeId));
  return ex.select().from(loginActivity).where(cond).orderBy(desc(loginActivity.id)).limit(limit);
}

/** The counters of a device cookie (unlocked when none are stored). */
export async function findDeviceLock(ex: Executor, deviceId: string): Promise<LockState | undefined> {
  const [row] = await ex.select().from(deviceLocks).where(eq(deviceLocks.deviceId, deviceId)).for('update').limit(1);
  return row;
}

/** Upserts the counters of a device cookie. */
export async function saveDeviceLock(ex: Executor, deviceId: string, userId: string, s: LockState): Promise<void> {
  await ex
    .insert(deviceLocks)
    .values({ deviceId, userId, ...s })
    .onConflictDoUpdate({ target: deviceLocks.deviceId, set: { ...s } });
}

export interface ActivityFilter {
  userId?: string | undefined;
  result?: 'success' | 'failure' | undefined;
  reason?: LoginReason | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  beforeId: number | null;
  limit: number;
}

/** The whole log (owners and admins), filtered, newest first, with the user's name and email. */
export async function listAllLoginActivity(ex: Executor, f: ActivityFilter) {
  const conds: SQL[] = [];
  if (f.userId) conds.push(eq(loginActivity.userId, f.userId));
  if (f.result) conds.push(eq(loginActivity.result, f.result));
  if (f.reason) conds.push(eq(loginActivity.reason, f.reason));
  if (f.from) conds.push(gte(loginActivity.at, f.from));
  if (f.to) conds.push(lte(loginActivity.at, f.to));
  if (f.beforeId !== null) conds.push(lt(loginActivity.id, f.beforeId));
  return ex
    .select({ a: loginActivity, userDisplayName: users.displayName, userEmail: users.email })
    .from(loginActivity)
    .leftJoin(users, eq(users.id, loginActivity.userId))
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(desc(loginActivity.id))
    .limit(f.limit);
}
