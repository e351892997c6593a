/**
 * A signed-in user's own account: profile, password, sessions, sign-in activity, sign-out.
 */
import { AppError, fieldError } from '../../http/errors.js';
import { recordAudit } from '../audit/audit.service.js';
import { messages } from '../notifications/messages.js';
import { notify } from '../notifications/notify.js';
import type { AccessDeps, ClientInfo } from './access.deps.js';
import { listLoginActivity, type LoginActivityRow } from './login-activity.repo.js';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.js';
import { createSession, sessionExpired } from './sessions.service.js';
import { deleteOtherSessions, deleteSession, deleteUserSession, listUserSessions, type SessionRow } from './sessions.repo.js';
import { updatePasswordHash, updateUserProfile, type UserRow } from './users.repo.js';

/** The caller as the guard resolved them. */
export interface Caller {
  user: UserRow;
  /** the session of a browser caller; null when a personal API token authenticated the request */
  sessionId: string | null;
  /** the personal API token that authenticated the request (its role, not the user's, is checked) */
  apiTokenId?: string | null;
  client: ClientInfo;
}

/** The caller's session id; API tokens are refused here (the action needs a browser session). */
export function sessionOf(c: Caller): string {
  if (!c.sessionId) throw new AppError('forbidden', 'This needs a signed-in browser session; API tokens cannot do it.');
  return c.sessionId;
}

const ctx = (c: Caller) => ({ actorType: 'user' as const, actorId: c.user.id, requestId: c.client.requestId });

/** Changes the caller's display name. */
export async function updateOwnProfile(deps: AccessDeps, caller: Caller, input: { displayName: string }): Promise<UserRow> {
  const displayName = input.displayName.trim();
  if (displayName.length === 0) throw fieldError('displayName', 'must not be blank');
  if (displayName === caller.user.displayName) return caller.user;
  return deps.db.transaction(async (tx) => {
    const user = await updateUserProfile(tx, caller.user.id, { displayName, at: deps.clock.now() });
    await recordAudit(tx, deps.clock, ctx(caller), {
      action: 'profile.updated',
      targetType: 'user',
      targetId: user.id,
      changedFields: ['displayName'],
      details: {},
      personal: [
        { field: 'displayName', kind: 'before', subjectType: 'user', subjectId: user.id, value: caller.user.displayName },
        { field: 'displayName', kind: 'after', subjectType: 'user', subjectId: user.id, value: displayName },
      ],
    });
    return user;
  });
}

/** Changes the caller's password, ends every other session and rotates this one's id. */
export async function changeOwnPassword(
  deps: AccessDeps,
  caller: Caller,
  input: { currentPassword: string; newPassword: string },
): Promise<{ sessionToken: string }> {
  if (!(await verifyPassword(caller.user.passwordHash, input.currentPassword))) {
    throw fieldError('currentPassword', 'is not your current password');
  }
  const problem = passwordProblem(input.newPassword);
  if (problem) throw fieldError('newPassword', problem);
  if (input.newPassword === input.currentPassword) throw fieldError('newPassword', 'must differ from the current password');
  const passwordHash = await hashPassword(input.newPassword);
  return deps.db.transaction(async (tx) => {
    await updatePasswordHash(tx, caller.user.id, passwordHash, deps.clock.now());
    const ended = await deleteOtherSessions(tx, caller.user.id, null);
    const { token } = await createSession(tx, deps, caller.user.id, caller.client);
    await recordAudit(tx, deps.clock, ctx(caller), {
      action: 'password.changed',
      targetType: 'user',
      targetId: caller.user.id,
      changedFields: ['password'],
      details: { otherSessionsEnded: Math.max(0, ended - 1) },
    });
    await notify(tx, deps.clock.now(), messages.passwordChanged(caller.user.id, deps.clock.now()));
    return { sessionToken: token };
  });
}

/** The caller's live sessions (ended ones stay in the table until the retention purge: not listed). */
export async function listOwnSessions(deps: AccessDeps, caller: Caller): Promise<SessionRow[]> {
  const now = deps.clock.now();
  return (await listUserSessions(deps.db, caller.user.id)).filter((s) => !sessionExpired(s, now, deps.sessionIdleMs));
}

/** Ends one of the caller's sessions (404 when it is not theirs). */
export async function endOwnSession(deps: AccessDeps, caller: Caller, sessionId: string): Promise<void> {
  await deps.db.transaction(async (tx) => {
    if (!(await deleteUserSession(tx, caller.user.id, sessionId))) throw new AppError('not_found', 'No such session.');
    await recordAudit(tx, deps.clock, ctx(caller), {
      action: 'session.ended',
      targetType: 'session',
      targetId: sessionId,
      details: { self: sessionId === caller.sessionId },
    });
  });
}

/** Ends every session of the caller but the current one. */
export async function endOtherOwnSessions(deps: AccessDeps, caller: Caller): Promise<number> {
  return deps.db.transaction(async (tx) => {
    const ended = await deleteOtherSessions(tx, caller.user.id, caller.sessionId);
    await recordAudit(tx, deps.clock, ctx(caller), {
      action: 'session.ended_others',
      targetType: 'user',
      targetId: caller.user.id,
      details: { ended },
    });
    return ended;
  });
}

/** Signs the caller out: the session row is deleted. */
export async function signOut(deps: AccessDeps, caller: Caller): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const sessionId = sessionOf(caller);
    await deleteSession(tx, sessionId);
    await recordAudit(tx, deps.clock, ctx(caller), {
      action: 'session.signed_out',
      targetType: 'session',
      targetId: sessionId,
      details: {},
    });
  });
}

/** One page of the caller's sign-in attempts. */
export async function listOwnLoginActivity(
  deps: AccessDeps,
  caller: Caller,
  page: { cursor: number | null; limit: number },
): Promise<{ items: LoginActivityRow[]; nextCursor: number | null }> {
  const rows = await listLoginActivity(deps.db, caller.user.id, page.cursor, page.limit + 1);
  const items = rows.slice(0, page.limit);
  return { items, nextCursor: rows.length > page.limit ? items[items.length - 1]!.id : null };
}
