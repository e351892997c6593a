/**
 * Authorization, second layer: what one user may do to another. The route guard has already checked
 * the permission table; this adds the rules that depend on the target: the role ceiling (nobody acts
 * on or grants above their own rank), the last active owner, and the target's state. Deny by default.
 */
import { AppError } from '../../http/errors.js';
import { isLocked } from './lockout.js';
import { ROLES, ROLE_RANK, roleMay, type Role } from './permissions.js';
import type { UserRow } from './users.repo.js';

export interface TargetAbilities {
  changeRole: boolean;
  assignableRoles: Role[];
  deactivate: boolean;
  reactivate: boolean;
  remove: boolean;
  endSessions: boolean;
  unlock: boolean;
  sendPasswordReset: boolean;
  resendInvitation: boolean;
  revokeInvitation: boolean;
  viewActivity: boolean;
}

export type TargetAction = Exclude<keyof TargetAbilities, 'assignableRoles'>;

/** True when `actor` is not outranked by `target`. */
function withinRank(actor: UserRow, target: UserRow): boolean {
  return ROLE_RANK[target.role] <= ROLE_RANK[actor.role];
}

/** True when `target` is the only active owner (so it may not stop being one). */
function isLastOwner(target: UserRow, activeOwners: number): boolean {
  return target.role === 'owner' && target.status === 'active' && activeOwners <= 1;
}

/** Everything `actor` may do to `target`, given the number of active owners and the time. */
export function abilitiesOn(actor: UserRow, target: UserRow, activeOwners: number, now: Date): TargetAbilities {
  const rank = withinRank(actor, target);
  const manage = rank && roleMay(actor.role, 'users.manage');
  const invite = rank && roleMay(actor.role, 'users.invite');
  const lastOwner = isLastOwner(target, activeOwners);
  const assignableRoles =
    rank && roleMay(actor.role, 'users.role.change') && target.status !== 'removed' && !lastOwner
      ? ROLES.filter((r) => ROLE_RANK[r] <= ROLE_RANK[actor.role] && r !== target.role)
      : [];
  return {
    changeRole: assignableRoles.length > 0,
    assignableRoles,
    deactivate: manage && target.status === 'active' && !lastOwner,
    reactivate: manage && target.status === 'deactivated',
    remove: manage && target.status !== 'removed' && target.status !== 'invited' && !lastOwner,
    endSessions: manage && target.status === 'active',
    unlock: manage && target.status === 'active' && isLocked(target, now),
    sendPasswordReset: manage && target.status === 'active',
    resendInvitation: invite && target.status === 'invited',
    revokeInvitation: invite && target.status === 'invited',
    viewActivity: roleMay(actor.role, 'users.activity.read'),
  };
}

/** Throws the right refusal when `actor` may not take `action` on `target`. */
export function assertMay(actor: UserRow, target: UserRow, action: TargetAction, activeOwners: number, now: Date): void {
  if (abilitiesOn(actor, target, activeOwners, now)[action]) return;
  if (!withinRank(actor, target)) throw new AppError('forbidden', 'You cannot act on a user whose role is above your own.');
  if (isLastOwner(target, activeOwners) && ['changeRole', 'deactivate', 'remove'].includes(action)) {
    throw new AppError('conflict', 'This is the last active owner: make another user an owner first.');
  }
  throw new AppError('conflict', `This action is not possible while the user is ${target.status}.`);
}

/** Throws unless `actor` may give `role` to `target`. */
export function assertMayAssign(actor: UserRow, target: UserRow, role: Role, activeOwners: number, now: Date): void {
  if (ROLE_RANK[role] > ROLE_RANK[actor.role]) throw new AppError('forbidden', 'You cannot grant a role above your own.');
  assertMay(actor, target, 'changeRole', activeOwners, now);
}
