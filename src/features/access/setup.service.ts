/**
 * Creating the first owner: a one-time setup link (valid 1 hour, stored hashed) is printed at first
 * start in embedded mode, or by `npm run cli -- create-owner`. Opening it lets a person choose the
 * owner's email, name and password.
 */
import { AppError, fieldError } from '../../http/errors.js';
import { hashToken, newToken } from '../../lib/tokens.js';
import { recordAudit } from '../audit/audit.service.js';
import type { AccessDeps, ClientInfo } from './access.deps.js';
import { hashPassword, passwordProblem } from './passwords.js';
import { createSession } from './sessions.service.js';
import { expireSetupTokens, findUsableSetupToken, insertSetupToken, markSetupTokenUsed } from './setup.repo.js';
import { normaliseEmail, recordAttempt } from './sign-in.service.js';
import { countUsers, findUserByEmail, insertUser, type UserRow } from './users.repo.js';

export const SETUP_LINK_TTL_MS = 60 * 60_000;

/** The address a person opens; the token sits in the fragment so it never reaches a server log. */
export function setupUrl(publicUrl: URL, token: string): string {
  return new URL(`/setup#token=${token}`, publicUrl).toString();
}

/** Creates a new setup link (older unused links die); returns the token. */
export async function createSetupLink(
  deps: Pick<AccessDeps, 'db' | 'clock'>,
  opts: { email?: string; displayName?: string; via: 'first_start' | 'cli' },
): Promise<string> {
  const token = newToken();
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await expireSetupTokens(tx, now);
    await insertSetupToken(tx, {
      tokenHash: hashToken(token),
      email: opts.email ? normaliseEmail(opts.email) : null,
      displayName: opts.displayName ?? null,
      at: now,
      expiresAt: new Date(now.getTime() + SETUP_LINK_TTL_MS),
    });
    await recordAudit(tx, deps.clock, { actorType: opts.via === 'cli' ? 'cli' : 'system', actorId: null, requestId: null }, {
      action: 'setup.link_created',
      targetType: 'setup_link',
      details: { via: opts.via },
    });
  });
  return token;
}

/** At first start with no users: a setup link, or null when users exist. */
export async function firstStartSetupLink(deps: Pick<AccessDeps, 'db' | 'clock'>): Promise<string | null> {
  if ((await countUsers(deps.db)) > 0) return null;
  return createSetupLink(deps, { via: 'first_start' });
}

/** Whether a setup token can be used, and what it pre-fills. */
export async function getSetupStatus(
  deps: Pick<AccessDeps, 'db' | 'clock'>,
  token: string,
): Promise<{ valid: boolean; email: string | null; displayName: string | null }> {
  const row = await findUsableSetupToken(deps.db, hashToken(token), deps.clock.now());
  return row ? { valid: true, email: row.email, displayName: row.displayName } : { valid: false, email: null, displayName: null };
}

/** Uses a setup link: creates the owner (active), signs them in, audits it. */
export async function completeSetup(
  deps: AccessDeps,
  input: { token: string; email: string; displayName: string; password: string },
  client: ClientInfo,
): Promise<{ user: UserRow; sessionToken: string }> {
  const problem = passwordProblem(input.password);
  if (problem) throw fieldError('password', problem);
  const email = normaliseEmail(input.email);
  const passwordHash = await hashPassword(input.password);
  return deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    const link = await findUsableSetupToken(tx, hashToken(input.token), now, true);
    if (!link) throw new AppError('setup_token_invalid', 'This setup link is invalid, used or expired. Ask for a new one.');
    if (await findUserByEmail(tx, email)) throw new AppError('conflict', 'A user with this email already exists.', [{ path: 'email', message: 'is already in use' }]);
    await markSetupTokenUsed(tx, link.id, now);
    const user = await insertUser(tx, { email, displayName: input.displayName.trim(), role: 'owner', status: 'active', passwordHash, at: now });
    await recordAudit(tx, deps.clock, { actorType: 'user', actorId: user.id, requestId: client.requestId }, {
      action: 'setup.completed',
      targetType: 'user',
      targetId: user.id,
      changedFields: ['email', 'displayName', 'role', 'status'],
      details: { role: 'owner' },
      personal: [
        { field: 'email', kind: 'after', subjectType: 'user', subjectId: user.id, value: email },
        { field: 'displayName', kind: 'after', subjectType: 'user', subjectId: user.id, value: user.displayName },
      ],
    });
    const { token } = await createSession(tx, deps, user.id, client);
    // using the link signs the person in: it is login activity like any other sign-in
    await recordAttempt({ db: tx, clock: deps.clock }, { userId: user.id, attemptedEmail: null, reason: null }, client);
    return { user, sessionToken: token };
  });
}
