/**
 * The public deletion form's requests: opened at `verifying` with a single-use link mailed to the
 * named login email (valid 24 hours), and verified only by a POST from that link's page (mail
 * scanners fetch links: a GET never changes anything). The form answers the same whether or not the
 * email has an account: the request, the mail and the work are the same either way.
 */
import type { Db } from '../../../db/client.js';
import { AppError } from '../../../http/errors.js';
import type { Clock } from '../../../lib/clock.js';
import { hashToken, newToken } from '../../../lib/tokens.js';
import { findUserByEmail } from '../../access/users.repo.js';
import { recordAudit } from '../../audit/audit.service.js';
import type { AuditContext } from '../../audit/audit.types.js';
import type { Mailer } from '../../mail/mailer.js';
import { newConfirmationCode } from '../../meta-callbacks/data-deletion.service.js';
import { canMove, dueDateOf } from '../request-states.js';
import type { DeletionForm } from './deletion-form.js';
import { findByVerifyHash, insertPublicDeletion, markVerifiedByLink, type PrivacyRequestRow } from './public-requests.repo.js';
import { deletionVerifyMail } from './verify-mail.js';

export const VERIFY_TTL_MS = 24 * 3600_000;

export interface PublicRequestDeps {
  db: Db;
  clock: Clock;
  mailer: Mailer;
  publicUrl: URL;
}

/** A member of the public, known only by what they typed: no actor id. */
const publicActor = (requestId: string | null): AuditContext => ({ actorType: 'customer', actorId: null, requestId });

/** The shape of a verification token (newToken(): 32 bytes base64url); anything else is not looked up. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Opens a deletion request from the form and mails its verification link. Resolves to whether the
 * mail went out (a failed delivery is logged by the caller; the request waits in `verifying`).
 */
export async function openPublicDeletion(deps: PublicRequestDeps, form: DeletionForm, requestId: string): Promise<{ delivered: boolean; error: string | null }> {
  // Without mail (https PUBLIC_URL, no SMTP_URL) nobody could confirm: refuse before storing anything.
  if (deps.mailer.mode === 'none') throw new AppError('unavailable', 'Requests by form are not available on this console right now because it cannot send mail. Please use the contact below.');
  const token = newToken();
  await deps.db.transaction(async (tx) => {
    const receivedAt = deps.clock.now();
    const user = await findUserByEmail(tx, form.email);
    const row = await insertPublicDeletion(tx, {
      email: form.email,
      message: form.message,
      scope: form.scope,
      confirmationCode: newConfirmationCode(),
      receivedAt,
      dueAt: dueDateOf(receivedAt),
      subjectUserId: user?.id ?? null,
      verifyTokenHash: hashToken(token),
      verifyExpiresAt: new Date(receivedAt.getTime() + VERIFY_TTL_MS),
    });
    await recordAudit(tx, deps.clock, publicActor(requestId), {
      action: 'privacy.request_received',
      targetType: 'privacy_request',
      targetId: row.id,
      details: { kind: 'deletion', source: 'public_form' },
      personal: [{ field: 'email', kind: 'value', subjectType: user ? 'user' : 'person', subjectId: user?.id ?? row.id, value: form.email }],
    });
  });
  const error = await deps.mailer.send(deletionVerifyMail(deps.publicUrl, { to: form.email, token }));
  return { delivered: error === null, error };
}

const usable = (row: PrivacyRequestRow | undefined, now: Date): row is PrivacyRequestRow =>
  !!row && row.state === 'verifying' && canMove(row.state, 'in_progress') && !!row.verifyExpiresAt && row.verifyExpiresAt.getTime() > now.getTime();

/** Whether a verification link can still be used (read only). */
export async function isVerifyLinkUsable(deps: Pick<PublicRequestDeps, 'db' | 'clock'>, token: string): Promise<boolean> {
  if (!TOKEN_SHAPE.test(token)) return false;
  return usable(await findByVerifyHash(deps.db, hashToken(token)), deps.clock.now());
}

export const LINK_UNUSABLE = 'This confirmation link is not valid any more: it was already used, it expired, or it is incomplete.';

/** Uses a verification link: the request moves to in_progress once. Returns its confirmation code. */
export async function verifyByLink(deps: Pick<PublicRequestDeps, 'db' | 'clock'>, token: string, requestId: string): Promise<string> {
  if (!TOKEN_SHAPE.test(token)) throw new AppError('setup_token_invalid', LINK_UNUSABLE);
  return deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    const row = await findByVerifyHash(tx, hashToken(token), true);
    if (!usable(row, now)) throw new AppError('setup_token_invalid', LINK_UNUSABLE);
    const verified = await markVerifiedByLink(tx, row.id, now);
    await recordAudit(tx, deps.clock, publicActor(requestId), {
      action: 'privacy.request_verified',
      targetType: 'privacy_request',
      targetId: row.id,
      changedFields: ['state'],
      details: { how: 'email_link', from: 'verifying' },
    });
    return verified.confirmationCode;
  });
}
