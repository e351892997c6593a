/**
 * Server-side sessions: the cookie carries 32 random bytes; the table keeps their SHA-256. A session
 * ends at its absolute expiry, after the idle timeout, on sign-out, or when its user stops being active.
 */
import type { Executor } from '../../db/client.js';
import { hashToken, newToken } from '../../lib/tokens.js';
import type { AccessDeps, ClientInfo } from './access.deps.js';
import { PENDING_STAGE_MS } from './two-factor/session-stage.js';
import {
  deleteSession,
  findSessionWithUser,
  insertSession,
  touchSession,
  type SessionRow,
  type UserForSession,
} from './sessions.repo.js';

/** Last-seen is written at most this often, so reads do not each cost a write. */
const TOUCH_EVERY_MS = 60_000;

export interface ResolvedSession {
  session: SessionRow;
  user: UserForSession;
}

/** Starts a session for `userId`; returns the cookie value (shown once) and the row. */
export async function createSession(
  ex: Executor,
  deps: Pick<AccessDeps, 'clock' | 'sessionMaxMs'>,
  userId: string,
  client: ClientInfo,
): Promise<{ token: string; session: SessionRow }> {
  const token = newToken();
  const now = deps.clock.now();
  const session = await insertSession(ex, {
    tokenHash: hashToken(token),
    userId,
    at: now,
    expiresAt: new Date(now.getTime() + deps.sessionMaxMs),
    ip: client.ip,
    userAgent: client.userAgent?.slice(0, 512) ?? null,
  });
  return { token, session };
}

/** True when the session is past its absolute or idle limit at `now`. */
export function sessionExpired(s: SessionRow, now: Date, idleMs: number): boolean {
  return s.expiresAt.getTime() <= now.getTime() || now.getTime() - s.lastSeenAt.getTime() > idleMs;
}

/** The live session for a cookie value, or null (expired sessions and inactive users end here). */
export async function resolveSession(deps: AccessDeps, token: string | undefined): Promise<ResolvedSession | null> {
  if (!token || token.length > 200) return null;
  const found = await findSessionWithUser(deps.db, hashToken(token));
  if (!found) return null;
  const now = deps.clock.now();
  const pendingTooLong = found.session.stage !== 'full' && now.getTime() - found.session.createdAt.getTime() > PENDING_STAGE_MS;
  if (sessionExpired(found.session, now, deps.sessionIdleMs) || found.user.status !== 'active' || pendingTooLong) {
    await deleteSession(deps.db, found.session.id);
    return null;
  }
  if (now.getTime() - found.session.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    await touchSession(deps.db, found.session.id, now);
    found.session.lastSeenAt = now;
  }
  return found;
}

