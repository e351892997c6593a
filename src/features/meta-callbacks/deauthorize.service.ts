/**
 * Meta's deauthorize callback (reference 8.2): the person who connected a WABA removed the app in
 * their Facebook settings. Each onboarding record that names them (login user or token user) has
 * its token re-checked with debug_token: a token Meta no longer honours disconnects the record
 * (token and PIN erased, history, audit); a token that still works keeps the record working and
 * notes the removal in meta_status.deauthorized. The callback itself is always stored and audited.
 */
import { recordAudit } from '../audit/audit.service.js';
import { messages } from '../notifications/messages.js';
import { notify } from '../notifications/notify.js';
import type { AuditContext } from '../audit/audit.types.js';
import { GraphError } from '../meta/graph-error.js';
import { describeFailure } from '../onboarding/onboarding-refresh.js';
import { findRecord, updateRecord, type RecordRow } from '../onboarding/onboarding.repo.js';
import { tokenRef } from '../onboarding/onboarding.types.js';
import { VaultSecretMissingError } from '../vault/vault.errors.js';
import { deleteOwnerSecrets, hasSecret, useSecret } from '../vault/vault.service.js';
import { insertMetaCallback, insertRecordHistory, recordIdsOfMetaUser, setMetaStatusKey } from './meta-callbacks.repo.js';
import { metaActor, type MetaCallbackDeps } from './meta-callbacks.types.js';
import { verifyCallback } from './verify-callback.js';

/** The record's reason once Meta no longer honours its token. */
export const REMOVED_ON_META = 'the app was removed on Meta';
/** meta_status.deauthorized notes. */
export const DEAUTHORIZED_NOTE = 'the person who connected it removed the app';
const UNCHECKED_NOTE = 'the person who connected it removed the app; Meta could not be asked whether the token still works';

/** What happened to one matched record. */
export type DeauthorizeResult =
  | 'disconnected' // Meta no longer honours the token: disconnected, credentials erased
  | 'kept' // the token still works: record unchanged, meta_status.deauthorized set
  | 'check_failed' // debug_token failed (outage...): record unchanged, meta_status.deauthorized set
  | 'no_token' // nothing to re-check (never got a token): meta_status.deauthorized set
  | 'running' // an onboarding run is under way: meta_status.deauthorized set, the run decides
  | 'already_disconnected'
  | 'changed' // a reconnect or disconnect happened while checking: left alone
  | 'failed'; // unexpected error (logged)

type Verdict = 'invalid' | 'valid' | 'unknown' | 'no_token';

const RUNNING: ReadonlySet<RecordRow['state']> = new Set(['started', 'in_progress']);

/** Whether Meta still honours the record's token (debug_token with the token kept inside useSecret). */
async function checkToken(deps: MetaCallbackDeps, rec: RecordRow, actor: AuditContext): Promise<Verdict> {
  const o = deps.onboarding;
  if (!(await hasSecret(o.db, tokenRef(rec.id)))) return 'no_token';
  try {
    const info = await useSecret(o.db, o.keyring, tokenRef(rec.id), 'meta_deauthorize', actor, (token) => o.graph.debugToken(token), o.clock);
    return info.isValid ? 'valid' : 'invalid';
  } catch (e) {
    if (e instanceof GraphError && e.category === 'token') return 'invalid';
    if (e instanceof VaultSecretMissingError) return 'no_token';
    o.logger.warn({ onboarding: { recordId: rec.id }, failure: describeFailure(e) }, 'deauthorize: could not re-check the token with Meta');
    return 'unknown';
  }
}

/** When meta_status.deauthorized was last set, in ms (null when never or unreadable). */
function markedAt(rec: RecordRow): number | null {
  const status = rec.metaStatus as Record<string, unknown> | null;
  const prev = status?.deauthorized as { at?: unknown } | undefined;
  const t = typeof prev?.at === 'string' ? Date.parse(prev.at) : NaN;
  return Number.isNaN(t) ? null : t;
}

async function handleRecord(deps: MetaCallbackDeps, recordId: string, eventAt: Date, actor: AuditContext): Promise<DeauthorizeResult> {
  const o = deps.onboarding;
  const rec = await findRecord(o.db, recordId);
  if (!rec) return 'changed';
  if (rec.state === 'disconnected') return 'already_disconnected';
  const verdict: Verdict = RUNNING.has(rec.state) ? 'unknown' : await checkToken(deps, rec, actor);

  return o.db.transaction(async (tx) => {
    const locked = await findRecord(tx, recordId, true);
    if (!locked) return 'changed';
    if (locked.state === 'disconnected') return 'already_disconnected';
    // A reconnect brought a new token meanwhile: what was checked is stale.
    if (locked.run !== rec.run) return 'changed';
    const now = o.clock.now();
    if (verdict === 'invalid' && !RUNNING.has(locked.state)) {
      await deleteOwnerSecrets(tx, { ownerType: 'onboarding', ownerId: recordId });
      await updateRecord(tx, recordId, { state: 'disconnected', reason: REMOVED_ON_META, disconnectedAt: now }, now);
      await insertRecordHistory(tx, {
        recordId,
        at: now,
        source: 'deauthorize',
        topic: 'state',
        before: { state: locked.state, reason: locked.reason },
        after: { state: 'disconnected', reason: REMOVED_ON_META },
      });
      await recordAudit(tx, o.clock, actor, { action: 'onboarding.disconnected_by_meta', targetType: 'onboarding', targetId: recordId, details: { event: 'deauthorize' } });
      await notify(tx, now, messages.connectionRemoved(recordId, `deauthorize:${locked.run}`, locked.wabaName ?? locked.businessName, 'that the app was removed (deauthorize)'));
      o.logger.info({ onboarding: { recordId } }, 'deauthorize: Meta no longer honours the token; record disconnected');
      return 'disconnected';
    }
    const result: DeauthorizeResult = RUNNING.has(locked.state) ? 'running' : verdict === 'valid' ? 'kept' : verdict === 'no_token' ? 'no_token' : 'check_failed';
    const marker = { at: eventAt.toISOString(), note: result === 'check_failed' ? UNCHECKED_NOTE : DEAUTHORIZED_NOTE };
    const previous = markedAt(locked);
    // Meta's own time orders the notices: an older one arriving late changes nothing.
    if (previous === null || previous <= eventAt.getTime()) {
      const before = (locked.metaStatus as Record<string, unknown> | null)?.deauthorized ?? null;
      await setMetaStatusKey(tx, recordId, 'deauthorized', marker, now);
      await insertRecordHistory(tx, { recordId, at: now, source: 'deauthorize', topic: 'deauthorized', before, after: marker });
    }
    return result;
  });
}

/**
 * Handles a deauthorize callback body: verifies its signed_request (400 otherwise, nothing stored),
 * acts on each matched record, stores the callback and audits it. Returns how many records matched.
 */
export async function receiveDeauthorize(deps: MetaCallbackDeps, body: unknown, requestId: string): Promise<{ matched: number }> {
  const signed = verifyCallback(deps, 'deauthorize', body);
  const o = deps.onboarding;
  const actor = metaActor(requestId);
  const receivedAt = o.clock.now();
  // Meta's own time, unless absent or ahead of ours.
  const eventAt = signed.issuedAt !== null && signed.issuedAt * 1000 <= receivedAt.getTime() ? new Date(signed.issuedAt * 1000) : receivedAt;
  const ids = await recordIdsOfMetaUser(o.db, signed.userId);
  const records: { recordId: string; result: DeauthorizeResult }[] = [];
  for (const recordId of ids) {
    let result: DeauthorizeResult;
    try {
      result = await handleRecord(deps, recordId, eventAt, actor);
    } catch (e) {
      o.logger.error({ onboarding: { recordId }, failure: describeFailure(e) }, 'deauthorize: handling a matched record failed');
      result = 'failed';
    }
    records.push({ recordId, result });
  }
  await o.db.transaction(async (tx) => {
    await insertMetaCallback(tx, {
      kind: 'deauthorize',
      metaUserId: signed.userId,
      issuedAt: signed.issuedAt,
      receivedAt,
      outcome: ids.length === 0 ? { result: 'no_match', records: [] } : { result: 'matched', records },
    });
    await recordAudit(tx, o.clock, actor, { action: 'meta.deauthorize_received', details: { matched: ids.length } });
  });
  return { matched: ids.length };
}
