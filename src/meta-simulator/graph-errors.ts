/**
 * Meta's Graph error envelope and the canned errors the simulator answers with. HTTP statuses follow
 * the WhatsApp error-code table (reference section 6); clients must key on `code`, not the status.
 */
import { randomBytes } from 'node:crypto';

/** The body Meta sends on failure. */
export interface MetaErrorBody {
  error: {
    message: string;
    type: string;
    code: number;
    error_subcode?: number;
    error_data?: Record<string, unknown>;
    error_user_title?: string;
    error_user_msg?: string;
    is_transient?: boolean;
    fbtrace_id: string;
  };
}

/** What a canned error is made of; httpStatus defaults from the code. */
export interface MetaErrorSpec {
  code: number;
  subcode?: number;
  message: string;
  type?: string;
  userTitle?: string;
  userMessage?: string;
  errorData?: Record<string, unknown>;
  isTransient?: boolean;
  httpStatus?: number;
  headers?: Record<string, string>;
}

/** Thrown inside simulator routes; the plugin's error handler renders it as Meta's envelope. */
export class SimGraphError extends Error {
  override name = 'SimGraphError';
  readonly httpStatus: number;
  readonly headers: Record<string, string>;
  constructor(readonly spec: MetaErrorSpec) {
    super(spec.message);
    this.httpStatus = spec.httpStatus ?? httpStatusFor(spec.code);
    this.headers = spec.headers ?? {};
  }

  /** The envelope, with a fresh fbtrace_id as Meta gives every response. */
  toBody(): MetaErrorBody {
    const s = this.spec;
    return {
      error: {
        message: s.message,
        type: s.type ?? 'OAuthException',
        code: s.code,
        ...(s.subcode !== undefined && { error_subcode: s.subcode }),
        ...(s.errorData && { error_data: s.errorData }),
        ...(s.userTitle && { error_user_title: s.userTitle }),
        ...(s.userMessage && { error_user_msg: s.userMessage }),
        ...(s.isTransient !== undefined && { is_transient: s.isTransient }),
        fbtrace_id: newTraceId(),
      },
    };
  }
}

/** A Meta-looking trace id (opaque, 23 characters). */
export function newTraceId(): string {
  return `A${randomBytes(17).toString('base64url').slice(0, 22)}`;
}

/** HTTP status per the WhatsApp error table; anything unlisted is a 400 as in Graph generally. */
export function httpStatusFor(code: number): number {
  if (code === 0 || code === 190) return 401;
  if (code === 2 || code === 133004) return 503;
  if (code === 3 || code === 131000 || code === 131016 || code === 131057 || code === 133000) return 500;
  if (code === 10 || (code >= 200 && code <= 299) || code === 368 || code === 131005 || code === 131031) return 403;
  return 400;
}

const err = (spec: MetaErrorSpec) => new SimGraphError(spec);
const waData = (details: string) => ({ messaging_product: 'whatsapp', details });

/** The simulator's catalogue of Meta errors (messages as seen in Meta's pages and open-source clients). */
export const graphErrors = {
  codeExpired: () => err({ code: 100, subcode: 36007, message: 'This authorization code has expired.' }),
  codeUsed: () => err({ code: 100, subcode: 36009, message: 'This authorization code has been used.' }),
  redirectMismatch: () =>
    err({
      code: 100,
      subcode: 36008,
      message: 'Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request',
    }),
  invalidCode: () => err({ code: 100, message: 'Invalid verification code format.' }),
  missingParam: (name: string) => err({ code: 100, message: `(#100) The parameter ${name} is required` }),
  invalidParam: (detail: string, user?: { title: string; message: string }) =>
    err({ code: 100, message: `(#100) ${detail}`, userTitle: user?.title, userMessage: user?.message }),
  badClientId: (code: number) => err({ code, message: 'Error validating application. Invalid application ID.' }),
  badSecret: (code: number) => err({ code, message: 'Error validating client secret.' }),
  noToken: () => err({ code: 104, message: 'An access token is required to request this resource.' }),
  debugTokenAuth: () =>
    err({ code: 100, message: '(#100) You must provide an app access token, or a user access token that is an owner or developer of the app' }),
  badAppToken: () => err({ code: 190, message: 'Invalid OAuth access token signature.' }),
  tokenUnparseable: () => err({ code: 190, message: 'Invalid OAuth access token - Cannot parse access token' }),
  tokenExpired: (expiredAt: Date, now: Date) =>
    err({
      code: 190,
      subcode: 463,
      message: `Error validating access token: Session has expired on ${expiredAt.toUTCString()}. The current time is ${now.toUTCString()}.`,
    }),
  tokenRevoked: (subcode: number) =>
    err({ code: 190, subcode, message: REVOKE_MESSAGES[subcode] ?? 'Error validating access token: The session is invalid.' }),
  unknownObject: (id: string, method: string) =>
    err({
      code: 100,
      subcode: 33,
      type: 'GraphMethodException',
      message: `Unsupported ${method} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
    }),
  permission: (what: string) =>
    err({ code: 200, message: `(#200) Permissions error: the access token does not grant access to ${what}` }),
  nonexistingField: (field: string, nodeType: string) =>
    err({ code: 100, message: `(#100) Tried accessing nonexisting field (${field}) on node type (${nodeType})` }),
  unknownPath: (method: string) => err({ code: 100, type: 'GraphMethodException', message: `Unsupported ${method} request.` }),
  unknownVersion: (segment: string) => err({ code: 2500, message: `Unknown path components: /${segment}` }),
  subscribeFailed: () =>
    err({
      code: 100,
      message: '(#100) Invalid parameter',
      userTitle: 'Could not subscribe the app',
      userMessage: 'The app could not be subscribed to this WhatsApp Business account.',
    }),
  pinMismatch: () =>
    err({ code: 133005, message: 'Two step verification PIN Mismatch', errorData: waData('Two step verification PIN incorrect.') }),
  notVerified: () =>
    err({ code: 133006, message: 'Phone number re-verification needed', errorData: waData('Phone number needs to be verified before registering.') }),
  registerLimit: () =>
    err({ code: 133016, message: 'Account register deregister rate limit exceeded', errorData: waData('Too many register/deregister requests; try again in 72 hours.') }),
  coexistenceRegister: () =>
    err({ code: 100, message: '(#100) This phone number is already registered through the WhatsApp Business app (coexistence).' }),
  serverError: () => err({ code: 2, message: 'Service temporarily unavailable', isTransient: true }),
  unknownError: () => err({ code: 1, message: 'An unknown error has occurred.', isTransient: true, httpStatus: 500 }),
} as const;

const REVOKE_MESSAGES: Record<number, string> = {
  458: 'Error validating access token: The user has not authorized application.',
  460: 'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.',
  467: 'Error validating access token: The session is invalid.',
};

/** The code 190 subcode each revocation reason produces. */
export const REVOKE_SUBCODES = { app_removed: 458, password_changed: 460, invalidated: 467 } as const;

/** A rate-limit error with the usage headers Meta sends alongside (values are percentages). */
export function rateLimitError(code: 4 | 17 | 32 | 613 | 80007 | 130429, wabaId: string | null, regainMinutes: number): SimGraphError {
  const appUsage = JSON.stringify({ call_count: 100, total_time: 41, total_cputime: 37 });
  const headers: Record<string, string> = { 'x-app-usage': appUsage };
  if (code !== 4 && wabaId) {
    headers['x-business-use-case-usage'] = JSON.stringify({
      [wabaId]: [
        // The use-case type string for WhatsApp management calls is unconfirmed.
        { type: 'whatsapp_business_management', call_count: 100, total_cputime: 20, total_time: 25, estimated_time_to_regain_access: regainMinutes },
      ],
    });
  }
  const message =
    code === 4
      ? '(#4) Application request limit reached'
      : code === 80007
        ? '(#80007) There have been too many calls to this WhatsApp Business account. Wait a bit and try again.'
        : `(#${code}) Rate limit hit`;
  return new SimGraphError({ code, message, headers, isTransient: true });
}
