/**
 * The onboarding vocabulary: states, steps, the dependencies the services need, the browser's
 * WA_EMBEDDED_SIGNUP session event, and the errors callers map to HTTP answers.
 */
import { z } from 'zod';
import type { Db } from '../../db/client.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../logger.js';
import type { AuditContext } from '../audit/audit.types.js';
import type { CallbackOverride, GraphClient } from '../meta/graph-client.js';
import type { KeyRing } from '../vault/keyring.js';
import type { SecretRef } from '../vault/vault.types.js';

/** Record states (contract.md). */
export type OnboardingState = 'started' | 'in_progress' | 'action_required' | 'failed' | 'abandoned' | 'connected' | 'disconnected';
/** Steps after the browser hands over the code, in the order they run. */
export const STEP_ORDER = ['exchange', 'verify', 'lookup', 'subscribe', 'override', 'register'] as const;
/** One of STEP_ORDER. */
export type StepName = (typeof STEP_ORDER)[number];
/** Status of one step attempt. */
export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'action_required';

/** Reasons the service writes (Meta's own message is used where Meta gave one). */
export const REASONS = {
  wabaUnknown: 'WABA unknown',
  notCovered: 'token does not cover WABA',
  notOurApp: 'token was issued to another app',
  tokenInvalid: 'token is not valid',
  pinAlreadySet: 'PIN already set',
  reconnect: 'reconnect needed',
  disconnected: 'disconnected',
  internal: 'internal error while onboarding',
  exchangeInterrupted: 'the code exchange was interrupted: run Embedded Signup again',
} as const;

/** What the onboarding services need from the running app. */
export interface OnboardingDeps {
  db: Db;
  clock: Clock;
  keyring: KeyRing;
  graph: GraphClient;
  /** META_APP_ID (the simulator's app id in sandbox mode): debug_token's app_id must match */
  appId: string;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** META_WEBHOOK_OVERRIDE_URL with its verify token; the override step is skipped when absent */
  webhookOverride?: CallbackOverride | null;
  /** Enqueues `onboarding.resume-steps` for a record whose step failed with a retryable error. */
  scheduleResume?: (recordId: string) => Promise<void>;
  /** A step attempt 'running' longer than this is taken as lost (process died) and may run again. */
  staleStepMs?: number;
}

/** The actor used when nobody in particular acts (jobs). */
export const SYSTEM_ACTOR: AuditContext = { actorType: 'system', actorId: null, requestId: null };

/** The vault ref of a record's business token. */
export const tokenRef = (recordId: string): SecretRef => ({ ownerType: 'onboarding', ownerId: recordId, purpose: 'waba_token' });
/** The vault ref of a record's registration PIN. */
export const pinRef = (recordId: string): SecretRef => ({ ownerType: 'onboarding', ownerId: recordId, purpose: 'registration_pin' });

const id = z.union([z.string(), z.number()]).transform(String).pipe(z.string().regex(/^\d{1,20}$/));
/** The `WA_EMBEDDED_SIGNUP` message the browser forwards (reference 1.3); every data field optional. */
export const sessionEventSchema = z.object({
  event: z.enum(['FINISH', 'FINISH_ONLY_WABA', 'FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING', 'FINISH_GRANT_ONLY_API_ACCESS', 'CANCEL', 'ERROR']),
  data: z
    .object({
      waba_id: id.optional(),
      phone_number_id: id.optional(),
      business_id: id.optional(),
      current_step: z.string().max(100).optional(),
      error_message: z.string().max(1000).optional(),
      error_id: z.union([z.string(), z.number()]).transform(String).pipe(z.string().max(50)).optional(),
      session_id: z.string().max(100).optional(),
      timestamp: z.union([z.string(), z.number()]).optional(),
    })
    .default({}),
});
/** A parsed session event. */
export type SessionEvent = z.output<typeof sessionEventSchema>;

/** What the service reports back about a record after an operation. */
export interface OnboardingOutcome {
  recordId: string;
  state: OnboardingState;
  reason: string | null;
}

/** A request the record's state does not allow (404 / 409), or that Meta refused (502). */
export class OnboardingError extends Error {
  override name = 'OnboardingError';
  constructor(
    readonly kind: 'not_found' | 'conflict' | 'upstream_failed',
    message: string,
  ) {
    super(message);
  }
}
