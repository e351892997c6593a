/**
 * Fulfilment: only a verified request in progress releases or changes data. Access completes with
 * an export built at download time; correction applies the changes (a new email waits for its
 * confirmation); deletion erases (deletion.ts). One transaction, the request row locked, the move
 * checked by canMove and audited.
 */
import type { Tx } from '../../../db/client.js';
import { AppError } from '../../../http/errors.js';
import type { AccessDeps } from '../../access/access.deps.js';
import type { Caller } from '../../access/account.service.js';
import { findUserByEmail, findUserById, type UserRow } from '../../access/users.repo.js';
import { recordAudit } from '../../audit/audit.service.js';
import type { Mail } from '../../mail/mailer.js';
import { buildAccessExport, type AccessExport } from './access-export.js';
import { applyCorrection } from './correction.js';
import { fulfilMetaDeletion, fulfilPersonDeletion, type Outcome } from './deletion.js';
import { findRequest, updateRequest, type PrivacyRequestRow } from './requests.repo.js';
import { assertMove, auditAs, fileOwnRequestIn, lockRequest, type OwnRequestInput } from './requests.service.js';

/** The user a request is about: its subject, else the account using its email. */
async function subjectOf(tx: Tx, row: PrivacyRequestRow): Promise<UserRow | undefined> {
  if (row.subjectUserId) return findUserById(tx, row.subjectUserId);
  return row.email ? findUserByEmail(tx, row.email.toLowerCase()) : undefined;
}

/** Refuses anything but a verified request in progress. */
export function assertFulfillable(row: PrivacyRequestRow): void {
  if (!row.verifiedAt || row.state === 'received' || row.state === 'verifying') {
    throw new AppError('conflict', 'This request is not verified yet: nothing is released or changed before verification.');
  }
  assertMove(row, 'completed');
}

/** Fulfils a request; returns the updated row (correction with a new email: still in_progress). */
export async function fulfilRequest(deps: AccessDeps, caller: Caller, id: string, input: { reason?: string | undefined } = {}): Promise<PrivacyRequestRow> {
  const { row, mail } = await deps.db.transaction((tx) => fulfilIn(tx, deps, caller, id, input));
  return sendConfirmation(deps, row, mail);
}

/**
 * "My data": files the signed-in user's own request and, where the session is all the verification
 * it needs (a copy of their data; a change of their own name or email), fulfils it in the same
 * transaction, so a crash leaves either nothing or the whole (never a request stuck in progress
 * that blocks the next try as a duplicate). Deletions and other corrections wait for an admin.
 */
export async function fileOwnAndFulfil(deps: AccessDeps, caller: Caller, input: OwnRequestInput): Promise<PrivacyRequestRow> {
  const { row, mail } = await deps.db.transaction(async (tx) => {
    const filed = await fileOwnRequestIn(tx, deps, caller, input);
    const correctionAlone = filed.kind === 'correction' && !(filed.details as { other?: string }).other;
    if (filed.kind !== 'access' && !correctionAlone) return { row: filed, mail: null };
    return fulfilIn(tx, deps, caller, filed.id, {});
  });
  return sendConfirmation(deps, row, mail);
}

/** After the commit: the confirmation mail a new email address needs (none for anything else). */
async function sendConfirmation(deps: AccessDeps, row: PrivacyRequestRow, mail: Mail | null): Promise<PrivacyRequestRow> {
  if (mail) {
    const failure = await deps.mailer.send(mail);
    if (failure) throw new AppError('unavailable', `The confirmation mail to the new address could not be sent (${failure}). Try again.`);
  }
  return row;
}

/** The fulfilment itself, in the caller's transaction; the mail to send once it commits. */
async function fulfilIn(tx: Tx, deps: AccessDeps, caller: Caller, id: string, input: { reason?: string | undefined }): Promise<{ row: PrivacyRequestRow; mail: Mail | null }> {
  let mail: Mail | null = null;
  const row = await lockRequest(tx, id);
  assertFulfillable(row);
  const now = deps.clock.now();
  let outcome: Outcome;
  let subjectUserId = row.subjectUserId;
  let complete = true;
  if (row.kind === 'deletion') {
    outcome = row.source === 'meta_callback' && row.metaUserId && !row.subjectUserId ? await fulfilMetaDeletion(tx, row, now) : await fulfilPersonDeletion(tx, deps, caller, row, now);
  } else {
    const subject = await subjectOf(tx, row);
    if (!subject || subject.status === 'removed') throw new AppError('conflict', 'No account matches this request: reject it with a reason.');
    subjectUserId = subject.id;
    if (row.kind === 'access') {
      outcome = { deleted: [], kept: [], note: 'Your copy is ready: download it from "My data" in your account, or ask an administrator.', export: true };
    } else {
      const r = await applyCorrection(tx, deps, caller, row, subject, input.reason, now);
      outcome = r.outcome;
      mail = r.mail;
      complete = mail === null;
    }
  }
  // the requester's words go once a deletion is done; the row (with its scope) and outcome stay as proof of handling
  const next = await updateRequest(tx, id, {
    subjectUserId,
    outcome,
    updatedAt: now,
    ...(row.kind === 'deletion' ? { message: null } : {}),
    ...(complete ? { state: 'completed' as const, completedAt: now } : {}),
  });
  if (complete) {
    await auditAs(deps, tx, caller, { action: 'privacy.request_completed', targetType: 'privacy_request', targetId: id, details: { kind: row.kind, deleted: outcome.deleted.length, kept: outcome.kept.length } });
  }
  return { row: next, mail };
}

/**
 * The access export of a completed access request, audited as downloaded. `by` says who asks: the
 * subject (their own request) or an admin.
 */
export async function downloadExport(deps: AccessDeps, caller: Caller, id: string, by: 'subject' | 'admin', format: 'json' | 'text'): Promise<AccessExport> {
  return deps.db.transaction(async (tx) => {
    const row = await findRequest(tx, id);
    if (!row || (by === 'subject' && row.subjectUserId !== caller.user.id)) throw new AppError('not_found', 'No such privacy request.');
    if (row.kind !== 'access' || row.state !== 'completed' || !row.subjectUserId) throw new AppError('conflict', 'Only a completed access request has a download.');
    const data = await buildAccessExport(tx, row.subjectUserId, deps.clock.now());
    if (!data) throw new AppError('not_found', 'The account of this request no longer exists.');
    await recordAudit(tx, deps.clock, { actorType: 'user', actorId: caller.user.id, requestId: caller.client.requestId }, {
      action: 'privacy.export_downloaded',
      targetType: 'privacy_request',
      targetId: id,
      details: { by, format },
    });
    return data;
  });
}
