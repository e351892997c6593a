/** The per-role 2FA policy an owner sets (settings.manage), with how many users of each role have enrolled. */
import { sql } from 'drizzle-orm';
import { recordAudit } from '../../audit/audit.service.js';
import type { Caller } from '../account.service.js';
import { ROLES, type Role } from '../permissions.js';
import { DEFAULT_GRACE_DAYS, RECOMMENDED_ROLES } from './policy.js';
import { findPolicy, listPolicies, upsertPolicy } from './two-factor.repo.js';
import { actorOf, type TwoFactorDeps } from './two-factor.service.js';

export interface RolePolicy {
  role: Role;
  required: boolean;
  graceDays: number;
  requiredSince: Date | null;
  recommended: boolean;
  activeUsers: number;
  enrolledUsers: number;
}

/** The policy of every role (roles never set: not required, 7 days' grace). */
export async function getTwoFactorPolicy(deps: TwoFactorDeps): Promise<RolePolicy[]> {
  const [rows, counts] = await Promise.all([
    listPolicies(deps.db),
    deps.db.execute<{ role: Role; active: number; enrolled: number }>(sql`
      SELECT role, count(*)::int AS active, count(totp_enrolled_at)::int AS enrolled
        FROM users WHERE status = 'active' GROUP BY role`),
  ]);
  return ROLES.map((role) => {
    const p = rows.find((r) => r.role === role);
    const c = counts.rows.find((r) => r.role === role);
    return {
      role,
      required: p?.required ?? false,
      graceDays: p?.graceDays ?? DEFAULT_GRACE_DAYS,
      requiredSince: p?.required ? p.requiredSince : null,
      recommended: RECOMMENDED_ROLES.includes(role),
      activeUsers: c?.active ?? 0,
      enrolledUsers: c?.enrolled ?? 0,
    };
  });
}

/**
 * Sets whether 2FA is required for `role`. Switching it on starts the grace period now; changing only
 * the grace days of a requirement already on keeps its start; switching it off clears it.
 */
export async function setTwoFactorPolicy(deps: TwoFactorDeps, caller: Caller, role: Role, input: { required: boolean; graceDays: number }): Promise<RolePolicy[]> {
  await deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    const before = await findPolicy(tx, role);
    const requiredSince = input.required ? (before?.required && before.requiredSince ? before.requiredSince : now) : null;
    await upsertPolicy(tx, { role, required: input.required, graceDays: input.graceDays, requiredSince, at: now, by: caller.user.id });
    await recordAudit(tx, deps.clock, actorOf(caller), {
      action: 'two_factor.policy_changed',
      changedFields: ['required', 'graceDays'],
      details: { role, required: input.required, graceDays: input.graceDays },
    });
  });
  return getTwoFactorPolicy(deps);
}
