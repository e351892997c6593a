/**
 * Whether 2FA is required for a user: the owner's per-role policy, the grace period counted from when
 * the requirement was switched on, and whether the user is already enrolled. Pure, so sign-in, the
 * status endpoint and the tests read one rule.
 */
import type { Role } from '../permissions.js';
import type { PolicyRow } from './two-factor.repo.js';

const DAY_MS = 24 * 3600_000;
export const DEFAULT_GRACE_DAYS = 7;
/** Roles the UI recommends 2FA to even when no policy requires it. */
export const RECOMMENDED_ROLES: readonly Role[] = ['owner', 'admin'];

export interface Requirement {
  /** the policy requires 2FA for the user's role */
  required: boolean;
  /** when the grace period ends (null when not required) */
  graceEndsAt: Date | null;
  /** required, not enrolled and the grace period is over: only enrolment is possible */
  enforced: boolean;
}

/** The requirement for a user of `role` (enrolled or not) under `policy` at `now`. */
export function requirementFor(policy: PolicyRow | undefined, enrolled: boolean, now: Date): Requirement {
  if (!policy?.required || !policy.requiredSince) return { required: false, graceEndsAt: null, enforced: false };
  const graceEndsAt = new Date(policy.requiredSince.getTime() + policy.graceDays * DAY_MS);
  return { required: true, graceEndsAt, enforced: !enrolled && now.getTime() >= graceEndsAt.getTime() };
}
