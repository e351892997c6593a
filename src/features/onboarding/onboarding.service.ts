/**
 * The onboarding flow (server side of Embedded Signup). A record is created when someone starts;
 * the browser then sends the code (exchanged at once, exactly once) and, separately, the session
 * event, both under the record's attempt id, in either order. The business token goes only to the
 * vault; the remaining steps run in onboarding-runner.ts. Every state change is audited in the
 * transaction that makes it.
 */
import { randomBytes } from 'node:crypto';
import { relaxedCommit } from '../../db/client.js';
import { decodeCursor, encodeCursor } from '../../http/cursor.js';
import { recordAudit } from '../audit/audit.service.js';
import type { AuditContext } from '../audit/audit.types.js';
import { GraphError } from '../meta/graph-error.js';
import { hasSecret, putSecret } from '../vault/vault.service.js';
import { errorColumns, hasRetryableFailure, outcomeOf, runRemainingSteps, settleStep, type RunStart } from './onboarding-runner.js';
import { generatePin } from './onboarding-steps.js';
import {
  claimStepAttempt,
  countersOf,
  insertDecidedStep,
  findRecord,
  findRecordByAttempt,
  insertRecord,
  latestAttempts,
  listHistory,
  listPhoneNumbers,
  listRecords,
  listSteps,
  phoneNumbersOf,
  staleInProgress,
  staleRetryableFailures,
  updateRecord,
  type CounterRow,
  type HistoryRow,
  type PhoneRow,
  type RecordListRow,
  type RecordPatch,
  type RecordRow,
  type StepRow,
} from './onboarding.repo.js';
import { OnboardingError, pinRef, REASONS, SYSTEM_ACTOR, tokenRef, type OnboardingDeps, type OnboardingOutcome, type SessionEvent } from './onboarding.types.js';

const GRAPH_ID = /^\d{1,20}$/;

/** What the connect page polls: the attempt's record state, in words fit for the customer too. */
export interface AttemptStatus {
  recordId: string;
  state: RecordRow['state'];
  reason: string | null;
  abandonedStep: string | null;
  wabaId: string | null;
  wabaName: string | null;
  displayPhoneNumber: string | null;
}

/** The status of an attempt; `linkId` limits it to attempts made through that link. */
export async function attemptStatus(deps: Pick<OnboardingDeps, 'db'>, attemptId: string, linkId?: string): Promise<AttemptStatus> {
  const r = await findRecordByAttempt(deps.db, attemptId);
  if (!r || (linkId !== undefined && r.linkId !== linkId)) throw new OnboardingError('not_found', 'No such onboarding attempt.');
  const phone = (await listPhoneNumbers(deps.db, r.id)).find((p) => p.phoneNumberId === r.phoneNumberId);
  return { recordId: r.id, state: r.state, reason: r.reason, abandonedStep: r.abandonedStep, wabaId: r.wabaId, wabaName: r.wabaName, displayPhoneNumber: phone?.displayPhoneNumber ?? null };
}

/** Whether an attempt belongs to a customer link (the customer routes may touch only their own). */
export async function attemptOfLink(deps: Pick<OnboardingDeps, 'db'>, attemptId: string, linkId: string): Promise<void> {
  const r = await findRecordByAttempt(deps.db, attemptId);
  if (!r || r.linkId !== linkId) throw new OnboardingError('not_found', 'No such onboarding attempt.');
}

/** Starts an attempt for a staff member (`startedBy`) or a customer link (`linkId`). */
export async function startAttempt(
  deps: OnboardingDeps,
  who: { startedBy: string; linkId?: undefined } | { linkId: string; startedBy?: undefined },
  actor: AuditContext = SYSTEM_ACTOR,
  /** a reconnect from that record's page (checked here; the merge happens once the WABA is verified) */
  reconnectOf?: string,
): Promise<{ recordId: string; attemptId: string }> {
  const attemptId = randomBytes(18).toString('base64url');
  return deps.db.transaction(async (tx) => {
    if (reconnectOf !== undefined) {
      const target = await findRecord(tx, reconnectOf);
      if (!target) throw new OnboardingError('not_found', 'No such onboarding record to reconnect.');
      if (target.state === 'started' || target.state === 'in_progress') throw new OnboardingError('conflict', 'This onboarding is still running; wait until it ends.');
    }
    const rec = await insertRecord(tx, { attemptId, startedBy: who.startedBy ?? null, linkId: who.linkId ?? null, at: deps.clock.now() });
    await recordAudit(tx, deps.clock, actor, { action: 'onboarding.started', targetType: 'onboarding', targetId: rec.id, details: { via: who.linkId ? 'link' : 'staff' } });
    return { recordId: rec.id, attemptId };
  });
}

/**
 * Takes the code from the login callback and exchanges it at once, exactly once (a second call for
 * the same attempt is refused; the exchange is never retried). The token is stored only in the
 * vault, then verify, lookup, subscribe, override and register run. Resolves with the record's state.
 */
export async function receiveCode(
  deps: OnboardingDeps,
  attemptId: string,
  code: string,
  metaUserId?: string | null,
  actor: AuditContext = SYSTEM_ACTOR,
): Promise<OnboardingOutcome> {
  const userId = metaUserId && GRAPH_ID.test(metaUserId) ? metaUserId : null;
  const rec = await deps.db.transaction(async (tx) => {
    // Relaxed: the token's synchronous commit right after the exchange makes this durable too; if
    // the process dies before, the code is spent anyway (Meta refuses it a second time).
    await relaxedCommit(tx);
    const r = await findRecordByAttempt(tx, attemptId, true);
    if (!r) throw new OnboardingError('not_found', 'No such onboarding attempt.');
    if (r.state !== 'started') throw new OnboardingError('conflict', 'This onboarding attempt already received its code or has ended.');
    if (!(await claimStepAttempt(tx, r.id, 'exchange', 1, deps.clock.now()))) throw new OnboardingError('conflict', 'This onboarding attempt already received its code.');
    return updateRecord(tx, r.id, { state: 'in_progress', metaUserId: userId ?? r.metaUserId }, deps.clock.now());
  });
  const started = performance.now();
  let accessToken: string;
  let start: RunStart;
  try {
    const token = await deps.graph.exchangeCode(code);
    accessToken = token.accessToken;
    // The token, and the PIN the number will be registered with, are durable before anything else
    // happens; the verify step is claimed in the same transaction.
    const pin = generatePin();
    // debug_token needs only the token: it is asked while the token is being stored.
    const prefetchedDebug = deps.graph.debugToken(token.accessToken);
    prefetchedDebug.catch(() => undefined); // handled by the verify step; never unhandled
    start = await deps.db.transaction(async (tx) => {
      await putSecret(tx, deps.keyring, tokenRef(rec.id), token.accessToken);
      const pinStored = !(await hasSecret(tx, pinRef(rec.id)));
      if (pinStored) await putSecret(tx, deps.keyring, pinRef(rec.id), pin);
      const row = await settleStep(tx, deps, actor, rec, 'exchange', 1, { status: 'succeeded', detail: { expiresInSeconds: token.expiresInSeconds } }, started, true);
      await claimStepAttempt(tx, rec.id, 'verify', 1, deps.clock.now());
      return { record: row, claimed: { step: 'verify' as const, attempt: 1 }, prefetchedDebug, ...(pinStored ? { freshPin: pin } : {}) };
    });
  } catch (e) {
    if (!(e instanceof GraphError)) deps.logger.error({ err: e, onboarding: { recordId: rec.id, step: 'exchange' } }, 'onboarding exchange crashed');
    const failed = e instanceof GraphError ? { reason: e.message, error: e } : { reason: REASONS.internal };
    const row = await deps.db.transaction((tx) => settleStep(tx, deps, actor, rec, 'exchange', 1, { status: 'failed', ...failed, retryable: false }, started, true));
    return outcomeOf(row);
  }
  return runRemainingSteps(deps, rec.id, actor, accessToken, start);
}

/** Whether a record's stored debug_token scopes let it manage `wabaId` (unknown scopes: yes). */
function scopesCover(rec: RecordRow, wabaId: string): boolean {
  const granular = (rec.tokenScopes as { granular?: { scope: string; targetIds: string[] | null }[] } | null)?.granular;
  if (!granular) return true;
  const grant = granular.find((g) => g.scope === 'whatsapp_business_management');
  return !!grant && (grant.targetIds === null || grant.targetIds.includes(wabaId));
}

/**
 * Joins the browser's WA_EMBEDDED_SIGNUP event to the attempt. The first event wins; repeats do
 * nothing. CANCEL/ERROR end a record that has no code yet (abandoned at `current_step`, or failed
 * with the customer's error); FINISH* fill in the ids the code path has not learnt, and resume a
 * record that was waiting for its WABA.
 */
export async function receiveSessionInfo(deps: OnboardingDeps, attemptId: string, event: SessionEvent, actor: AuditContext = SYSTEM_ACTOR): Promise<OnboardingOutcome> {
  const { rec, resume } = await deps.db.transaction(async (tx) => {
    const r = await findRecordByAttempt(tx, attemptId, true);
    if (!r) throw new OnboardingError('not_found', 'No such onboarding attempt.');
    if (r.sessionEvent !== null) return { rec: r, resume: false };
    const now = deps.clock.now();
    const d = event.data;
    const audit = (a: Parameters<typeof recordAudit>[3]) => recordAudit(tx, deps.clock, actor, a);
    if (event.event === 'CANCEL' || event.event === 'ERROR') {
      const base: RecordPatch = { sessionEvent: event.event, abandonedStep: d.current_step ?? null };
      // With the code in, the flow goes on (closing the popup at the end is not a failure).
      if (r.state !== 'started') return { rec: await updateRecord(tx, r.id, base, now), resume: false };
      if (d.error_message !== undefined) {
        const errorNumber = d.error_id !== undefined && /^\d{1,9}$/.test(d.error_id) ? Number(d.error_id) : null;
        await audit({ action: 'onboarding.failed', targetType: 'onboarding', targetId: r.id, details: { step: 'embedded_signup', metaError: errorNumber, retryable: false } });
        return { rec: await updateRecord(tx, r.id, { ...base, state: 'failed', reason: d.error_message, errorMessage: d.error_message, errorCode: errorNumber }, now), resume: false };
      }
      await audit({ action: 'onboarding.abandoned', targetType: 'onboarding', targetId: r.id, details: { atStep: d.current_step ?? null } });
      return { rec: await updateRecord(tx, r.id, { ...base, state: 'abandoned', reason: 'left Embedded Signup' }, now), resume: false };
    }
    const patch: RecordPatch = { sessionEvent: event.event };
    if (d.business_id && !r.businessId) patch.businessId = d.business_id;
    if (d.phone_number_id && !r.phoneNumberId) patch.phoneNumberId = d.phone_number_id;
    if (d.waba_id && !r.wabaId) patch.wabaId = d.waba_id;
    if (d.waba_id && d.waba_id !== (r.wabaId ?? d.waba_id)) {
      // The code path took the WABA from target_ids; the browser names another.
      if (!scopesCover(r, d.waba_id) && r.state !== 'failed') {
        await updateRecord(tx, r.id, patch, now);
        const attempt = ((await latestAttempts(tx, r.id)).get('verify')?.attempt ?? 0) + 1;
        const failed = { status: 'failed', reason: REASONS.notCovered, discardToken: true, detail: { wabaSource: 'session' } } as const;
        return { rec: await settleStep(tx, deps, actor, r, 'verify', attempt, failed, performance.now(), false), resume: false };
      }
      deps.logger.warn({ onboarding: { recordId: r.id } }, 'session info names another WABA than the token scopes; keeping the first');
    }
    const waiting = r.state === 'action_required' && r.reason === REASONS.wabaUnknown && patch.wabaId !== undefined;
    if (waiting) Object.assign(patch, { state: 'in_progress', reason: null, ...errorColumns(null) });
    // Connected before the browser named the number (the WABA had several): register it now.
    const registerNamed = r.state === 'connected' && patch.phoneNumberId !== undefined && event.event !== 'FINISH_ONLY_WABA';
    if (registerNamed) {
      const attempt = ((await latestAttempts(tx, r.id)).get('register')?.attempt ?? 0) + 1;
      await insertDecidedStep(tx, r.id, 'register', attempt, { status: 'pending', finishedAt: now, durationMs: 0, detail: { why: 'phone_number_named_later' } });
      patch.state = 'in_progress';
    }
    return { rec: await updateRecord(tx, r.id, patch, now), resume: waiting || registerNamed };
  });
  return resume ? runRemainingSteps(deps, rec.id, actor) : outcomeOf(rec);
}

/** Puts a failed or action-required record back in progress (refused when the exchange never succeeded). */
async function reopen(deps: OnboardingDeps, recordId: string, onlyRetryable: boolean): Promise<RecordRow | null> {
  return deps.db.transaction(async (tx) => {
    const r = await findRecord(tx, recordId, true);
    if (!r) throw new OnboardingError('not_found', 'No such onboarding record.');
    if (r.state !== 'failed' && r.state !== 'action_required') {
      if (onlyRetryable) return null;
      throw new OnboardingError('conflict', `An onboarding in state ${r.state} has nothing to retry.`);
    }
    if ((await latestAttempts(tx, r.id)).get('exchange')?.status !== 'succeeded' || !(await hasSecret(tx, tokenRef(r.id)))) {
      if (onlyRetryable) return null;
      throw new OnboardingError('conflict', 'No business token for this onboarding: run Embedded Signup again.');
    }
    return updateRecord(tx, r.id, { state: 'in_progress', reason: null, ...errorColumns(null) }, deps.clock.now());
  });
}

/** Retries the failed (or action-required) step and those after it: the UI's "Retry". */
export async function retryStep(deps: OnboardingDeps, recordId: string, actor: AuditContext = SYSTEM_ACTOR): Promise<OnboardingOutcome> {
  await reopen(deps, recordId, false);
  return runRemainingSteps(deps, recordId, actor);
}

/**
 * Stores the two-step verification PIN a person entered after 133005 (never shown again) and
 * retries registration with it.
 */
export async function submitExistingPin(deps: OnboardingDeps, recordId: string, pin: string, actor: AuditContext = SYSTEM_ACTOR): Promise<OnboardingOutcome> {
  if (!/^\d{6}$/.test(pin)) throw new OnboardingError('conflict', 'The PIN must be 6 digits.');
  await deps.db.transaction(async (tx) => {
    const r = await findRecord(tx, recordId, true);
    if (!r) throw new OnboardingError('not_found', 'No such onboarding record.');
    if (r.state !== 'action_required' || r.reason !== REASONS.pinAlreadySet) throw new OnboardingError('conflict', 'This WhatsApp account is not waiting for a PIN.');
    await putSecret(tx, deps.keyring, pinRef(recordId), pin);
    await recordAudit(tx, deps.clock, actor, { action: 'onboarding.pin_entered', targetType: 'onboarding', targetId: recordId, details: {} });
  });
  return retryStep(deps, recordId, actor);
}

/**
 * What the resume job runs: a record failed with a retryable Graph error, or left `in_progress`
 * by a restart, continues from its first unfinished step. Anything else is left alone.
 */
export async function resumeSteps(deps: OnboardingDeps, recordId: string, actor: AuditContext = SYSTEM_ACTOR): Promise<OnboardingOutcome | null> {
  const r = await findRecord(deps.db, recordId);
  if (!r) return null;
  if (r.state === 'failed') {
    if (!(await hasRetryableFailure(deps, recordId))) return outcomeOf(r);
    if (!(await reopen(deps, recordId, true))) return outcomeOf(r);
  } else if (r.state !== 'in_progress') return outcomeOf(r);
  return runRemainingSteps(deps, recordId, actor);
}

/** Records left `in_progress` for longer than `olderThanMs` (e.g. the process restarted mid-flow). */
export async function interruptedRecords(deps: OnboardingDeps, olderThanMs: number): Promise<string[]> {
  return staleInProgress(deps.db, new Date(deps.clock.now().getTime() - olderThanMs));
}

/**
 * Records failed with a retryable error (Meta down, slow, rate limiting) and untouched for longer
 * than `olderThanMs`: the resume job's own retries ran out before Meta came back.
 */
export async function retryableFailedRecords(deps: OnboardingDeps, olderThanMs: number): Promise<string[]> {
  return staleRetryableFailures(deps.db, new Date(deps.clock.now().getTime() - olderThanMs));
}

/** A record with its step timeline, phone numbers and which credentials the vault holds (never their values). */
export async function getOnboarding(
  deps: Pick<OnboardingDeps, 'db'>,
  recordId: string,
): Promise<{ record: RecordRow; row: RecordListRow; steps: StepRow[]; phoneNumbers: PhoneRow[]; vault: { token: boolean; pin: boolean } }> {
  const [row] = await listRecords(deps.db, { id: recordId, limit: 1 });
  if (!row) throw new OnboardingError('not_found', 'No such onboarding record.');
  const [steps, phoneNumbers, token, pin] = await Promise.all([
    listSteps(deps.db, recordId),
    listPhoneNumbers(deps.db, recordId),
    hasSecret(deps.db, tokenRef(recordId)),
    hasSecret(deps.db, pinRef(recordId)),
  ]);
  return { record: row.record, row, steps, phoneNumbers, vault: { token, pin } };
}

/** How many history lines the record detail shows. */
export const HISTORY_LIMIT = 100;

/** What Meta reported over time about a record: its latest history lines and its numbers' message counters. */
export async function getReports(
  deps: Pick<OnboardingDeps, 'db'>,
  recordId: string,
  phoneNumberIds: string[],
): Promise<{ history: HistoryRow[]; counters: Map<string, CounterRow[]> }> {
  const [history, counters] = await Promise.all([listHistory(deps.db, recordId, HISTORY_LIMIT), countersOf(deps.db, phoneNumberIds)]);
  return { history, counters };
}

/** One page of records (newest first) with their phone numbers. */
export async function listOnboarding(
  deps: Pick<OnboardingDeps, 'db'>,
  f: { state?: RecordRow['state'] | undefined; via?: 'staff' | 'link' | undefined; q?: string | undefined; cursor?: string | undefined; limit: number },
): Promise<{ items: { row: RecordListRow; phones: PhoneRow[] }[]; nextCursor: string | null }> {
  const after = f.cursor ? decodeCursor(f.cursor) : undefined;
  const rows = await listRecords(deps.db, { state: f.state, via: f.via, q: f.q, after: after ? { createdAt: new Date(after.value ?? 0), id: after.id } : undefined, limit: f.limit + 1 });
  const page = rows.slice(0, f.limit);
  const phones = await phoneNumbersOf(deps.db, page.map((r) => r.record.id));
  const last = page[page.length - 1];
  return {
    items: page.map((row) => ({ row, phones: phones.get(row.record.id) ?? [] })),
    nextCursor: rows.length > f.limit && last ? encodeCursor(last.record.createdAt.toISOString(), last.record.id) : null,
  };
}
