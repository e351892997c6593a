/**
 * Personal API tokens: a name, an expiry (at most a year), a role no higher than the creator's.
 * The token is shown once; the table keeps its SHA-256 (it carries 256 random bits, so no salt or
 * slow hash is needed). A token works only while it is unrevoked and unexpired, its creator is
 * active, and the creator's role is still at least the token's; a use that finds otherwise ends it.
 */
import { AppError, fieldError } from '../../../http/errors.js';
import { hashToken, newToken } from '../../../lib/tokens.js';
import { recordAudit } from '../../audit/audit.service.js';
import type { AccessDeps } from '../access.deps.js';
import type { Caller } from '../account.service.js';
import { ROLE_RANK, roleAtMost, type Role } from '../permissions.js';
import type { UserRow } from '../users.repo.js';
import {
  countLiveApiTokens,
  endApiToken,
  findApiTokenWithUser,
  insertApiToken,
  listUserApiTokens,
  revokeUserApiToken,
  touchApiToken,
  type ApiTokenRow,
} from './api-tokens.repo.js';

/** Every token starts with this, so secret scanners and people recognise one. */
export const TOKEN_PREFIX = 'crm_pat_';
/** The longest expiry a token may have. */
export const MAX_TOKEN_DAYS = 365;
/** A user may hold this many live tokens (bounds what a stolen session can mint). */
export const MAX_LIVE_TOKENS = 50;
/** Last-use is written at most this often, so reads do not each cost a write. */
const TOUCH_EVERY_MS = 60_000;
const SHAPE = /^crm_pat_[A-Za-z0-9_-]{43}$/;
const DAY_MS = 86_400_000;

const actor = (c: Caller) => ({ actorType: 'user' as const, actorId: c.user.id, requestId: c.client.requestId });

/** Mints a token for the caller; returns the row and the token (the only time it is available). */
export async function createApiToken(
  deps: AccessDeps,
  caller: Caller,
  input: { name: string; role?: Role | undefined; expiresInDays: number },
): Promise<{ row: ApiTokenRow; token: string }> {
  const name = input.name.trim();
  if (name.length === 0) throw fieldError('name', 'must not be blank');
  const role = input.role ?? caller.user.role;
  if (!roleAtMost(caller.user.role, role)) throw fieldError('role', 'must not be above your own role');
  if (!Number.isInteger(input.expiresInDays) || input.expiresInDays < 1 || input.expiresInDays > MAX_TOKEN_DAYS) {
    throw fieldError('expiresInDays', `must be a whole number of days from 1 to ${MAX_TOKEN_DAYS}`);
  }
  const token = TOKEN_PREFIX + newToken();
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    if ((await countLiveApiTokens(tx, caller.user.id, now)) >= MAX_LIVE_TOKENS) {
      throw new AppError('conflict', `You already hold ${MAX_LIVE_TOKENS} live API tokens; revoke one first.`);
    }
    const row = await insertApiToken(tx, {
      userId: caller.user.id,
      name,
      role,
      tokenHash: hashToken(token),
      prefix: token.slice(0, TOKEN_PREFIX.length + 4),
      at: now,
      expiresAt: new Date(now.getTime() + input.expiresInDays * DAY_MS),
    });
    await recordAudit(tx, deps.clock, actor(caller), {
      action: 'api_token.created',
      targetType: 'api_token',
      targetId: row.id,
      details: { role, expiresInDays: input.expiresInDays },
    });
    return { row, token };
  });
}

/** The caller's tokens, newest first. */
export async function listOwnApiTokens(deps: AccessDeps, caller: Caller): Promise<ApiTokenRow[]> {
  return listUserApiTokens(deps.db, caller.user.id);
}

/** Revokes one of the caller's tokens at once (404 when it is not theirs or already ended). */
export async function revokeOwnApiToken(deps: AccessDeps, caller: Caller, id: string): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const row = await revokeUserApiToken(tx, caller.user.id, id, deps.clock.now());
    if (!row) throw new AppError('not_found', 'No such live API token.');
    await recordAudit(tx, deps.clock, actor(caller), { action: 'api_token.revoked', targetType: 'api_token', targetId: id, details: { role: row.role } });
  });
}

/** What a token's state is at `now`, for the list. */
export function tokenState(row: ApiTokenRow, now: Date): 'active' | 'expired' | 'revoked' {
  if (row.revokedAt) return 'revoked';
  return row.expiresAt.getTime() <= now.getTime() ? 'expired' : 'active';
}

export interface ResolvedApiToken {
  token: ApiTokenRow;
  user: UserRow;
}

/**
 * The live token for an `Authorization: Bearer` value, or null. A token whose creator is no longer
 * active or no longer holds its role is ended here, so it never works again whatever happens next.
 */
export async function resolveApiToken(deps: Pick<AccessDeps, 'db' | 'clock'>, raw: string): Promise<ResolvedApiToken | null> {
  if (!SHAPE.test(raw)) return null;
  const found = await findApiTokenWithUser(deps.db, hashToken(raw));
  if (!found) return null;
  const { token, user } = found;
  const now = deps.clock.now();
  if (token.revokedAt || token.expiresAt.getTime() <= now.getTime()) return null;
  if (user.status !== 'active') {
    await endApiToken(deps.db, token.id, user.status === 'removed' ? 'creator_removed' : 'creator_deactivated', now);
    return null;
  }
  if (ROLE_RANK[user.role] < ROLE_RANK[token.role]) {
    await endApiToken(deps.db, token.id, 'role_lowered', now);
    return null;
  }
  if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > TOUCH_EVERY_MS) {
    await touchApiToken(deps.db, token.id, now);
    token.lastUsedAt = now;
  }
  return found;
}
