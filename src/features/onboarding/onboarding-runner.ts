/**
 * The step engine: runs the remaining steps of a record in order, each attempt claimed by a unique
 * row (so two runners never run the same step), and writes each outcome together with the record's
 * state change and its audit event in one transaction. Retryable Graph failures schedule the
 * `onboarding.resume-steps` job.
 */
import { relaxedCommit, type Tx } from '../../db/client.js';
import { recordAudit } from '../audit/audit.service.js';
import { messages } from '../notifications/messages.js';
import { notify } from '../notifications/notify.js';
import type { AuditContext } from '../audit/audit.types.js';
import type { TokenInfo } from '../meta/graph-schemas.js';
import { GraphError } from '../meta/graph-error.js';
import { deleteOwnerSecrets, useSecret } from '../vault/vault.service.js';
import { markLinkUsed } from './customer-links/customer-links.repo.js';
import { mergeIntoExisting } from './onboarding-merge.js';
import { STEP_RUNNERS, type StepResult } from './onboarding-steps.js';
import {
  claimStepAttempt,
  finishStepAttempt,
  findRecord,
  hasMergeTarget,
  insertDecidedStep,
  latestAttempts,
  replacePhoneNumbers,
  updateRecord,
  type RecordPatch,
  type RecordRow,
  type StepFinish,
  type StepRow,
} from './onboarding.repo.js';
import { REASONS, tokenRef, type OnboardingDeps, type OnboardingOutcome, type StepName } from './onboarding.types.js';

const AFTER_EXCHANGE = ['verify', 'lookup', 'subscribe', 'override', 'register'] as const;
const DEFAULT_STALE_MS = 10 * 60_000;

/** The outcome of a record row. */
export const outcomeOf = (r: RecordRow): OnboardingOutcome => ({ recordId: r.id, state: r.state, reason: r.reason });

/** Meta's error fields for a step or record row (null when not a Graph failure). */
export function errorColumns(e: GraphError | undefined | null) {
  return { errorCode: e?.code ?? null, errorSubcode: e?.subcode ?? null, errorMessage: e?.message ?? null, errorFbtraceId: e?.fbtraceId ?? null };
}

/** Turns a thrown error into a step result: token problems need a reconnect, others fail (retryable or not). */
function fromThrown(e: unknown): StepResult & { retryable: boolean } {
  if (e instanceof GraphError) {
    if (e.category === 'token') return { status: 'action_required', reason: REASONS.reconnect, error: e, retryable: false };
    return { status: 'failed', reason: e.message, error: e, retryable: e.retryable, detail: { retryable: e.retryable, category: e.category } };
  }
  return { status: 'failed', reason: REASONS.internal, retryable: false };
}

/**
 * Records a step's end, and for a failure or action-required also the record's state, its reason
 * and Meta's error, plus the audit event. Returns the updated record.
 */
export async function settleStep(
  tx: Tx,
  deps: OnboardingDeps,
  actor: AuditContext,
  rec: RecordRow,
  step: StepName,
  attempt: number,
  r: StepResult & { retryable?: boolean },
  started: number,
  claimed: boolean,
  /** commit without waiting for the WAL flush (see relaxedCommit); only for a claimed attempt */
  relaxed = false,
): Promise<RecordRow> {
  const now = deps.clock.now();
  const err = 'error' in r ? r.error : undefined;
  const finish: StepFinish = { status: r.status, finishedAt: now, durationMs: Math.max(0, Math.round(performance.now() - started)), ...errorColumns(err), detail: r.detail };
  if (claimed) {
    // A runner taken for dead (its attempt superseded) only closes its own attempt row.
    if (await finishStepAttempt(tx, rec.id, step, attempt, finish, relaxed)) return (await findRecord(tx, rec.id))!;
  } else await insertDecidedStep(tx, rec.id, step, attempt, finish);
  let patch: RecordPatch = { ...(r.patch ?? {}) };
  if ('phones' in r && r.phones) await replacePhoneNumbers(tx, rec.id, r.phones, now);
  if (r.status === 'failed' || r.status === 'action_required') {
    patch = { ...patch, state: r.status, reason: r.reason, ...errorColumns(err) };
    if (r.discardToken) await deleteOwnerSecrets(tx, { ownerType: 'onboarding', ownerId: rec.id });
    const metaError = err?.code ?? null;
    if (r.status === 'failed') await recordAudit(tx, deps.clock, actor, { action: 'onboarding.failed', targetType: 'onboarding', targetId: rec.id, details: { step, metaError, retryable: r.retryable ?? false } });
    else await recordAudit(tx, deps.clock, actor, { action: 'onboarding.action_required', targetType: 'onboarding', targetId: rec.id, details: { step, metaError } });
    // a retryable failure is retried by the resume job: only a final one needs a person
    if (r.status === 'action_required') await notify(tx, now, messages.onboardingActionRequired(rec.id, rec.run, step, attempt, r.reason));
    else if (!r.retryable) await notify(tx, now, messages.onboardingFailed(rec.id, rec.run, step, attempt, r.reason));
  }
  return updateRecord(tx, rec.id, patch, now);
}

/** Marks the record connected and audits it, inside the caller's transaction (the record is locked by then). */
async function connectIn(tx: Tx, deps: OnboardingDeps, actor: AuditContext, rec: RecordRow, registered: boolean): Promise<RecordRow> {
  const now = deps.clock.now();
  const row = await updateRecord(tx, rec.id, { state: 'connected', reason: null, ...errorColumns(null), connectedAt: now }, now);
  await recordAudit(tx, deps.clock, actor, {
    action: 'onboarding.connected',
    targetType: 'onboarding',
    targetId: rec.id,
    details: { wabaId: row.wabaId, phoneNumberId: row.phoneNumberId, registered },
  });
  // A customer link is used up when an onboarding through it connects.
  if (row.linkId && (await markLinkUsed(tx, row.linkId, now))) {
    await recordAudit(tx, deps.clock, actor, { action: 'onboarding_link.completed', targetType: 'onboarding_link', targetId: row.linkId, details: { recordId: row.id } });
    await notify(tx, now, messages.linkCompleted(row.linkId, row.id, row.wabaName ?? row.businessName));
  }
  return row;
}

/** Marks the record connected (when it is still in progress) in its own transaction. */
async function connect(deps: OnboardingDeps, actor: AuditContext, rec: RecordRow, registered: boolean): Promise<RecordRow> {
  return deps.db.transaction(async (tx) => {
    const current = await findRecord(tx, rec.id, true);
    if (current?.state !== 'in_progress') return current ?? rec;
    return connectIn(tx, deps, actor, current, registered);
  });
}

/**
 * A code exchange whose process died cannot be resumed: the code is spent at Meta, and any token
 * Meta issued never reached the vault. Once its attempt is stale the record fails at that step (a
 * new attempt row says so; the dead one stays as it was), telling people to run Embedded Signup
 * again, rather than the next step failing for want of a token. A live exchange is left alone.
 */
async function endInterruptedExchange(deps: OnboardingDeps, actor: AuditContext, rec: RecordRow, exchange: StepRow, staleMs: number): Promise<RecordRow> {
  if (deps.clock.now().getTime() - (exchange.startedAt?.getTime() ?? 0) < staleMs) return rec;
  return deps.db.transaction(async (tx) => {
    const current = await findRecord(tx, rec.id, true);
    if (current?.state !== 'in_progress') return current ?? rec;
    const now = (await latestAttempts(tx, rec.id)).get('exchange');
    if (now?.status !== 'running' || now.attempt !== exchange.attempt) return current;
    const r = { status: 'failed', reason: REASONS.exchangeInterrupted, retryable: false, detail: { why: 'interrupted' } } as const;
    return settleStep(tx, deps, actor, current, 'exchange', exchange.attempt + 1, r, performance.now(), false);
  });
}

/** Where a run of steps starts when the caller already holds the record and a claimed step (right after the exchange). */
export interface RunStart {
  record: RecordRow;
  claimed: { step: StepName; attempt: number };
  /** the registration PIN just generated and stored, used as it is (no decrypt round trip) */
  freshPin?: string;
  /** debug_token asked while the exchange's result was being stored (the verify step uses it) */
  prefetchedDebug?: Promise<TokenInfo>;
}

/**
 * Runs every step after the exchange that has not succeeded (or been skipped) yet, while the record
 * is `in_progress`. Stops at the first step that does not succeed, or when another runner holds a
 * step. Returns the record's outcome.
 */
export async function runRemainingSteps(deps: OnboardingDeps, startId: string, actor: AuditContext, exchangedToken?: string, start?: RunStart): Promise<OnboardingOutcome> {
  const staleMs = deps.staleStepMs ?? DEFAULT_STALE_MS;
  let recordId = startId;
  // One decryption (one audited use) serves the whole run of steps; right after the exchange there
  // is none at all. The plaintext lives only in this closure for the duration of this call.
  let token: Promise<string> | null = exchangedToken !== undefined ? Promise.resolve(exchangedToken) : null;
  const tokenOnce = () => (token ??= useSecret(deps.db, deps.keyring, tokenRef(recordId), 'onboarding_steps', actor, async (t) => t, deps.clock));
  const first = start?.record ?? (await findRecord(deps.db, recordId));
  if (!first) throw new Error(`onboarding record ${recordId} vanished`);
  let rec: RecordRow = first;
  // Read once; afterwards this runner knows what it settled (a step another runner claims makes our
  // claim fail), and each settle hands back the record as it is then (session info may change it).
  let latest = start ? new Map<StepName, StepRow>() : await latestAttempts(deps.db, recordId);
  const exchange = latest.get('exchange');
  if (exchange?.status === 'running') return outcomeOf(await endInterruptedExchange(deps, actor, rec, exchange, staleMs));
  // The next step's attempt claimed in the transaction that settled the previous one (one
  // transaction per step instead of two).
  const pre: { claimed: { step: StepName; attempt: number } | null } = { claimed: start?.claimed ?? null };
  let freshPin = start?.freshPin;
  let prefetchedDebug = start?.prefetchedDebug;
  type Outcome = StepResult & { retryable?: boolean };
  const runStep = async (s: StepName, record: RecordRow): Promise<Outcome> => {
    try {
      const extra = { ...(freshPin !== undefined ? { freshPin } : {}), ...(s === 'verify' && prefetchedDebug ? { prefetchedDebug } : {}) };
      return await STEP_RUNNERS[s as Exclude<StepName, 'exchange'>]({ deps, record, actor, token: tokenOnce, ...extra });
    } catch (e) {
      if (!(e instanceof GraphError)) deps.logger.error({ err: e, onboarding: { recordId, step: s } }, 'onboarding step crashed');
      return fromThrown(e);
    } finally {
      if (s === 'verify') prefetchedDebug = undefined;
    }
  };
  // Subscribe and register need nothing from the database that the previous step's settle writes:
  // their Graph calls start while that settle commits, and count only once it claimed them.
  const ahead: { v: { step: StepName; started: number; result: Promise<Outcome> } | null } = { v: null };
  for (const [i, step] of AFTER_EXCHANGE.entries()) {
    if (rec.state !== 'in_progress') return outcomeOf(rec);
    if (step === 'lookup' && pre.claimed?.step !== 'lookup') {
      // The token is verified and the WABA known: a WABA already on record makes this a reconnect.
      // (A lookup claimed with the verify settle was claimed after finding no such record.)
      const merged = await mergeIntoExisting(deps, recordId, actor, rec.wabaId);
      if (merged) {
        recordId = merged.id;
        rec = merged;
        // The record keeps the PIN its number was registered with; the attempt's went with it.
        freshPin = undefined;
        latest = await latestAttempts(deps.db, recordId);
      }
    }
    const last = latest.get(step);
    let attempt: number;
    if (pre.claimed?.step === step) attempt = pre.claimed.attempt;
    else {
      if (last && (last.status === 'succeeded' || last.status === 'skipped')) continue;
      if (last?.status === 'running' && deps.clock.now().getTime() - (last.startedAt?.getTime() ?? 0) < staleMs) return outcomeOf(rec);
      attempt = (last?.attempt ?? 0) + 1;
      // Step bookkeeping on the way commits relaxed: the run ends with a synchronous commit (connect,
      // or the failure the caller is told about) that makes it all durable; a crash before that only
      // re-runs idempotent steps (the exchange, which is not, commits synchronously in receiveCode).
      const claimed = await deps.db.transaction(async (tx) => {
        await relaxedCommit(tx);
        return claimStepAttempt(tx, recordId, step, attempt, deps.clock.now());
      });
      if (!claimed) return outcomeOf(rec);
    }
    const held = ahead.v;
    const fromAhead: { step: StepName; started: number; result: Promise<Outcome> } | null = held !== null && held.step === step && pre.claimed?.step === step ? held : null;
    ahead.v = null;
    pre.claimed = null;
    const started = fromAhead?.started ?? performance.now();
    const result: Outcome = fromAhead ? await fromAhead.result : await runStep(step, rec);
    const current = rec;
    const r: Outcome = result;
    const ends = r.status === 'failed' || r.status === 'action_required';
    // The following step, unless already done or held by another runner. An override that is not
    // configured is decided (skipped) right here, and the step after it claimed instead.
    let k = i + 1;
    const skipOverride = AFTER_EXCHANGE[k] === 'override' && !deps.webhookOverride && !latest.get('override');
    if (skipOverride) k += 1;
    const next = AFTER_EXCHANGE[k];
    const nextLast = next ? latest.get(next) : undefined;
    const claimNext = !ends && next !== undefined && !(nextLast && ['succeeded', 'skipped', 'running'].includes(nextLast.status));
    // The last step's transaction also connects the record: it commits synchronously.
    const last_ = !ends && AFTER_EXCHANGE[i + 1] === undefined;
    if (claimNext && (next === 'subscribe' || next === 'register')) {
      ahead.v = { step: next, started: performance.now(), result: runStep(next, { ...current, ...(r.patch ?? {}) } as RecordRow) };
    }
    rec = await deps.db.transaction(async (tx) => {
      const row = await settleStep(tx, deps, actor, current, step, attempt, r, started, true, !ends && !last_);
      if (!ends && skipOverride && row.state === 'in_progress') {
        await insertDecidedStep(tx, row.id, 'override', 1, { status: 'skipped', finishedAt: deps.clock.now(), durationMs: 0, detail: { why: 'not_configured' } });
        latest.set('override', { step: 'override', attempt: 1, status: 'skipped' } as StepRow);
      }
      // The lookup is claimed here only when no record of this WABA could absorb the attempt.
      const mayClaim = next !== 'lookup' || (row.wabaId !== null && !(await hasMergeTarget(tx, row.wabaId, row.id)));
      if (claimNext && mayClaim && row.state === 'in_progress') {
        const a = (nextLast?.attempt ?? 0) + 1;
        if (await claimStepAttempt(tx, row.id, next, a, deps.clock.now())) pre.claimed = { step: next, attempt: a };
      }
      if (last_ && row.state === 'in_progress') return connectIn(tx, deps, actor, row, step === 'register' && r.status === 'succeeded');
      return row;
    });
    latest.set(step, { ...(last ?? ({} as StepRow)), step, attempt, status: r.status });
    if (result.status === 'failed' || result.status === 'action_required') {
      deps.logger.warn({ onboarding: { recordId, step, status: result.status, metaError: 'error' in result ? (result.error?.code ?? null) : null } }, 'onboarding step did not succeed');
      if (result.retryable && deps.scheduleResume) await deps.scheduleResume(recordId);
      return outcomeOf(rec);
    }
  }
  if (rec.state !== 'in_progress') return outcomeOf(rec);
  const reg = (await latestAttempts(deps.db, recordId)).get('register');
  return outcomeOf(await connect(deps, actor, rec, reg?.status === 'succeeded'));
}

/** Whether the latest failure of a record is one the resume job should retry. */
export async function hasRetryableFailure(deps: OnboardingDeps, recordId: string): Promise<boolean> {
  const latest = await latestAttempts(deps.db, recordId);
  return [...latest.values()].some((s) => s.status === 'failed' && (s.detail as { retryable?: unknown }).retryable === true);
}
