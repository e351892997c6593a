/**
 * Disconnect and the one-time PIN reveal. Disconnecting unsubscribes the app from the WABA (Meta
 * must accept, or nothing changes and the person can try again), then erases the token and PIN from
 * the vault and marks the record `disconnected`, keeping its identifiers and history. Before that, an
 * owner may see the registration PIN once, after re-entering their password, to change it in
 * WhatsApp Manager.
 */
import { recordAudit } from '../audit/audit.service.js';
import type { AuditContext } from '../audit/audit.types.js';
import { GraphError } from '../meta/graph-error.js';
import { deleteOwnerSecrets, hasSecret, revealSecret, useSecret } from '../vault/vault.service.js';
import { outcomeOf } from './onboarding-runner.js';
import { findRecord, updateRecord } from './onboarding.repo.js';
import { OnboardingError, pinRef, REASONS, tokenRef, type OnboardingDeps, type OnboardingOutcome } from './onboarding.types.js';

/** Unsubscribes, erases the credentials and marks the record disconnected. */
export async function disconnectRecord(deps: OnboardingDeps, recordId: string, actor: AuditContext): Promise<OnboardingOutcome> {
  const rec = await findRecord(deps.db, recordId);
  if (!rec) throw new OnboardingError('not_found', 'No such onboarding record.');
  if (rec.state === 'disconnected') throw new OnboardingError('conflict', 'This WhatsApp account is already disconnected.');
  if (rec.state === 'started' || rec.state === 'in_progress') throw new OnboardingError('conflict', 'This onboarding is still running; wait until it ends.');
  let unsubscribed = false;
  if (rec.wabaId && (await hasSecret(deps.db, tokenRef(rec.id)))) {
    const wabaId = rec.wabaId;
    try {
      await useSecret(deps.db, deps.keyring, tokenRef(rec.id), 'onboarding_disconnect', actor, (t) => deps.graph.unsubscribeApp(t, wabaId), deps.clock);
      unsubscribed = true;
    } catch (e) {
      // A token Meta no longer accepts has lost the app's access already: nothing left to unsubscribe.
      if (!(e instanceof GraphError) || e.category !== 'token') {
        const metaError = e instanceof GraphError ? e.code : null;
        await deps.db.transaction((tx) => recordAudit(tx, deps.clock, actor, { action: 'onboarding.disconnect_failed', targetType: 'onboarding', targetId: rec.id, details: { metaError } }));
        if (!(e instanceof GraphError)) throw e;
        throw new OnboardingError('upstream_failed', `Meta did not unsubscribe the app (${e.message}); nothing was changed. Try again.`);
      }
    }
  }
  const row = await deps.db.transaction(async (tx) => {
    const locked = await findRecord(tx, rec.id, true);
    if (!locked || locked.state === 'disconnected') return locked;
    await deleteOwnerSecrets(tx, { ownerType: 'onboarding', ownerId: rec.id });
    const now = deps.clock.now();
    const out = await updateRecord(tx, rec.id, { state: 'disconnected', reason: REASONS.disconnected, disconnectedAt: now }, now);
    await recordAudit(tx, deps.clock, actor, { action: 'onboarding.disconnected', targetType: 'onboarding', targetId: rec.id, details: { unsubscribed } });
    return out;
  });
  if (!row) throw new OnboardingError('not_found', 'No such onboarding record.');
  return outcomeOf(row);
}

/**
 * The registration PIN, once (the caller has checked the permission and the password). Refused
 * when none is stored or it was revealed before.
 */
export async function revealPin(deps: OnboardingDeps, recordId: string, actor: AuditContext): Promise<string> {
  return deps.db.transaction(async (tx) => {
    const rec = await findRecord(tx, recordId, true);
    if (!rec) throw new OnboardingError('not_found', 'No such onboarding record.');
    if (rec.pinRevealedAt) throw new OnboardingError('conflict', 'The PIN was revealed before; it is shown only once.');
    const pin = await revealSecret(tx, deps.keyring, pinRef(rec.id), 'pin_reveal', actor, deps.clock);
    if (pin === null) throw new OnboardingError('conflict', 'No registration PIN is stored for this WhatsApp account.');
    const now = deps.clock.now();
    await updateRecord(tx, rec.id, { pinRevealedAt: now }, now);
    await recordAudit(tx, deps.clock, actor, { action: 'onboarding.pin_revealed', targetType: 'onboarding', targetId: rec.id, details: {} });
    return pin;
  });
}
