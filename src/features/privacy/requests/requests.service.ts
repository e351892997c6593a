/**
 * The privacy request life cycle as the queue and "My data" drive it: filing, manual verification,
 * the one extension, rejection, cancellation. Every move goes through `canMove` inside a transaction
 * that locks the request row and writes the audit event with the change. Fulfilment is in
 * fulfil.service.ts.
 */
import type { Tx } from '../../../db/client.js';
import { AppError, fieldError } from '../../../http/errors.js';
import type { AccessDeps } from '../../access/access.deps.js';
import type { Caller } from '../../access/account.service.js';
import { countActiveOwners, findUserByEmail, findUserById } from '../../access/users.repo.js';
import { recordAudit } from '../../audit/audit.service.js';
import type { AuditEventInput } from '../../audit/audit.types.js';
import { newConfirmationCode } from '../../meta-callbacks/data-deletion.service.js';
import { canMove, dueDateOf, extendedDueDate, isFinal, type RequestKind, type RequestState } from '../request-states.js';
import { findRequestForUpdate, insertRequest, ownRequests, updateRequest, type PrivacyRequestRow } from './requests.repo.js';

/** What a correction request asks for (kept in `details`). */
export interface CorrectionDetails {
  displayName?: string | undefined;
  email?: string | undefined;
  /** other fields, described by the requester; an admin corrects them by hand and records a reason */
  other?: string | undefined;
}

export const auditCtx = (c: Caller) => ({ actorType: 'user' as const, actorId: c.user.id, requestId: c.client.requestId });

export function auditAs(deps: AccessDeps, tx: Tx, caller: Caller, event: AuditEventInput) {
  return recordAudit(tx, deps.clock, auditCtx(caller), event);
}

/** Locks and reads a request (404 when unknown). */
export async function lockRequest(tx: Tx, id: string): Promise<PrivacyRequestRow> {
  const row = await findRequestForUpdate(tx, id);
  if (!row) throw new AppError('not_found', 'No such privacy request.');
  return row;
}

/** Refuses a move the life cycle does not have, naming the current state. */
export function assertMove(row: PrivacyRequestRow, to: RequestState): void {
  if (!canMove(row.state, to)) throw new AppError('conflict', `A request that is ${row.state.replace('_', ' ')} cannot become ${to.replace('_', ' ')}.`);
}

/** Refuses a second open request of the same kind about the same user (one at a time keeps the queue honest). */
async function assertNoOpenTwin(tx: Tx, userId: string, kind: RequestKind): Promise<void> {
  const open = (await ownRequests(tx, userId)).find((r) => r.kind === kind && !isFinal(r.state));
  if (open) throw new AppError('conflict', `An open ${kind} request about this account already exists (received ${open.receivedAt.toISOString().slice(0, 10)}).`);
}

/** A self deletion of the last active owner is refused up front (P12: the last owner can never be removed). */
async function assertNotLastOwner(tx: Tx, userId: string): Promise<void> {
  const user = await findUserById(tx, userId);
  if (user && user.role === 'owner' && user.status === 'active' && (await countActiveOwners(tx)) <= 1) {
    throw new AppError('conflict', 'You are the last active owner: make another user an owner before asking for your account to be deleted.');
  }
}

/** Validates what a correction asks for; the email must be free. */
async function checkCorrection(tx: Tx, userId: string | null, d: CorrectionDetails): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  if (d.displayName) out.displayName = d.displayName;
  if (d.email) {
    const holder = await findUserByEmail(tx, d.email);
    if (holder && holder.id !== userId) throw fieldError('correction.email', 'is already used by another account');
    out.email = d.email;
  }
  if (d.other) out.other = d.other;
  if (Object.keys(out).length === 0) throw fieldError('correction', 'name at least one thing to correct');
  return out;
}

export type OwnRequestInput = { kind: RequestKind; message?: string | undefined; correction?: CorrectionDetails | undefined };

/**
 * "My data": the signed-in user files a request about themselves, in the caller's transaction
 * (fileOwnAndFulfil in fulfil.service.ts). The session is the verification, so it starts at in_progress.
 */
export async function fileOwnRequestIn(tx: Tx, deps: AccessDeps, caller: Caller, input: OwnRequestInput): Promise<PrivacyRequestRow> {
  const me = caller.user;
  await assertNoOpenTwin(tx, me.id, input.kind);
  if (input.kind === 'deletion') await assertNotLastOwner(tx, me.id);
  const details = input.kind === 'correction' ? await checkCorrection(tx, me.id, input.correction ?? {}) : {};
  const now = deps.clock.now();
  const row = await insertRequest(tx, {
    kind: input.kind,
    source: 'self',
    state: 'in_progress',
    confirmationCode: newConfirmationCode(),
    receivedAt: now,
    dueAt: dueDateOf(now),
    updatedAt: now,
    subjectUserId: me.id,
    createdBy: me.id,
    message: input.message ?? null,
    details,
    verifiedAt: now,
    verifiedHow: 'session',
  });
  await auditAs(deps, tx, caller, { action: 'privacy.request_received', targetType: 'privacy_request', targetId: row.id, details: { kind: row.kind, source: 'self' } });
  await auditAs(deps, tx, caller, { action: 'privacy.request_verified', targetType: 'privacy_request', targetId: row.id, details: { how: 'session', from: 'received' } });
  return row;
}

export interface OnBehalfInput {
  kind: RequestKind;
  subjectUserId?: string | undefined;
  email?: string | undefined;
  message?: string | undefined;
  correction?: CorrectionDetails | undefined;
  /** verify now with this recorded reason (the admin checked who is asking); absent: the request waits at `received` */
  verifyReason?: string | undefined;
}

/** An owner or admin files a request for someone (a user by id, or a login email). */
export async function fileOnBehalf(deps: AccessDeps, caller: Caller, input: OnBehalfInput): Promise<PrivacyRequestRow> {
  if (!input.subjectUserId && !input.email) throw fieldError('subjectUserId', 'name the user, or give their email');
  return deps.db.transaction(async (tx) => {
    let subject = input.subjectUserId ? await findUserById(tx, input.subjectUserId) : await findUserByEmail(tx, input.email!);
    if (input.subjectUserId && !subject) throw fieldError('subjectUserId', 'is not a user');
    if (subject?.status === 'removed') subject = undefined;
    if (subject) await assertNoOpenTwin(tx, subject.id, input.kind);
    const details = input.kind === 'correction' ? await checkCorrection(tx, subject?.id ?? null, input.correction ?? {}) : {};
    const now = deps.clock.now();
    const verified = input.verifyReason !== undefined;
    const row = await insertRequest(tx, {
      kind: input.kind,
      source: 'admin',
      state: verified ? 'in_progress' : 'received',
      confirmationCode: newConfirmationCode(),
      receivedAt: now,
      dueAt: dueDateOf(now),
      updatedAt: now,
      subjectUserId: subject?.id ?? null,
      createdBy: caller.user.id,
      // the email named only when no account answers to it (the account's own email is read live)
      email: subject ? null : (input.email ?? null),
      message: input.message ?? null,
      details,
      ...(verified ? { verifiedAt: now, verifiedHow: 'admin', verifyReason: input.verifyReason } : {}),
    });
    await auditAs(deps, tx, caller, { action: 'privacy.request_received', targetType: 'privacy_request', targetId: row.id, details: { kind: row.kind, source: 'admin' } });
    if (verified) await auditAs(deps, tx, caller, { action: 'privacy.request_verified', targetType: 'privacy_request', targetId: row.id, details: { how: 'admin', from: 'received' } });
    return row;
  });
}

/** Manual verification by an owner or admin, with the reason recorded (received / verifying -> in_progress). */
export async function verifyManually(deps: AccessDeps, caller: Caller, id: string, reason: string): Promise<PrivacyRequestRow> {
  return deps.db.transaction(async (tx) => {
    const row = await lockRequest(tx, id);
    assertMove(row, 'in_progress');
    const now = deps.clock.now();
    const next = await updateRequest(tx, id, { state: 'in_progress', verifiedAt: now, verifiedHow: 'admin', verifyReason: reason, verifyTokenHash: null, verifyExpiresAt: null, updatedAt: now });
    await auditAs(deps, tx, caller, { action: 'privacy.request_verified', targetType: 'privacy_request', targetId: id, details: { how: 'admin', from: row.state } });
    return next;
  });
}

/** The one extension: two more months, with a reason. */
export async function extendRequest(deps: AccessDeps, caller: Caller, id: string, reason: string): Promise<PrivacyRequestRow> {
  return deps.db.transaction(async (tx) => {
    const row = await lockRequest(tx, id);
    if (isFinal(row.state)) throw new AppError('conflict', `A request that is ${row.state} cannot be extended.`);
    if (row.extendedAt) throw new AppError('conflict', 'This request was already extended once; it cannot be extended again.');
    const now = deps.clock.now();
    const dueAt = extendedDueDate(row.dueAt);
    const next = await updateRequest(tx, id, { dueAt, extendedAt: now, extensionReason: reason, updatedAt: now });
    await auditAs(deps, tx, caller, { action: 'privacy.request_extended', targetType: 'privacy_request', targetId: id, changedFields: ['dueAt'], details: { dueAt: dueAt.toISOString() } });
    return next;
  });
}

/** Rejection with a reason (shown to the requester). */
export async function rejectRequest(deps: AccessDeps, caller: Caller, id: string, reason: string): Promise<PrivacyRequestRow> {
  return deps.db.transaction(async (tx) => {
    const row = await lockRequest(tx, id);
    assertMove(row, 'rejected');
    const now = deps.clock.now();
    const next = await updateRequest(tx, id, {
      state: 'rejected',
      rejectionReason: reason,
      completedAt: now,
      verifyTokenHash: null,
      outcome: { deleted: [], kept: [], note: `Rejected: ${reason}` },
      updatedAt: now,
    });
    await auditAs(deps, tx, caller, { action: 'privacy.request_rejected', targetType: 'privacy_request', targetId: id, details: { from: row.state } });
    return next;
  });
}

/** Cancellation by an admin, or by the requester for their own open request. */
export async function cancelRequest(deps: AccessDeps, caller: Caller, id: string, by: 'admin' | 'requester'): Promise<PrivacyRequestRow> {
  return deps.db.transaction(async (tx) => {
    const row = await lockRequest(tx, id);
    if (by === 'requester' && row.subjectUserId !== caller.user.id) throw new AppError('not_found', 'No such privacy request.');
    assertMove(row, 'cancelled');
    const now = deps.clock.now();
    const next = await updateRequest(tx, id, {
      state: 'cancelled',
      completedAt: now,
      verifyTokenHash: null,
      outcome: { deleted: [], kept: [], note: by === 'requester' ? 'Cancelled by the requester.' : 'Cancelled by an administrator.' },
      updatedAt: now,
    });
    await auditAs(deps, tx, caller, { action: 'privacy.request_cancelled', targetType: 'privacy_request', targetId: id, details: { from: row.state, by } });
    return next;
  });
}
