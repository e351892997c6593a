/**
 * Refresh of a connected (or action-required) record: debug_token re-checks the business token
 * (type, expiry, scopes, verified-at as the verify step writes them), then the WABA and its phone
 * numbers are looked up again. A token Meta no longer accepts (debug_token says invalid or expired,
 * or a lookup fails with 190) turns the record `action_required` with "reconnect needed": only a new
 * Embedded Signup (a reconnect) fixes it, so a valid token later does not undo it. Any other Graph
 * failure is thrown as it is and changes nothing. `refreshAll` runs it over every connected record
 * (the daily `onboarding.refresh-all` job).
 */
import { recordAudit } from '../audit/audit.service.js';
import { messages } from '../notifications/messages.js';
import { notify } from '../notifications/notify.js';
import type { AuditContext } from '../audit/audit.types.js';
import { GraphError } from '../meta/graph-error.js';
import type { PhoneNumberInfo, TokenInfo } from '../meta/graph-schemas.js';
import { hasSecret, useSecret } from '../vault/vault.service.js';
import { connectedRecordIdsAfter } from './onboarding-jobs.repo.js';
import { outcomeOf } from './onboarding-runner.js';
import { findRecord, replacePhoneNumbers, updateRecord, type RecordPatch, type RecordRow } from './onboarding.repo.js';
import { OnboardingError, REASONS, SYSTEM_ACTOR, tokenRef, type OnboardingDeps, type OnboardingOutcome } from './onboarding.types.js';
import { errorSummary } from '../../lib/loggable-error.js';

/** States a refresh applies to. */
const REFRESHABLE: ReadonlySet<RecordRow['state']> = new Set(['connected', 'action_required']);

/** What the Graph calls found, decided while the token was in hand (no plaintext leaves useSecret). */
type Checked =
  | { ok: true; info: TokenInfo; lookup: { wabaName: string | null; phones: PhoneNumberInfo[] } | null }
  | { ok: false; info: TokenInfo | null; error: { code: number | null; subcode: number | null; message: string | null; fbtraceId: string | null } };

/** The record columns debug_token fills (as the verify step writes them). */
function tokenPatch(info: TokenInfo, now: Date): RecordPatch {
  return {
    tokenUserId: info.userId,
    tokenType: info.type,
    tokenExpiresAt: info.expiresAt,
    tokenScopes: { scopes: info.scopes, granular: info.granularScopes },
    tokenVerifiedAt: now,
  };
}

/** Whether debug_token's answer means the token no longer works for this app. */
function unusable(deps: OnboardingDeps, info: TokenInfo): boolean {
  if (!info.isValid) return true;
  if (info.appId !== null && info.appId !== deps.appId) return true;
  return info.expiresAt !== null && info.expiresAt.getTime() <= deps.clock.now().getTime();
}

/** debug_token, then (token usable, WABA known) the WABA and its numbers; a 190 on a lookup means reconnect. */
async function check(deps: OnboardingDeps, rec: RecordRow, token: string): Promise<Checked> {
  // A 190 thrown by debug_token itself is Meta refusing our app token (configuration), not the
  // customer's token: it is thrown as it is, like any other failure.
  const info = await deps.graph.debugToken(token);
  if (unusable(deps, info)) {
    const e = info.error;
    return { ok: false, info, error: { code: e?.code ?? null, subcode: e?.subcode ?? null, message: e?.message ?? REASONS.tokenInvalid, fbtraceId: null } };
  }
  const wabaId = rec.wabaId;
  if (!wabaId) return { ok: true, info, lookup: null };
  try {
    const [waba, phones] = await Promise.all([deps.graph.getWaba(token, wabaId), deps.graph.listPhoneNumbers(token, wabaId)]);
    return { ok: true, info, lookup: { wabaName: waba.name, phones } };
  } catch (e) {
    if (e instanceof GraphError && e.category === 'token') {
      return { ok: false, info, error: { code: e.code, subcode: e.subcode, message: e.message, fbtraceId: e.fbtraceId } };
    }
    throw e;
  }
}

/**
 * Re-checks the token and looks the WABA and its phone numbers up again now. Refused (409) unless
 * the record is `connected` or `action_required` with its token in the vault.
 */
export async function refreshRecord(deps: OnboardingDeps, recordId: string, actor: AuditContext = SYSTEM_ACTOR): Promise<OnboardingOutcome> {
  const rec = await findRecord(deps.db, recordId);
  if (!rec) throw new OnboardingError('not_found', 'No such onboarding record.');
  if (!REFRESHABLE.has(rec.state)) throw new OnboardingError('conflict', `An onboarding in state ${rec.state} cannot be refreshed.`);
  if (!(await hasSecret(deps.db, tokenRef(rec.id)))) throw new OnboardingError('conflict', 'No business token for this onboarding: run Embedded Signup again.');

  const checked = await useSecret(deps.db, deps.keyring, tokenRef(rec.id), 'onboarding_refresh', actor, (token) => check(deps, rec, token), deps.clock);

  return deps.db.transaction(async (tx) => {
    const locked = await findRecord(tx, rec.id, true);
    if (!locked) throw new OnboardingError('not_found', 'No such onboarding record.');
    // Changed meanwhile (a reconnect merged a new token in, a disconnect): what we saw is stale.
    if (locked.run !== rec.run || !REFRESHABLE.has(locked.state)) return outcomeOf(locked);
    const now = deps.clock.now();
    const patch: RecordPatch = checked.info ? tokenPatch(checked.info, now) : {};
    if (checked.ok) {
      if (checked.lookup) {
        patch.wabaName = checked.lookup.wabaName;
        await replacePhoneNumbers(tx, rec.id, checked.lookup.phones, now);
      }
      return outcomeOf(await updateRecord(tx, rec.id, patch, now));
    }
    const already = locked.state === 'action_required' && locked.reason === REASONS.reconnect;
    if (!already) {
      Object.assign(patch, {
        state: 'action_required',
        reason: REASONS.reconnect,
        errorCode: checked.error.code,
        errorSubcode: checked.error.subcode,
        errorMessage: checked.error.message,
        errorFbtraceId: checked.error.fbtraceId,
      } satisfies RecordPatch);
      await recordAudit(tx, deps.clock, actor, { action: 'onboarding.token_invalid', targetType: 'onboarding', targetId: rec.id, details: { metaError: checked.error.code } });
      // an expired token is the scan's "expired" notice (same key); anything else is Meta refusing it
      const exp = checked.info?.expiresAt ?? null;
      const name = locked.wabaName ?? locked.businessName;
      await notify(
        tx,
        now,
        exp && exp.getTime() <= now.getTime()
          ? messages.tokenExpired(rec.id, `${rec.id}:${exp.getTime()}`, name, exp)
          : messages.tokenRefused(rec.id, locked.run, name, checked.error.code),
      );
    }
    const row = await updateRecord(tx, rec.id, patch, now);
    if (!already) deps.logger.warn({ onboarding: { recordId: rec.id, metaError: checked.error.code } }, 'onboarding token no longer usable: reconnect needed');
    return outcomeOf(row);
  });
}

/** What one refreshAll run did. */
export interface RefreshAllSummary {
  checked: number;
  connected: number;
  reconnectNeeded: number;
  failed: number;
}

/** Loggable fields of a failure: a GraphError's own (scrubbed) fields, otherwise only name and message. */
export function describeFailure(e: unknown): Record<string, unknown> {
  if (e instanceof GraphError) return { name: e.name, operation: e.operation, code: e.code, subcode: e.subcode, category: e.category, fbtraceId: e.fbtraceId };
  if (e instanceof Error) return { name: e.name, message: errorSummary(e) };
  return { name: typeof e };
}

/**
 * Refreshes every connected record, in batches keyed by id; a failing record is logged (never a
 * secret) and the run goes on.
 */
export async function refreshAll(deps: OnboardingDeps, opts: { batchSize?: number } = {}): Promise<RefreshAllSummary> {
  const batchSize = opts.batchSize ?? 100;
  const summary: RefreshAllSummary = { checked: 0, connected: 0, reconnectNeeded: 0, failed: 0 };
  let after: string | null = null;
  for (;;) {
    const ids: string[] = await connectedRecordIdsAfter(deps.db, after, batchSize);
    for (const id of ids) {
      summary.checked++;
      try {
        const out = await refreshRecord(deps, id, SYSTEM_ACTOR);
        if (out.state === 'connected') summary.connected++;
        else if (out.state === 'action_required' && out.reason === REASONS.reconnect) summary.reconnectNeeded++;
      } catch (e) {
        summary.failed++;
        deps.logger.warn({ onboarding: { recordId: id }, failure: describeFailure(e) }, 'onboarding refresh failed; going on with the next record');
      }
    }
    if (ids.length < batchSize) break;
    after = ids[ids.length - 1]!;
  }
  return summary;
}
