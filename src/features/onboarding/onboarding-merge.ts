/**
 * Reconnect. Embedded Signup again for a WABA already on record updates that record: once the new
 * attempt knows its (verified) WABA, the attempt is merged into the existing record in one
 * transaction — the new token replaces the old one in the vault, the attempt's steps become the
 * record's next run, the attempt id moves along (the browser's later messages find the record), and
 * the attempt's own row goes. A cancelled reconnect never touches the existing record, because
 * nothing is merged before the new token is verified.
 */
import { recordAudit } from '../audit/audit.service.js';
import type { AuditContext } from '../audit/audit.types.js';
import { deleteOwnerSecrets, moveSecret } from '../vault/vault.service.js';
import { deleteRecord, findMergeTarget, hasMergeTarget, findRecord, moveSteps, updateRecord, type RecordRow } from './onboarding.repo.js';
import { tokenRef, type OnboardingDeps } from './onboarding.types.js';

/** Merges record `recordId` into the record already holding its WABA; returns that record, or null when there is none. */
export async function mergeIntoExisting(deps: OnboardingDeps, recordId: string, actor: AuditContext, wabaId: string | null): Promise<RecordRow | null> {
  // The common case (a first onboarding of this WABA) costs one read, no transaction.
  if (!wabaId || !(await hasMergeTarget(deps.db, wabaId, recordId))) return null;
  return deps.db.transaction(async (tx) => {
    const self = await findRecord(tx, recordId, true);
    if (!self || self.state !== 'in_progress' || !self.wabaId) return null;
    const target = await findMergeTarget(tx, self.wabaId, self.id);
    if (!target) return null;
    const now = deps.clock.now();
    const run = target.run + 1;
    await updateRecord(tx, self.id, { attemptId: `merged-${self.id}` }, now);
    await moveSteps(tx, self.id, target.id, run);
    await moveSecret(tx, deps.keyring, tokenRef(self.id), tokenRef(target.id));
    // Anything else the attempt stored (a PIN generated with its token) is not the record's.
    await deleteOwnerSecrets(tx, { ownerType: 'onboarding', ownerId: self.id });
    const merged = await updateRecord(
      tx,
      target.id,
      {
        run,
        attemptId: self.attemptId,
        state: 'in_progress',
        reason: null,
        errorCode: null,
        errorSubcode: null,
        errorMessage: null,
        errorFbtraceId: null,
        startedBy: self.startedBy,
        linkId: self.linkId,
        businessId: self.businessId ?? target.businessId,
        phoneNumberId: self.phoneNumberId ?? target.phoneNumberId,
        metaUserId: self.metaUserId ?? target.metaUserId,
        tokenUserId: self.tokenUserId,
        tokenType: self.tokenType,
        tokenExpiresAt: self.tokenExpiresAt,
        tokenScopes: self.tokenScopes,
        tokenVerifiedAt: self.tokenVerifiedAt,
        sessionEvent: self.sessionEvent,
        abandonedStep: null,
        disconnectedAt: null,
      },
      now,
    );
    await deleteRecord(tx, self.id);
    await recordAudit(tx, deps.clock, actor, { action: 'onboarding.reconnected', targetType: 'onboarding', targetId: target.id, details: { mergedRecord: self.id, run } });
    return merged;
  });
}
