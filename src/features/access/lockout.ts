/**
 * The lockout rule, as pure functions over a counter: 5 failures inside 15 minutes lock for 1 minute,
 * each further failure doubles the lock (2, 4, 8) up to 15 minutes. Attempts during a lock do not
 * count; a success resets. Used for accounts (threshold 5) and device cookies (threshold 10).
 */
export const WINDOW_MS = 15 * 60_000;
export const ACCOUNT_THRESHOLD = 5;
export const DEVICE_THRESHOLD = 10;
const MAX_LOCK_MS = 15 * 60_000;

export interface LockState {
  failedCount: number;
  failedWindowStart: Date | null;
  lockedUntil: Date | null;
}

export const UNLOCKED: LockState = { failedCount: 0, failedWindowStart: null, lockedUntil: null };

/** True while a lock is in force. */
export function isLocked(s: LockState, now: Date): boolean {
  return s.lockedUntil !== null && s.lockedUntil.getTime() > now.getTime();
}

/** The state after one more failure at `now`. */
export function afterFailure(s: LockState, now: Date, threshold: number): LockState {
  const windowExpired = s.failedWindowStart === null || now.getTime() - s.failedWindowStart.getTime() > WINDOW_MS;
  // A lock that ended keeps its count, so the next failure doubles the lock instead of starting over,
  // as long as failures keep coming inside the window measured from the last lock's end.
  const lockJustEnded = s.lockedUntil !== null && now.getTime() - s.lockedUntil.getTime() <= WINDOW_MS;
  const count = windowExpired && !lockJustEnded ? 1 : s.failedCount + 1;
  const windowStart = windowExpired && !lockJustEnded ? now : (s.failedWindowStart ?? now);
  if (count < threshold) return { failedCount: count, failedWindowStart: windowStart, lockedUntil: null };
  const lockMs = Math.min(60_000 * 2 ** (count - threshold), MAX_LOCK_MS);
  return { failedCount: count, failedWindowStart: windowStart, lockedUntil: new Date(now.getTime() + lockMs) };
}
