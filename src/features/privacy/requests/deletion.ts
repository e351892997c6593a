/**
 * Fulfilling a deletion request, inside the caller's transaction. Two shapes:
 *
 * - about a person (self, admin, public form): the account is removed exactly as the users page
 *   removes it (users.policy `remove` rule incl. the last-owner guard, then `deidentifyUser`), and
 *   beyond that: all sign-in activity rows, pending email changes, the personal data of their other
 *   privacy requests, set-up links and onboarding-link prefills naming the email, and outbox mail to
 *   them (their name and email redacted in mail to others).
 * - from Meta's data deletion callback (a Meta user id): that id is removed from the onboarding
 *   records holding it; the records themselves (business data) stay.
 *
 * Kept, with the reason in the outcome: data under a legal hold; the audit trail (pseudonymous ids,
 * no personal values) as the security log for the audit retention period; this request row and its
 * outcome as proof of handling. See docs/API-v1-privacy.md.
 */
import type { Tx } from '../../../db/client.js';
import type { AccessDeps } from '../../access/access.deps.js';
import type { Caller } from '../../access/account.service.js';
import { listUserSessions } from '../../access/sessions.repo.js';
import { deidentifyUser, lockActiveOwners } from '../../access/users-admin.repo.js';
import { assertMay } from '../../access/users.policy.js';
import { findUserByEmail, findUserByIdForUpdate } from '../../access/users.repo.js';
import { AppError } from '../../../http/errors.js';
import { recordIdsOfMetaUser } from '../../meta-callbacks/meta-callbacks.repo.js';
import { recordErasure } from '../../backup/erasure-log.js';
import { activeHoldOf } from '../../retention/legal-holds.repo.js';
import { auditAs } from './requests.service.js';
import {
  clearLinkPrefillOf,
  clearMetaUserOnRecord,
  deleteEmailChangesOf,
  deleteNotificationsOf,
  deleteLoginActivityOf,
  deletePersonValuesByEmail,
  deleteSetupLinksOf,
  eraseFromOutbox,
  erasePersonalInOtherRequests,
} from './erase.repo.js';
import type { PrivacyRequestRow } from './requests.repo.js';

/** The outcome's public shape (deletion-status.ts renders it). */
export interface Outcome {
  deleted: string[];
  kept: { what: string; why: string }[];
  note?: string;
  [k: string]: unknown;
}

export const KEPT_AUDIT = {
  what: 'the audit trail of actions by and on the account, under a pseudonymous id (no name, email or address)',
  why: 'security and audit log: kept for the audit retention period (2 years by default), then purged',
};
export const KEPT_PROOF = {
  what: 'this request, its dates and this outcome',
  why: 'proof that the request was handled: kept 3 years, then only the outcome remains',
};

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The pseudonym a removed account carries (the same as the users page's removal). */
export const pseudonymOf = (userId: string) => `removed-user-${userId.replace(/-/g, '').slice(0, 12)}`;

/** Deletes what is held about the person the request is about. */
export async function fulfilPersonDeletion(tx: Tx, deps: AccessDeps, caller: Caller, row: PrivacyRequestRow, now: Date): Promise<Outcome> {
  const deleted: string[] = [];
  const kept: Outcome['kept'] = [];
  // the last-owner guard and the role ceiling read the owners locked first, as the users page does
  const owners = await lockActiveOwners(tx);
  const actor = await findUserByIdForUpdate(tx, caller.user.id);
  if (!actor || actor.status !== 'active') throw new AppError('unauthenticated', 'Sign in to continue.');
  let target = row.subjectUserId ? await findUserByIdForUpdate(tx, row.subjectUserId) : undefined;
  if (!target && row.email) {
    const byEmail = await findUserByEmail(tx, row.email.toLowerCase());
    target = byEmail ? await findUserByIdForUpdate(tx, byEmail.id) : undefined;
  }
  const email = (target?.email ?? row.email ?? '').toLowerCase();
  // the public form lets the requester choose what to delete; no scope (or 'account'): everything
  const scope = (row.details as { scope?: unknown }).scope;
  if (Array.isArray(scope) && !scope.includes('account')) return partialDeletion(tx, row.id, target?.id ?? null, email, scope as string[], target ? await activeHoldOf(tx, 'user', target.id) : null);
  if (target) {
    const hold = await activeHoldOf(tx, 'user', target.id);
    if (hold) {
      kept.push({
        what: 'your account and everything linked to it (sign-in activity, sessions, audit values, requests)',
        why: `legal hold since ${hold.placedAt.toISOString().slice(0, 10)}: the data must be kept while the hold lasts; ask us again once it is lifted`,
      });
      kept.push(KEPT_PROOF);
      return { deleted, kept, note: 'Nothing was deleted: a legal hold applies to this account.' };
    }
    const name = target.displayName;
    const pseudonym = pseudonymOf(target.id);
    if (target.status !== 'removed') {
      // the users page's own rule: rank ceiling, last active owner, state
      assertMay(actor, target, target.status === 'invited' ? 'revokeInvitation' : 'remove', owners, now);
      const sessions = await listUserSessions(tx, target.id);
      await deidentifyUser(tx, target.id, pseudonym, now);
      await auditAs(deps, tx, caller, {
        action: 'user.removed',
        targetType: 'user',
        targetId: target.id,
        changedFields: ['email', 'displayName', 'status', 'password'],
        details: { sessionsEnded: sessions.length },
      });
      deleted.push('your name and email on the account (replaced by a pseudonym), your password and sign-in lock state');
      deleted.push(`${plural(sessions.length, 'session')}, and pending invitation and password-reset links`);
      deleted.push('the personal values (names, emails, addresses) recorded with audit events about you');
    } else {
      deleted.push('the account had already been removed (de-identified) earlier');
    }
    const logins = await deleteLoginActivityOf(tx, target.id, email);
    deleted.push(`${plural(logins, 'sign-in activity entry', 'sign-in activity entries')}`);
    // so a restore from an older backup removes them again (src/features/backup)
    await recordErasure(tx, { subjectType: 'user', subjectId: target.id, action: 'user_deleted', details: { requestId: row.id } });
    const changes = await deleteEmailChangesOf(tx, target.id);
    if (changes) deleted.push(`${plural(changes, 'pending email change')}`);
    const notices = await deleteNotificationsOf(tx, target.id);
    if (notices) deleted.push(`${plural(notices, 'notification')} to you`);
    const mails = await eraseFromOutbox(tx, email, target.status === 'removed' ? null : name, pseudonym);
    if (mails.deleted || mails.redacted) deleted.push(`${plural(mails.deleted, 'mail')} to you in the outbox; your name and email removed from ${plural(mails.redacted, 'other mail')}`);
    kept.push(KEPT_AUDIT);
    kept.push({ what: 'onboarding records and links you created, with the pseudonymous id as creator', why: 'business records of the WhatsApp accounts connected for the organisation; they hold no personal data of yours' });
  } else if (email) {
    const logins = await deleteLoginActivityOf(tx, null, email);
    if (logins) deleted.push(`${plural(logins, 'sign-in attempt')} that typed your email`);
    const mails = await eraseFromOutbox(tx, email, null, 'removed-person');
    if (mails.deleted || mails.redacted) deleted.push(`${plural(mails.deleted, 'mail')} to you in the outbox`);
  } else {
    throw new AppError('conflict', 'This request names neither a user nor an email: reject it with a reason.');
  }
  if (email) {
    const values = await deletePersonValuesByEmail(tx, email);
    if (values) deleted.push(`${plural(values, 'other audit value')} holding your email`);
    const requests = await erasePersonalInOtherRequests(tx, row.id, target?.id ?? null, email, now);
    if (requests) deleted.push(`your email and messages in ${plural(requests, 'earlier privacy request')}`);
    const setups = await deleteSetupLinksOf(tx, email);
    if (setups) deleted.push(`${plural(setups, 'set-up link')} naming your email`);
    const prefills = await clearLinkPrefillOf(tx, email);
    if (prefills) deleted.push(`your email prefilled in ${plural(prefills, 'onboarding link')}`);
  }
  kept.push(KEPT_PROOF);
  return { deleted, kept, ...(target ? {} : { note: 'No account uses this email; other data naming it was deleted.' }) };
}

/** Only what the requester chose on the public form (sign-in history, onboarding link details); the account stays. */
async function partialDeletion(tx: Tx, requestId: string, userId: string | null, email: string, scope: string[], hold: { placedAt: Date } | null): Promise<Outcome> {
  const deleted: string[] = [];
  const kept: Outcome['kept'] = [];
  if (hold) {
    kept.push({ what: 'the data you asked to delete', why: `legal hold since ${hold.placedAt.toISOString().slice(0, 10)}: the data must be kept while the hold lasts; ask us again once it is lifted` });
  } else {
    if (scope.includes('sign_in_history')) {
      deleted.push(plural(await deleteLoginActivityOf(tx, userId, email), 'sign-in activity entry', 'sign-in activity entries'));
      if (userId) await recordErasure(tx, { subjectType: 'user', subjectId: userId, action: 'login_activity', details: { requestId } });
    }
    if (scope.includes('onboarding_link_details')) deleted.push(`your email prefilled in ${plural(await clearLinkPrefillOf(tx, email), 'onboarding link')}`);
  }
  if (userId) kept.push({ what: 'your account and the rest of its data', why: 'not part of this request: you asked to delete only the items listed' });
  kept.push(KEPT_PROOF);
  return { deleted, kept };
}

/** Removes the Meta user id of a Meta-originated request from the onboarding records that hold it. */
export async function fulfilMetaDeletion(tx: Tx, row: PrivacyRequestRow, now: Date): Promise<Outcome> {
  const metaUserId = row.metaUserId!;
  const deleted: string[] = [];
  const kept: Outcome['kept'] = [];
  const clearedIds: string[] = [];
  let held = 0;
  for (const recordId of await recordIdsOfMetaUser(tx, metaUserId)) {
    if (await activeHoldOf(tx, 'onboarding', recordId)) {
      held++;
      continue;
    }
    if (await clearMetaUserOnRecord(tx, recordId, metaUserId, now)) clearedIds.push(recordId);
  }
  const cleared = clearedIds.length;
  if (cleared) await recordErasure(tx, { subjectType: 'meta_user', subjectId: metaUserId, action: 'meta_user', details: { recordIds: clearedIds, requestId: row.id } });
  if (cleared) deleted.push(`your Facebook user id on ${plural(cleared, 'WhatsApp onboarding record')}`);
  if (held) kept.push({ what: `your Facebook user id on ${plural(held, 'WhatsApp onboarding record')}`, why: 'legal hold: these records must be kept unchanged while the hold lasts' });
  if (cleared) kept.push({ what: 'the WhatsApp Business account connection records themselves, without your id', why: 'business records of the organisation that connected the account; no personal data of yours remains in them' });
  kept.push({ what: "this request and the record of Meta's callback, with your app-scoped Facebook user id", why: 'proof that the request was handled: kept 3 years' });
  return { deleted, kept, ...(cleared + held === 0 ? { note: 'no data linked to this Meta account' } : {}) };
}
