/**
 * The simulator's vocabulary: scenarios, options (with every behaviour the platform reference marks
 * **unconfirmed** made configurable instead of hard-coded), and the mutable world of businesses,
 * WhatsApp Business Accounts (WABAs) and phone numbers.
 */
import type { Logger } from '../logger.js';

/**
 * Named failure modes a minted code (and the token it is exchanged for) can carry. They overlay the
 * shared world for that token only, so concurrent demos and tests do not disturb each other.
 */
export const SIM_SCENARIOS = [
  'token_without_waba_in_scopes', // debug_token target_ids omit the WABA; its lookups answer 200-range errors
  'scopes_without_target_ids', // granular_scopes entries carry no target_ids (not asset-restricted)
  'subscribe_fails_100', // POST subscribed_apps -> code 100
  'pin_already_set_133005', // two-step verification already on with SimulatorOptions.existingPin
  'register_limit_133016', // register/deregister -> 133016 (10 per 72 h used up)
  'number_not_verified_133006', // the number shows NOT_VERIFIED; register -> 133006
  'rate_limited_then_success', // first asset call(s) -> 80007 (or 4) with usage headers, then success
  'slow', // every call of this code/token waits slowLatencyMs
  'server_error_5xx', // asset calls answer 503 / code 2 (serverErrorTimes times)
  'token_expires_in_3_days', // the token expires 3 days after the exchange
  'coexistence_number', // the number is already on Cloud API (WhatsApp Business app coexistence)
] as const;

/** One of SIM_SCENARIOS. */
export type SimScenario = (typeof SIM_SCENARIOS)[number];

/** Why a revoked token stops working; each maps to a code 190 subcode. */
export type RevokeReason = 'app_removed' | 'password_changed' | 'invalidated';

/** Behaviours the reference could not confirm from a primary source; defaults are our best guess. */
export interface UnconfirmedBehaviour {
  /** code for a bad client_secret in the exchange (third-party tests show 1) */
  badSecretCode: number;
  /** code for an unknown client_id (third-party tests show 101) */
  badClientIdCode: number;
  /** a code minted with a redirect_uri must be exchanged with the same one (omitting it fails too) */
  redirectUriRequiredWhenMinted: boolean;
  /** never-expiring tokens come back without expires_in */
  omitExpiresInForNeverExpiring: boolean;
  /** what an asset outside the token's grant answers: 200-range permission error or 100/33 */
  uncoveredAssetError: 'permission_200' | 'unsupported_100_33';
  /** whether a business token may read the business node */
  businessNodeReadable: boolean;
  /** debug_token user_id: the system user behind the business token, or the person who logged in */
  debugTokenUserId: 'system_user' | 'person';
  /** debug_token includes issued_at */
  includeIssuedAt: boolean;
  /** POST /register on a coexistence number: refused (code 100) or accepted */
  coexistenceRegister: 'error' | 'success';
  /** a failed exchange (e.g. redirect mismatch) burns the code */
  consumeCodeOnFailedExchange: boolean;
}

/** Options of createMetaSimulator. Only appId and appSecret are required. */
export interface SimulatorOptions {
  appId: string;
  appSecret: string;
  /** shown by GET subscribed_apps and debug_token `application` */
  appName?: string;
  logger?: Logger;
  /** added to every call (the onboarding benchmark uses 100) */
  latencyMs?: number;
  /** the simulator's clock; tests inject one to expire codes and tokens without sleeping */
  now?: () => Date;
  /** code lifetime (Meta: 30 s) */
  codeTtlMs?: number;
  /** business token lifetime; null = never expires (expires_at 0). Default 60 days (Meta's template) */
  tokenTtlSeconds?: number | null;
  /** latency of the `slow` scenario */
  slowLatencyMs?: number;
  /** code used by `rate_limited_then_success`: 80007 (WABA level) or 4 (app level) */
  rateLimitCode?: 4 | 80007;
  /** how many calls `rate_limited_then_success` refuses before succeeding */
  rateLimitTimes?: number;
  /** how many asset calls `server_error_5xx` fails (default: all) */
  serverErrorTimes?: number;
  /** X-Business-Use-Case-Usage estimated_time_to_regain_access (minutes) on rate-limit errors */
  rateLimitRegainMinutes?: number;
  /** the two-step PIN already set on numbers under `pin_already_set_133005` */
  existingPin?: string;
  /** register/deregister limit per number (Meta: 10 per rolling 72 h) */
  registerLimit?: { max: number; windowMs: number };
  /** the app's own webhook callback URL, reported in webhook_configuration.application */
  appCallbackUrl?: string;
  unconfirmed?: Partial<UnconfirmedBehaviour>;
}

/** Options with every default applied. */
export type ResolvedSimulatorOptions = Required<Omit<SimulatorOptions, 'logger' | 'appCallbackUrl' | 'unconfirmed' | 'tokenTtlSeconds'>> & {
  logger: Logger | undefined;
  appCallbackUrl: string | undefined;
  tokenTtlSeconds: number | null;
  unconfirmed: UnconfirmedBehaviour;
};

/** A business portfolio. */
export interface SimBusiness {
  id: string;
  name: string;
  /** Meta's business node shows a number here */
  timezoneId: number;
  verificationStatus: string;
  createdTime: string;
}

/** A WABA's webhook subscription by one app. */
export interface SimSubscription {
  appId: string;
  overrideCallbackUri: string | null;
  verifyToken: string | null;
}

/** A WhatsApp Business Account. */
export interface SimWaba {
  id: string;
  businessId: string;
  name: string;
  currency: string;
  timezoneId: string;
  messageTemplateNamespace: string;
  accountReviewStatus: string;
  businessVerificationStatus: string;
  country: string;
  ownershipType: string;
  subscriptions: Map<string, SimSubscription>;
}

/** A phone number of a WABA, with the registration state register/deregister change. */
export interface SimPhoneNumber {
  id: string;
  wabaId: string;
  displayPhoneNumber: string;
  verifiedName: string;
  codeVerificationStatus: string;
  qualityRating: string;
  nameStatus: string;
  status: string;
  platformType: string;
  throughputLevel: string;
  accountMode: string;
  isOfficialBusinessAccount: boolean;
  messagingLimit: string;
  /** on the WhatsApp Business app and Cloud API at once */
  coexistence: boolean;
  /** two-step verification PIN; set by the first successful register */
  pin: string | null;
  dataLocalizationRegion: string | null;
  /** times of register/deregister requests, for the rolling limit */
  registrationCalls: Date[];
}

/** Everything the simulated Meta knows about assets. */
export interface SimWorld {
  businesses: Map<string, SimBusiness>;
  wabas: Map<string, SimWaba>;
  phoneNumbers: Map<string, SimPhoneNumber>;
}
