/**
 * Meta's data deletion callback (reference 8.3): opens a deletion request at `in_progress` (the
 * signature is the verification), idempotent on (user_id, issued_at): a repeat gets the same
 * confirmation code. Nothing linked to that Meta user: completed at once with a note saying so.
 * Linked onboarding records: left in_progress for the privacy workflow.
 */
import { randomInt } from 'node:crypto';
import { recordAudit } from '../audit/audit.service.js';
import { findMetaDeletion, insertMetaCallback, insertMetaDeletion, lockMetaUser, recordIdsOfMetaUser, type PrivacyRequestRow } from './meta-callbacks.repo.js';
import { DELETION_DUE_DAYS, metaActor, type MetaCallbackDeps } from './meta-callbacks.types.js';
import { verifyCallback } from './verify-callback.js';

const CODE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** 20 of 62 symbols: about 119 bits. */
const CODE_LENGTH = 20;
const DAY_MS = 24 * 60 * 60_000;
export const NOTHING_LINKED_NOTE = 'no data linked to this Meta account';

/** A confirmation code: CODE_LENGTH alphanumerics, each drawn uniformly (randomInt rejects biased draws). */
export function newConfirmationCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

/** The status page address of a confirmation code. */
export function statusUrlOf(publicUrl: URL, code: string): string {
  return new URL(`/data-deletion/status/${code}`, publicUrl).toString();
}

/** What Meta receives (exactly these two keys). */
export interface DeletionAnswer {
  url: string;
  confirmation_code: string;
}

/**
 * Handles a data deletion callback body: verifies its signed_request (400 otherwise, nothing
 * stored), opens (or finds) the request, stores the callback, and answers with the status URL.
 */
export async function receiveDataDeletion(deps: MetaCallbackDeps, body: unknown, requestId: string): Promise<DeletionAnswer> {
  const signed = verifyCallback(deps, 'data_deletion', body);
  const o = deps.onboarding;
  const actor = metaActor(requestId);
  const request = await o.db.transaction(async (tx): Promise<PrivacyRequestRow> => {
    const receivedAt = o.clock.now();
    const repeat = async (row: PrivacyRequestRow) => {
      await insertMetaCallback(tx, { kind: 'data_deletion', metaUserId: signed.userId, issuedAt: signed.issuedAt, receivedAt, outcome: { privacyRequestId: row.id, repeat: true, state: row.state } });
      return row;
    };
    // Without issued_at the unique key cannot catch a repeat (NULLs are distinct): serialise and look.
    if (signed.issuedAt === null) {
      await lockMetaUser(tx, signed.userId);
      const existing = await findMetaDeletion(tx, signed.userId, null);
      if (existing) return repeat(existing);
    }
    const linked = (await recordIdsOfMetaUser(tx, signed.userId)).length;
    const nothingLinked = linked === 0;
    const created = await insertMetaDeletion(tx, {
      metaUserId: signed.userId,
      metaIssuedAt: signed.issuedAt,
      confirmationCode: newConfirmationCode(),
      receivedAt,
      dueAt: new Date(receivedAt.getTime() + DELETION_DUE_DAYS * DAY_MS),
      state: nothingLinked ? 'completed' : 'in_progress',
      completedAt: nothingLinked ? receivedAt : null,
      outcome: nothingLinked ? { deleted: [], kept: [], note: NOTHING_LINKED_NOTE } : { linkedRecords: linked },
    });
    if (!created) {
      const existing = await findMetaDeletion(tx, signed.userId, signed.issuedAt);
      if (!existing) throw new Error('privacy request conflict without a row'); // cannot happen: the conflict names that row
      return repeat(existing);
    }
    await insertMetaCallback(tx, {
      kind: 'data_deletion',
      metaUserId: signed.userId,
      issuedAt: signed.issuedAt,
      receivedAt,
      outcome: { privacyRequestId: created.id, repeat: false, state: created.state, linkedRecords: linked },
    });
    await recordAudit(tx, o.clock, actor, { action: 'privacy.request_received', targetType: 'privacy_request', targetId: created.id, details: { kind: 'deletion', source: 'meta_callback' } });
    return created;
  });
  return { url: statusUrlOf(deps.publicUrl, request.confirmationCode), confirmation_code: request.confirmationCode };
}
