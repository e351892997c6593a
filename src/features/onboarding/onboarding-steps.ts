/**
 * The steps after the code exchange: verify (debug_token), lookup (WABA, numbers, business in
 * parallel), subscribe, override, register. Each runner reads the record as it is now (session info
 * may have filled it in meanwhile), decrypts the token only inside `useSecret`, and returns what
 * happened; the runner engine (onboarding-runner.ts) records it. A GraphError a runner throws is
 * classified there (retryable, token, permanent).
 */
import { randomInt } from 'node:crypto';
import type { AuditContext } from '../audit/audit.types.js';
import type { TokenInfo } from '../meta/graph-schemas.js';
import { GraphError } from '../meta/graph-error.js';
import type { PhoneNumberInfo } from '../meta/graph-schemas.js';
import { tokenCoversWaba, wabaIdsInScopes } from '../meta/token-scopes.js';
import { deleteSecret, hasSecret, putSecret, useSecret } from '../vault/vault.service.js';
import { listPhoneNumbers, type RecordPatch, type RecordRow } from './onboarding.repo.js';
import { pinRef, REASONS, type OnboardingDeps, type StepName } from './onboarding.types.js';

/** What a step runner gets. */
export interface StepContext {
  deps: OnboardingDeps;
  record: RecordRow;
  actor: AuditContext;
  /** The business token, decrypted (and audited) at most once per run of steps. */
  token: () => Promise<string>;
  /** A registration PIN generated and stored in this run (used without a decrypt). */
  freshPin?: string;
  /** debug_token already asked, right after the exchange (while the token was being stored) */
  prefetchedDebug?: Promise<TokenInfo>;
}

/** What a step runner reports (the engine writes it, with the record change, in one transaction). */
export type StepResult =
  | { status: 'succeeded' | 'skipped'; detail?: Record<string, unknown>; patch?: RecordPatch; phones?: PhoneNumberInfo[] }
  | { status: 'action_required' | 'failed'; reason: string; error?: GraphError; detail?: Record<string, unknown>; patch?: RecordPatch; discardToken?: boolean };

/** Session events after which the phone number may be taken from the WABA's list when none was named. */
const MAY_DERIVE_PHONE = new Set<string | null>([null, 'FINISH', 'FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING', 'FINISH_GRANT_ONLY_API_ACCESS']);
const COEXISTENCE_EVENT = 'FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING';

/** Runs `fn` with the record's business token. */
async function withToken<T>(c: StepContext, fn: (token: string) => Promise<T>): Promise<T> {
  return fn(await c.token());
}

/** debug_token: our app, valid, and covering the WABA; fills the WABA from target_ids when unknown. */
async function verify(c: StepContext): Promise<StepResult> {
  const info = await (c.prefetchedDebug ?? withToken(c, (t) => c.deps.graph.debugToken(t)));
  const patch: RecordPatch = {
    tokenUserId: info.userId,
    tokenType: info.type,
    tokenExpiresAt: info.expiresAt,
    tokenScopes: { scopes: info.scopes, granular: info.granularScopes },
    tokenVerifiedAt: c.deps.clock.now(),
  };
  if (info.appId !== c.deps.appId) return { status: 'failed', reason: REASONS.notOurApp, patch, discardToken: true };
  if (!info.isValid) return { status: 'failed', reason: info.error?.message ?? REASONS.tokenInvalid, patch, discardToken: true };
  const fromScopes = wabaIdsInScopes(info)[0] ?? null;
  const wabaId = c.record.wabaId ?? fromScopes;
  const source = c.record.wabaId ? 'session' : fromScopes ? 'scopes' : 'unknown';
  if (wabaId !== null && !tokenCoversWaba(info, wabaId)) return { status: 'failed', reason: REASONS.notCovered, patch, discardToken: true, detail: { wabaSource: source } };
  return { status: 'succeeded', patch: { ...patch, wabaId }, detail: { wabaSource: source, tokenType: info.type, expires: info.expiresAt !== null } };
}

/** Whether a failed business lookup means "not available to this token" rather than a failure. */
const refused = (e: unknown) => e instanceof GraphError && (e.category === 'permission' || e.httpStatus === 403);

/** WABA, phone numbers and business in parallel; a refused business lookup is "not available". */
async function lookup(c: StepContext): Promise<StepResult> {
  const wabaId = c.record.wabaId;
  if (!wabaId) return { status: 'action_required', reason: REASONS.wabaUnknown };
  const businessId = c.record.businessId;
  const [waba, phones, business] = await withToken(c, (t) =>
    Promise.allSettled([c.deps.graph.getWaba(t, wabaId), c.deps.graph.listPhoneNumbers(t, wabaId), businessId ? c.deps.graph.getBusiness(t, businessId) : Promise.resolve(null)]),
  );
  if (waba.status === 'rejected') throw waba.reason;
  if (phones.status === 'rejected') throw phones.reason;
  if (business.status === 'rejected' && !refused(business.reason)) throw business.reason;
  const biz = business.status === 'fulfilled' ? business.value : null;
  let phoneNumberId = c.record.phoneNumberId;
  if (!phoneNumberId && MAY_DERIVE_PHONE.has(c.record.sessionEvent) && phones.value.length === 1) phoneNumberId = phones.value[0]!.id;
  return {
    status: 'succeeded',
    phones: phones.value,
    patch: { wabaName: waba.value.name, businessName: biz?.name ?? null, phoneNumberId },
    detail: { phoneNumbers: phones.value.length, businessAvailable: biz !== null },
  };
}

/** Subscribes our app to the WABA's webhooks. */
async function subscribe(c: StepContext): Promise<StepResult> {
  const wabaId = c.record.wabaId;
  if (!wabaId) return { status: 'action_required', reason: REASONS.wabaUnknown };
  await withToken(c, (t) => c.deps.graph.subscribeApp(t, wabaId));
  return { status: 'succeeded' };
}

/** Sets the per-WABA callback override, only when META_WEBHOOK_OVERRIDE_URL is configured. */
async function override(c: StepContext): Promise<StepResult> {
  const o = c.deps.webhookOverride;
  const wabaId = c.record.wabaId;
  if (!o) return { status: 'skipped', detail: { why: 'not_configured' } };
  if (!wabaId) return { status: 'action_required', reason: REASONS.wabaUnknown };
  await withToken(c, (t) => c.deps.graph.subscribeApp(t, wabaId, o));
  return { status: 'succeeded' };
}

/** A 6-digit PIN from the system's CSPRNG. */
export function generatePin(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/** Registers the number with the PIN kept in the vault (generated once); skips coexistence and Cloud API numbers. */
async function register(c: StepContext): Promise<StepResult> {
  const { deps, record } = c;
  const phoneId = record.phoneNumberId;
  // A PIN generated with the token in this run but not needed is not kept.
  const skip = async (why: string): Promise<StepResult> => {
    if (c.freshPin !== undefined) await deleteSecret(deps.db, pinRef(record.id));
    return { status: 'skipped', detail: { why } };
  };
  if (!phoneId) return skip('no_phone_number');
  if (record.sessionEvent === COEXISTENCE_EVENT) return skip('coexistence');
  const phone = (await listPhoneNumbers(deps.db, record.id)).find((p) => p.phoneNumberId === phoneId);
  if (phone?.platformType === 'CLOUD_API' && phone.status === 'CONNECTED') return skip('already_on_cloud_api');
  const ref = pinRef(record.id);
  // A new PIN is kept in the vault (durably) before Meta hears of it, then used as it is; a stored
  // one (a retry, or a PIN a person entered) is decrypted for the call.
  let fresh = c.freshPin ?? null;
  if (fresh === null && !(await hasSecret(deps.db, ref))) {
    const pin = generatePin();
    await deps.db.transaction((tx) => putSecret(tx, deps.keyring, ref, pin));
    fresh = pin;
  }
  const generated = fresh !== null;
  try {
    await withToken(c, (t) =>
      fresh !== null
        ? deps.graph.registerNumber(t, phoneId, fresh)
        : useSecret(deps.db, deps.keyring, ref, 'onboarding_register', c.actor, (pin) => deps.graph.registerNumber(t, phoneId, pin), deps.clock),
    );
  } catch (e) {
    if (!(e instanceof GraphError)) throw e;
    if (e.code === 133005) {
      // Two-step verification is on with a PIN we do not know: ours is useless; a person enters theirs.
      if (generated) await deleteSecret(deps.db, ref);
      return { status: 'action_required', reason: REASONS.pinAlreadySet, error: e };
    }
    if (e.code === 133006 || e.code === 133016) return { status: 'action_required', reason: e.message, error: e };
    throw e;
  }
  return { status: 'succeeded', detail: { pinSource: generated ? 'generated' : 'stored' } };
}

/** The runner of each step after the exchange. */
export const STEP_RUNNERS: Record<Exclude<StepName, 'exchange'>, (c: StepContext) => Promise<StepResult>> = {
  verify,
  lookup,
  subscribe,
  override,
  register,
};
