/**
 * The one Graph API client. Same code in sandbox and production: only `baseUrl` differs
 * (https://graph.facebook.com, or the built-in simulator). Business tokens travel in the
 * Authorization header; the app token (APP_ID|APP_SECRET) authorises debug_token the same way.
 * Every method throws GraphError, whose text never contains a token, code, PIN or the app secret.
 */
import { z } from 'zod';
import { GraphError } from './graph-error.js';
import {
  BUSINESS_FIELDS,
  businessSchema,
  debugTokenSchema,
  exchangeSchema,
  PHONE_FIELDS,
  phonePageSchema,
  phoneSchema,
  subscribedAppsSchema,
  successSchema,
  WABA_FIELDS,
  wabaSchema,
  type BusinessInfo,
  type ExchangedToken,
  type PhoneNumberInfo,
  type SubscribedApp,
  type TokenInfo,
  type WabaInfo,
} from './graph-schemas.js';
import type { BreakerOptions, CircuitStateName } from './graph-breaker.js';
import { createTransport, type GraphLogger, type RetryOptions } from './graph-transport.js';

/** Settings of createGraphClient (from config.meta, plus the simulator URL in sandbox mode). */
export interface GraphClientOptions {
  /** https://graph.facebook.com, or e.g. http://127.0.0.1:3000/sandbox/meta/graph */
  baseUrl: string;
  /** e.g. v25.0 */
  version: string;
  appId: string;
  appSecret: string;
  /** per attempt */
  timeoutMs: number;
  /** sent in the code exchange only when set (Meta's popup flow needs none) */
  redirectUri?: string;
  logger: GraphLogger;
  fetch?: typeof fetch;
  retry?: RetryOptions;
  /** circuit breaking (default: 5 consecutive outage failures open it for 30 s); false turns it off */
  breaker?: BreakerOptions | false;
}

/** A per-WABA webhook callback override (both fields required by Meta). */
export interface CallbackOverride {
  callbackUri: string;
  /** a secret: Meta echoes it in the verification handshake */
  verifyToken: string;
}

/** The Graph API operations the CRM uses. */
export interface GraphClient {
  /** Exchanges an Embedded Signup code for a business token. Never retried: codes are single-use. */
  exchangeCode(code: string): Promise<ExchangedToken>;
  /**
   * Inspects a token with the app token. An invalid, expired or revoked business token resolves
   * with isValid false (and `error`); a thrown 190 here means Meta refused our app token
   * (APP_ID|APP_SECRET), a configuration problem rather than the customer's.
   */
  debugToken(token: string): Promise<TokenInfo>;
  /** Reads a WABA's details. */
  getWaba(token: string, wabaId: string): Promise<WabaInfo>;
  /** Reads every phone number of a WABA (follows paging). */
  listPhoneNumbers(token: string, wabaId: string): Promise<PhoneNumberInfo[]>;
  /** Reads one phone number. */
  getPhoneNumber(token: string, phoneNumberId: string): Promise<PhoneNumberInfo>;
  /** Reads a business portfolio (business tokens may not be allowed to: expect a permission error). */
  getBusiness(token: string, businessId: string): Promise<BusinessInfo>;
  /** Lists the apps subscribed to a WABA's webhooks. */
  listSubscribedApps(token: string, wabaId: string): Promise<SubscribedApp[]>;
  /** Subscribes our app to a WABA's webhooks, optionally with a callback override. */
  subscribeApp(token: string, wabaId: string, override?: CallbackOverride): Promise<void>;
  /** Stops a WABA's webhooks to our app. */
  unsubscribeApp(token: string, wabaId: string): Promise<void>;
  /** Registers a number on Cloud API with its two-step verification PIN (6 digits). */
  registerNumber(token: string, phoneNumberId: string, pin: string, opts?: { dataLocalizationRegion?: string }): Promise<void>;
  /** Deregisters a number from Cloud API. */
  deregisterNumber(token: string, phoneNumberId: string): Promise<void>;
  /** The circuit breaker's state ('closed' when breaking is turned off). */
  breakerState(): CircuitStateName;
}

const GRAPH_ID = /^\d{1,20}$/;
const VERSION = /^v\d+\.0$/;
const MAX_PHONE_PAGES = 20;

/** Creates the client. Throws at once on a malformed base URL or version (configuration errors). */
export function createGraphClient(o: GraphClientOptions): GraphClient {
  const base = new URL(o.baseUrl);
  if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new Error('Graph base URL must be http(s)');
  if (!VERSION.test(o.version)) throw new Error('Graph version must look like v25.0');
  const appToken = `${o.appId}|${o.appSecret}`;
  const request = createTransport({ ...o, baseUrl: base.href, secrets: [o.appSecret, appToken] });

  // Methods are async so that argument errors reject like every other failure.
  /** Refuses, before any request, an argument that would build a wrong (or injected) path. */
  function check(operation: string, args: Record<string, string>): void {
    for (const [name, value] of Object.entries(args)) {
      const ok = name.endsWith('Id') ? GRAPH_ID.test(value) : value.length > 0 && !/\s/.test(value);
      if (!ok) {
        const message = name.endsWith('Id') ? `${name} must be a numeric Graph id` : `${name} is missing or malformed`;
        throw new GraphError({ kind: 'invalid_argument', operation, message, httpStatus: null, code: null, subcode: null, type: null, userTitle: null, userMessage: null, fbtraceId: null });
      }
    }
  }

  const get = <T>(operation: string, token: string, path: string, schema: z.ZodType<T>, query?: Record<string, string | undefined>) =>
    request({ operation, method: 'GET', path, bearer: token, query, schema, retry: true });
  const act = (operation: string, method: 'POST' | 'DELETE', token: string, path: string, body?: Record<string, unknown>, secrets: string[] = []) =>
    request({ operation, method, path, bearer: token, body, secrets, schema: successSchema, retry: true }).then(() => undefined);

  return {
    breakerState: () => request.breaker?.state ?? 'closed',
    async exchangeCode(code) {
      check('exchangeCode', { code });
      return request({
        operation: 'exchangeCode',
        method: 'GET',
        path: '/oauth/access_token',
        query: { client_id: o.appId, client_secret: o.appSecret, code, redirect_uri: o.redirectUri },
        secrets: [code],
        schema: exchangeSchema,
        retry: false,
      });
    },

    async debugToken(token) {
      check('debugToken', { token });
      return request({
        operation: 'debugToken',
        method: 'GET',
        path: '/debug_token',
        query: { input_token: token },
        bearer: appToken,
        secrets: [token],
        schema: debugTokenSchema,
        retry: true,
      });
    },

    async getWaba(token, wabaId) {
      check('getWaba', { token, wabaId });
      return get('getWaba', token, `/${wabaId}`, wabaSchema, { fields: WABA_FIELDS });
    },

    async listPhoneNumbers(token, wabaId) {
      check('listPhoneNumbers', { token, wabaId });
      const out: PhoneNumberInfo[] = [];
      let after: string | undefined;
      for (let page = 0; page < MAX_PHONE_PAGES; page++) {
        const res = await get('listPhoneNumbers', token, `/${wabaId}/phone_numbers`, phonePageSchema, { fields: PHONE_FIELDS, limit: '100', after });
        out.push(...res.data);
        after = res.paging?.cursors?.after;
        if (!res.paging?.next || !after || res.data.length === 0) break;
      }
      return out;
    },

    async getPhoneNumber(token, phoneNumberId) {
      check('getPhoneNumber', { token, phoneNumberId });
      return get('getPhoneNumber', token, `/${phoneNumberId}`, phoneSchema, { fields: PHONE_FIELDS });
    },

    async getBusiness(token, businessId) {
      check('getBusiness', { token, businessId });
      return get('getBusiness', token, `/${businessId}`, businessSchema, { fields: BUSINESS_FIELDS });
    },

    async listSubscribedApps(token, wabaId) {
      check('listSubscribedApps', { token, wabaId });
      return get('listSubscribedApps', token, `/${wabaId}/subscribed_apps`, subscribedAppsSchema);
    },

    async subscribeApp(token, wabaId, override) {
      check('subscribeApp', { token, wabaId });
      const body = override ? { override_callback_uri: override.callbackUri, verify_token: override.verifyToken } : undefined;
      return act('subscribeApp', 'POST', token, `/${wabaId}/subscribed_apps`, body, override ? [override.verifyToken] : []);
    },

    async unsubscribeApp(token, wabaId) {
      check('unsubscribeApp', { token, wabaId });
      return act('unsubscribeApp', 'DELETE', token, `/${wabaId}/subscribed_apps`);
    },

    async registerNumber(token, phoneNumberId, pin, opts) {
      check('registerNumber', { token, phoneNumberId, pin });
      const body = { messaging_product: 'whatsapp', pin, ...(opts?.dataLocalizationRegion && { data_localization_region: opts.dataLocalizationRegion }) };
      return act('registerNumber', 'POST', token, `/${phoneNumberId}/register`, body, [pin]);
    },

    async deregisterNumber(token, phoneNumberId) {
      check('deregisterNumber', { token, phoneNumberId });
      return act('deregisterNumber', 'POST', token, `/${phoneNumberId}/deregister`);
    },
  };
}
