/** What Meta's app callbacks need from the running app, and who acts when Meta calls. */
import type { AuditContext } from '../audit/audit.types.js';
import type { OnboardingDeps } from '../onboarding/onboarding.types.js';

/** Dependencies of the callback services and the deletion status page. */
export interface MetaCallbackDeps {
  /** the onboarding deps the app built (db, clock, key ring, Graph client, logger) */
  onboarding: OnboardingDeps;
  /** the Meta app's secret (metaAppOf(config, keyring).appSecret): signs signed_request */
  appSecret: string;
  /** PUBLIC_URL: the status page address handed back to Meta */
  publicUrl: URL;
  /** CONTACT_EMAIL, shown on the status page when set */
  contactEmail?: string | undefined;
  /** callbacks refused (malformed or forged): counted in memory only, nothing is stored */
  rejected: { count: number };
}

/** The audit actor of a verified Meta callback. */
export const metaActor = (requestId: string | null): AuditContext => ({ actorType: 'meta', actorId: null, requestId });

/** Days Meta's deletion requests are due in (from receipt). */
export const DELETION_DUE_DAYS = 30;
