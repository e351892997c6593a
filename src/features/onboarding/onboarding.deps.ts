/**
 * The one place that builds the onboarding dependencies from the configuration: the Graph client
 * (Meta, META_GRAPH_URL, or in sandbox mode the simulator on this process's own listener), the Meta
 * app in use, the webhook callback override, and how long a running step may take before another
 * runner takes it over. The app's routes and the job workers both build their deps here.
 */
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../logger.js';
import { createGraphClient, type CallbackOverride } from '../meta/graph-client.js';
import { graphBaseUrl, metaAppOf } from '../sandbox/sandbox-meta.js';
import type { KeyRing } from '../vault/keyring.js';
import type { OnboardingDeps } from './onboarding.types.js';

/** The Graph client's attempts per call (its default) and its longest backoff between attempts. */
const GRAPH_ATTEMPTS = 3;
const GRAPH_MAX_BACKOFF_MS = 4_000;
/** Never take over a running step sooner than this. */
const MIN_STALE_STEP_MS = 2 * 60_000;

/**
 * How long a step attempt may stay `running` before it is taken for lost (its process died): twice
 * the longest a step's Graph call can legitimately take (every attempt timing out, plus backoff),
 * and at least 2 minutes. With the default META_TIMEOUT_MS (10 s) this is 2 minutes, so with the
 * minute sweep a dead process's step is taken over within about 3 minutes. ONBOARDING_STALE_STEP_SECONDS
 * replaces it (crash tests and drills: a shorter limit lets a step that is merely slow run twice).
 */
export function staleStepMsFor(timeoutMs: number): number {
  const longestCall = GRAPH_ATTEMPTS * timeoutMs + (GRAPH_ATTEMPTS - 1) * GRAPH_MAX_BACKOFF_MS;
  return Math.max(MIN_STALE_STEP_MS, 2 * longestCall);
}

/** The per-WABA callback override, when META_WEBHOOK_OVERRIDE_URL is set (Meta needs a verify token with it). */
function webhookOverrideOf(config: Config, verifyToken: string | undefined, logger: Logger): CallbackOverride | null {
  const callbackUri = config.meta.webhookOverrideUrl;
  if (!callbackUri) return null;
  if (!verifyToken) {
    logger.warn('META_WEBHOOK_OVERRIDE_URL is set without META_WEBHOOK_VERIFY_TOKEN: the webhook override step is skipped');
    return null;
  }
  return { callbackUri, verifyToken };
}

/** Builds the onboarding deps. */
export function createOnboardingDeps(o: {
  config: Config;
  db: Db;
  clock: Clock;
  keyring: KeyRing;
  logger: Logger;
  /** enqueues `onboarding.resume-steps` (absent: retryable failures wait for a person or the sweep) */
  scheduleResume?: ((recordId: string) => Promise<void>) | undefined;
  /** overrides ONBOARDING_STALE_STEP_SECONDS and staleStepMsFor(META_TIMEOUT_MS) */
  staleStepMs?: number | undefined;
}): OnboardingDeps {
  const { config } = o;
  const meta = metaAppOf(config, o.keyring);
  const graph = createGraphClient({
    baseUrl: graphBaseUrl(config),
    version: config.meta.graphVersion,
    appId: meta.appId,
    appSecret: meta.appSecret,
    timeoutMs: config.meta.timeoutMs,
    ...(config.meta.redirectUri ? { redirectUri: config.meta.redirectUri } : {}),
    logger: o.logger,
  });
  return {
    db: o.db,
    clock: o.clock,
    keyring: o.keyring,
    graph,
    appId: meta.appId,
    logger: o.logger,
    webhookOverride: webhookOverrideOf(config, meta.webhookVerifyToken, o.logger),
    ...(o.scheduleResume ? { scheduleResume: o.scheduleResume } : {}),
    staleStepMs: o.staleStepMs ?? config.onboardingStaleStepMs ?? staleStepMsFor(config.meta.timeoutMs),
  };
}
