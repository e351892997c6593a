import { describe, expect, it } from 'vitest';
import { ACCOUNT_THRESHOLD, UNLOCKED, afterFailure, isLocked, type LockState } from './lockout.js';

const t0 = new Date('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

describe('lockout rule', () => {
  it('locks on the 5th failure inside 15 minutes, not before', () => {
    let s: LockState = UNLOCKED;
    for (let i = 0; i < 4; i++) s = afterFailure(s, at(i * 60_000), ACCOUNT_THRESHOLD);
    expect(isLocked(s, at(4 * 60_000))).toBe(false);
    s = afterFailure(s, at(4 * 60_000), ACCOUNT_THRESHOLD);
    expect(s.lockedUntil).toEqual(at(5 * 60_000));
  });

  it('starts a new window when failures are more than 15 minutes apart', () => {
    let s: LockState = UNLOCKED;
    for (let i = 0; i < 4; i++) s = afterFailure(s, at(i * 60_000), ACCOUNT_THRESHOLD);
    s = afterFailure(s, at(20 * 60_000), ACCOUNT_THRESHOLD);
    expect(s.failedCount).toBe(1);
    expect(s.lockedUntil).toBeNull();
  });

  it('doubles the lock for each further failure, capped at 15 minutes', () => {
    let s: LockState = UNLOCKED;
    let now = 0;
    for (let i = 0; i < 5; i++) s = afterFailure(s, at(now), ACCOUNT_THRESHOLD);
    const locks: number[] = [];
    for (let i = 0; i < 6; i++) {
      locks.push((s.lockedUntil!.getTime() - at(now).getTime()) / 60_000);
      now = s.lockedUntil!.getTime() - t0.getTime() + 1;
      s = afterFailure(s, at(now), ACCOUNT_THRESHOLD);
    }
    expect(locks).toEqual([1, 2, 4, 8, 15, 15]);
  });
});
