import type { Role, UserStatus } from '../../lib/session.js';
import { humanise } from '../../lib/format.js';

/** Highest first. Used only to offer roles in the invitation form; the server decides. */
export const ROLES: readonly Role[] = ['owner', 'admin', 'operator', 'viewer'];

/** The roles at or below `own`: the ones someone with that role may grant. */
export function rolesUpTo(own: Role): Role[] {
  return ROLES.slice(ROLES.indexOf(own));
}

export const STATUSES: readonly UserStatus[] = ['active', 'invited', 'deactivated', 'removed'];

export const STATUS_LABELS: Record<UserStatus, string> = {
  active: 'Active',
  invited: 'Invited',
  deactivated: 'Deactivated',
  removed: 'Removed',
};

export const STATUS_COLORS: Record<UserStatus, string> = {
  active: 'green',
  invited: 'blue',
  deactivated: 'gray',
  removed: 'red',
};

export const FAILURE_REASONS = ['bad_password', 'unknown_user', 'deactivated', 'locked', 'rate_limited'] as const;

const REASON_LABELS: Record<string, string> = {
  bad_password: 'Wrong password',
  unknown_user: 'Unknown email',
  deactivated: 'Account deactivated',
  locked: 'Account locked',
  rate_limited: 'Too many attempts',
};

export function reasonLabel(reason: string): string {
  return REASON_LABELS[reason] ?? humanise(reason);
}
