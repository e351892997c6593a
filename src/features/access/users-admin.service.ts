/**
 * Managing other users: list and detail, role changes, deactivation, reactivation, removal, ending
 * sessions, unlocking. Each change takes the last-owner lock, asks the policy, writes, and audits in
 * one transaction.
 */
import { AppError } from '../../http/errors.js';
import { recordAudit } from '../audit/audit.service.js';
import { messages } from '../notifications/messages.js';
import { notify } from '../notifications/notify.js';
import type { AuditEventInput } from '../audit/audit.types.js';
import type { AccessDeps } from './access.deps.js';
import type { Caller } from './account.service.js';
import type { Role } from './permissions.js';
import { deleteOtherSessions, listUserSessions, type SessionRow } from './sessions.repo.js';
import { endApiTokensAbove, endUserApiTokens } from './api-tokens/api-tokens.repo.js';
import { sessionExpired } from './sessions.service.js';
import { abilitiesOn, assertMay, assertMayAssign, type TargetAbilities, type TargetAction } from './users.policy.js';
import {
  clearUserLock,
  deidentifyUser,
  deleteUserLinks,
  invitationExpiries,
  listUsers,
  lockActiveOwners,
  updateUserAccess,
  type UserListFilter,
} from './users-admin.repo.js';
import { countActiveOwners, findUserById, findUserByIdForUpdate, type UserRow } from './users.repo.js';
import type { Tx } from '../../db/client.js';
import { decodeCursor, encodeCursor } from '../../http/cursor.js';

export interface UserListPage {
  items: { user: UserRow; invitationExpiresAt: Date | null }[];
  nextCursor: string | null;
}

/** One page of the users list. */
export async function listUsersPage(deps: AccessDeps, f: Omit<UserListFilter, 'after'> & { cursor?: string | undefined }): Promise<UserListPage> {
  const rows = await listUsers(deps.db, { ...f, after: f.cursor ? decodeCursor(f.cursor) : undefined, limit: f.limit + 1 });
  const page = rows.slice(0, f.limit);
  const expiries = await invitationExpiries(deps.db, page.filter((r) => r.row.status === 'invited').map((r) => r.row.id));
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({ user: r.row, invitationExpiresAt: expiries.get(r.row.id) ?? null })),
    nextCursor: rows.length > f.limit && last ? encodeCursor(last.sortValue, last.row.id) : null,
  };
}

/** A user with what the caller may do to them. */
export async function getUserDetail(
  deps: AccessDeps,
  caller: Caller,
  id: string,
): Promise<{ user: UserRow; invitationExpiresAt: Date | null; abilities: TargetAbilities }> {
  const user = await findUserById(deps.db, id);
  if (!user) throw new AppError('not_found', 'No such user.');
  const owners = await countActiveOwners(deps.db);
  const expiries = await invitationExpiries(deps.db, user.status === 'invited' ? [user.id] : []);
  return { user, invitationExpiresAt: expiries.get(user.id) ?? null, abilities: abilitiesOn(caller.user, user, owners, deps.clock.now()) };
}

/** A user's live sessions (for owners and admins; ended ones wait for the retention purge, unlisted). */
export async function listSessionsOf(deps: AccessDeps, id: string): Promise<SessionRow[]> {
  if (!(await findUserById(deps.db, id))) throw new AppError('not_found', 'No such user.');
  const now = deps.clock.now();
  return (await listUserSessions(deps.db, id)).filter((s) => !sessionExpired(s, now, deps.sessionIdleMs));
}

/** Runs one change on `targetId` under the last-owner lock, with the caller re-read inside the transaction. */
async function change<T>(
  deps: AccessDeps,
  caller: Caller,
  targetId: string,
  action: TargetAction,
  body: (tx: Tx, target: UserRow, now: Date, owners: number, actor: UserRow) => Promise<T>,
): Promise<T> {
  return deps.db.transaction(async (tx) => {
    const owners = await lockActiveOwners(tx);
    const actor = await findUserByIdForUpdate(tx, caller.user.id);
    const target = await findUserByIdForUpdate(tx, targetId);
    if (!actor || actor.status !== 'active') throw new AppError('unauthenticated', 'Sign in to continue.');
    if (!target) throw new AppError('not_found', 'No such user.');
    const now = deps.clock.now();
    if (action !== 'changeRole') assertMay(actor, target, action, owners, now);
    return body(tx, target, now, owners, actor);
  });
}

function audit(deps: AccessDeps, tx: Tx, caller: Caller, event: AuditEventInput) {
  return recordAudit(tx, deps.clock, { actorType: 'user', actorId: caller.user.id, requestId: caller.client.requestId }, event);
}

/** Changes a user's role; their sessions end (a privilege change gets fresh sessions). */
export async function changeRole(deps: AccessDeps, caller: Caller, targetId: string, role: Role): Promise<UserRow> {
  return change(deps, caller, targetId, 'changeRole', async (tx, target, now, owners, actor) => {
    assertMayAssign(actor, target, role, owners, now);
    const user = await updateUserAccess(tx, target.id, { role, at: now });
    // their API tokens above the new role end with it
    await endApiTokensAbove(tx, target.id, role, now);
    const ended = await deleteOtherSessions(tx, target.id, target.id === caller.user.id ? caller.sessionId : null);
    await audit(deps, tx, caller, { action: 'user.role_changed', targetType: 'user', targetId: target.id, changedFields: ['role'], details: { from: target.role, to: role, sessionsEnded: ended } });
    await notify(tx, now, messages.roleChanged(target.id, now, target.role, role));
    return user;
  });
}

/** Deactivates: every session ends now, sign-in is refused, pending links die. Reversible. */
export async function deactivateUser(deps: AccessDeps, caller: Caller, targetId: string): Promise<UserRow> {
  return change(deps, caller, targetId, 'deactivate', async (tx, target, now) => {
    const user = await updateUserAccess(tx, target.id, { status: 'deactivated', at: now });
    const ended = await deleteOtherSessions(tx, target.id, null);
    await endUserApiTokens(tx, target.id, 'creator_deactivated', now);
    await deleteUserLinks(tx, target.id);
    await audit(deps, tx, caller, { action: 'user.deactivated', targetType: 'user', targetId: target.id, changedFields: ['status'], details: { sessionsEnded: ended } });
    await notify(tx, now, messages.statusChanged(target.id, now, 'deactivated'));
    return user;
  });
}

/** Reactivates a deactivated user. */
export async function reactivateUser(deps: AccessDeps, caller: Caller, targetId: string): Promise<UserRow> {
  return change(deps, caller, targetId, 'reactivate', async (tx, target, now) => {
    const user = await updateUserAccess(tx, target.id, { status: 'active', at: now });
    await audit(deps, tx, caller, { action: 'user.reactivated', targetType: 'user', targetId: target.id, changedFields: ['status'], details: {} });
    await notify(tx, now, messages.statusChanged(target.id, now, 'reactivated'));
    return user;
  });
}

/** Removes irreversibly: de-identified under a pseudonym; personal values erased. */
export async function removeUser(deps: AccessDeps, caller: Caller, targetId: string): Promise<UserRow> {
  return change(deps, caller, targetId, 'remove', async (tx, target, now) => {
    const sessions = await listUserSessions(tx, target.id);
    const pseudonym = `removed-user-${target.id.replace(/-/g, '').slice(0, 12)}`;
    const user = await deidentifyUser(tx, target.id, pseudonym, now);
    await audit(deps, tx, caller, {
      action: 'user.removed',
      targetType: 'user',
      targetId: target.id,
      changedFields: ['email', 'displayName', 'status', 'password'],
      details: { sessionsEnded: sessions.length },
    });
    return user;
  });
}

/** Ends every session of a user. */
export async function endSessionsOf(deps: AccessDeps, caller: Caller, targetId: string): Promise<number> {
  return change(deps, caller, targetId, 'endSessions', async (tx, target) => {
    const ended = await deleteOtherSessions(tx, target.id, target.id === caller.user.id ? caller.sessionId : null);
    await audit(deps, tx, caller, { action: 'user.sessions_ended', targetType: 'user', targetId: target.id, details: { ended } });
    return ended;
  });
}

/** Lifts a lockout. */
export async function unlockUser(deps: AccessDeps, caller: Caller, targetId: string): Promise<UserRow> {
  return change(deps, caller, targetId, 'unlock', async (tx, target) => {
    await clearUserLock(tx, target.id);
    await audit(deps, tx, caller, { action: 'user.unlocked', targetType: 'user', targetId: target.id, changedFields: ['lock'], details: {} });
    return (await findUserById(tx, target.id))!;
  });
}

/** Exposed for the invitation and reset services: the same guarded transaction. */
export { change as changeUser, audit as auditAsCaller };
