/**
 * zod schemas for Meta's responses and the camelCase types the client returns. Lenient on purpose:
 * unknown keys are dropped, enums Meta has not pinned down stay plain strings, and every id becomes
 * a string whether Meta sent a string or a number.
 */
import { z } from 'zod';

/** An id: string or number on the wire, always a string here. */
export const graphId = z.union([z.string().min(1), z.number().int().nonnegative()]).transform(String);
const optText = z.string().optional().transform((v) => v ?? null);
const optId = z.union([z.string(), z.number()]).optional().transform((v) => (v === undefined ? null : String(v)));
const unixOrZero = z.number().optional().transform((v) => (v ? new Date(v * 1000) : null));

/** GET /oauth/access_token. */
export const exchangeSchema = z
  .object({ access_token: z.string().min(1), token_type: z.string().optional(), expires_in: z.coerce.number().optional() })
  .transform((r) => ({ accessToken: r.access_token, tokenType: r.token_type ?? 'bearer', expiresInSeconds: r.expires_in ?? null }));
/** The exchanged business token. `accessToken` is a credential: encrypt it, never log it. */
export type ExchangedToken = z.output<typeof exchangeSchema>;

/** GET /debug_token. */
export const debugTokenSchema = z
  .object({
    data: z.object({
      app_id: optId,
      application: optText,
      type: optText,
      expires_at: unixOrZero,
      data_access_expires_at: unixOrZero,
      issued_at: unixOrZero,
      is_valid: z.boolean(),
      scopes: z.array(z.string()).default([]),
      granular_scopes: z.array(z.object({ scope: z.string(), target_ids: z.array(graphId).optional() })).default([]),
      user_id: optId,
      error: z.object({ code: z.number(), message: z.string(), subcode: z.number().optional() }).optional(),
    }),
  })
  .transform(({ data: d }) => ({
    appId: d.app_id,
    application: d.application,
    /** SYSTEM_USER for business tokens; USER in older examples */
    type: d.type,
    /** null: never expires (Meta's 0) or not reported */
    expiresAt: d.expires_at,
    dataAccessExpiresAt: d.data_access_expires_at,
    issuedAt: d.issued_at,
    isValid: d.is_valid,
    scopes: d.scopes,
    /** targetIds null: the grant is not asset-restricted (not "no access") */
    granularScopes: d.granular_scopes.map((g) => ({ scope: g.scope, targetIds: g.target_ids ?? null })),
    userId: d.user_id,
    error: d.error ? { code: d.error.code, subcode: d.error.subcode ?? null, message: d.error.message } : null,
  }));
/** What debug_token says about a token. */
export type TokenInfo = z.output<typeof debugTokenSchema>;

/** Fields the client asks for on a WABA. */
export const WABA_FIELDS = 'id,name,currency,timezone_id,message_template_namespace,account_review_status,business_verification_status,country,ownership_type';
/** GET /{waba-id}. */
export const wabaSchema = z
  .object({
    id: graphId,
    name: optText,
    currency: optText,
    timezone_id: optId,
    message_template_namespace: optText,
    account_review_status: optText,
    business_verification_status: optText,
    country: optText,
    ownership_type: optText,
  })
  .transform((w) => ({
    id: w.id,
    name: w.name,
    currency: w.currency,
    timezoneId: w.timezone_id,
    messageTemplateNamespace: w.message_template_namespace,
    accountReviewStatus: w.account_review_status,
    businessVerificationStatus: w.business_verification_status,
    country: w.country,
    ownershipType: w.ownership_type,
  }));
/** A WhatsApp Business Account. */
export type WabaInfo = z.output<typeof wabaSchema>;

/** Fields the client asks for on a phone number. */
export const PHONE_FIELDS =
  'id,display_phone_number,verified_name,code_verification_status,quality_rating,name_status,new_name_status,status,platform_type,throughput,account_mode,is_official_business_account,whatsapp_business_manager_messaging_limit,webhook_configuration';
/** A phone number node. */
export const phoneSchema = z
  .object({
    id: graphId,
    display_phone_number: optText,
    verified_name: optText,
    code_verification_status: optText,
    quality_rating: optText,
    name_status: optText,
    new_name_status: optText,
    status: optText,
    platform_type: optText,
    throughput: z.object({ level: z.string().optional() }).optional(),
    account_mode: optText,
    is_official_business_account: z.boolean().optional(),
    whatsapp_business_manager_messaging_limit: z.union([z.string(), z.number()]).optional(),
    webhook_configuration: z
      .object({ application: z.string().optional(), whatsapp_business_account: z.string().optional(), phone_number: z.string().optional() })
      .optional(),
  })
  .transform((p) => ({
    id: p.id,
    displayPhoneNumber: p.display_phone_number,
    verifiedName: p.verified_name,
    codeVerificationStatus: p.code_verification_status,
    qualityRating: p.quality_rating,
    nameStatus: p.name_status,
    newNameStatus: p.new_name_status,
    status: p.status,
    platformType: p.platform_type,
    throughputLevel: p.throughput?.level ?? null,
    accountMode: p.account_mode,
    isOfficialBusinessAccount: p.is_official_business_account ?? null,
    messagingLimit: p.whatsapp_business_manager_messaging_limit === undefined ? null : String(p.whatsapp_business_manager_messaging_limit),
    webhookConfiguration: p.webhook_configuration
      ? {
          application: p.webhook_configuration.application ?? null,
          wabaOverride: p.webhook_configuration.whatsapp_business_account ?? null,
          phoneOverride: p.webhook_configuration.phone_number ?? null,
        }
      : null,
  }));
/** A phone number of a WABA. */
export type PhoneNumberInfo = z.output<typeof phoneSchema>;

/** One page of GET /{waba-id}/phone_numbers. */
export const phonePageSchema = z.object({
  data: z.array(phoneSchema),
  paging: z.object({ cursors: z.object({ after: z.string().optional() }).optional(), next: z.string().optional() }).optional(),
});

/** Fields the client asks for on a business. */
export const BUSINESS_FIELDS = 'id,name,timezone_id,verification_status';
/** GET /{business-id}. */
export const businessSchema = z
  .object({ id: graphId, name: optText, timezone_id: optId, verification_status: optText })
  .transform((b) => ({ id: b.id, name: b.name, timezoneId: b.timezone_id, verificationStatus: b.verification_status }));
/** A business portfolio. */
export type BusinessInfo = z.output<typeof businessSchema>;

/** GET /{waba-id}/subscribed_apps. */
export const subscribedAppsSchema = z
  .object({
    data: z.array(
      z.object({
        whatsapp_business_api_data: z.object({ id: graphId, name: optText }).optional(),
        override_callback_uri: z.string().optional(),
      }),
    ),
  })
  .transform((r) =>
    r.data.map((s) => ({ appId: s.whatsapp_business_api_data?.id ?? null, appName: s.whatsapp_business_api_data?.name ?? null, overrideCallbackUri: s.override_callback_uri ?? null })),
  );
/** An app subscribed to a WABA's webhooks. */
export type SubscribedApp = z.output<typeof subscribedAppsSchema>[number];

/** `{"success": true}` answers (subscribe, register...). A `false` is treated as a failure. */
export const successSchema = z.object({ success: z.literal(true) });

/** Meta's error envelope (all but code and message optional). */
export const errorEnvelopeSchema = z.object({
  error: z.object({
    message: z.string().default(''),
    type: z.string().optional(),
    code: z.coerce.number(),
    error_subcode: z.coerce.number().optional(),
    error_user_title: z.string().optional(),
    error_user_msg: z.string().optional(),
    is_transient: z.boolean().optional(),
    fbtrace_id: z.string().optional(),
  }),
});
