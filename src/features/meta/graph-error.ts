/**
 * The one error the Graph client throws. It carries Meta's error fields (keyed on `code` and
 * `subcode`, never on message text or HTTP status, which Meta changes) and whether calling again can
 * succeed. Its text is scrubbed of every secret the call carried before it is built.
 */

/** Where the failure came from. */
export type GraphErrorKind =
  | 'graph' // Meta answered with its error envelope
  | 'http' // a non-2xx answer without the envelope (proxy page, outage)
  | 'timeout' // no answer within timeoutMs
  | 'network' // connection refused, reset, DNS...
  | 'invalid_response' // a 2xx answer that does not have the documented shape
  | 'invalid_argument' // refused before sending (e.g. an id that is not a Graph id)
  | 'circuit_open'; // not sent: recent calls kept failing for an outage reason (graph-breaker.ts)

/** What callers usually branch on. */
export type GraphErrorCategory =
  | 'token' // 190 (and 0, 102): the business token is expired, revoked or invalid -> re-onboard
  | 'permission' // 10, 200-299: the grant does not cover the asset
  | 'code_exchange' // 100 with 36007/36008/36009: restart Embedded Signup
  | 'rate_limit'
  | 'registration' // 1330xx: PIN, verification, register limit
  | 'transient' // outages, 5xx, timeouts, network
  | 'invalid_request'
  | 'unknown';

/** Meta's application-level rate limits (retry after the window; short backoff usually suffices). */
export const RATE_LIMIT_CODES: ReadonlySet<number> = new Set([4, 17, 32, 341, 613, 80007, 130429]);
/** Codes Meta documents as temporary. */
const TRANSIENT_CODES: ReadonlySet<number> = new Set([1, 2, 131016, 131057, 133004, 2494100]);
/** Codes that never succeed on a plain retry, even when Meta sends them with a 5xx. */
const PERMANENT_CODES: ReadonlySet<number> = new Set([0, 3, 10, 100, 101, 102, 104, 190, 368, 133000, 133005, 133006, 133010, 133016]);

/** Whether an error with these fields is worth retrying as-is. */
export function isRetryable(f: { kind: GraphErrorKind; httpStatus: number | null; code: number | null; isTransient?: boolean }): boolean {
  if (f.kind === 'timeout' || f.kind === 'network' || f.kind === 'circuit_open') return true;
  if (f.kind === 'invalid_response' || f.kind === 'invalid_argument') return false;
  if (f.code !== null) {
    if (PERMANENT_CODES.has(f.code) || (f.code >= 200 && f.code <= 299)) return false;
    if (RATE_LIMIT_CODES.has(f.code) || TRANSIENT_CODES.has(f.code) || f.isTransient === true) return true;
  }
  return f.httpStatus !== null && f.httpStatus >= 500;
}

/** The category of an error with these fields. */
export function categorise(f: { kind: GraphErrorKind; code: number | null; subcode: number | null; retryable: boolean }): GraphErrorCategory {
  const { code, subcode } = f;
  if (f.kind === 'invalid_argument') return 'invalid_request';
  if (code === 190 || code === 0 || code === 102) return 'token';
  if (code === 100 && (subcode === 36007 || subcode === 36008 || subcode === 36009)) return 'code_exchange';
  if (code === 10 || (code !== null && code >= 200 && code <= 299)) return 'permission';
  if (code !== null && RATE_LIMIT_CODES.has(code)) return 'rate_limit';
  if (code !== null && code >= 133000 && code <= 133099) return 'registration';
  if (f.retryable) return 'transient';
  if (code === 100 || code === 101 || code === 104) return 'invalid_request';
  return 'unknown';
}

/** The fields a GraphError is built from. */
export interface GraphErrorFields {
  kind: GraphErrorKind;
  /** the client method that failed, e.g. 'getWaba' */
  operation: string;
  /** Meta's `message` (scrubbed), or a description of the transport failure */
  message: string;
  httpStatus: number | null;
  code: number | null;
  subcode: number | null;
  type: string | null;
  userTitle: string | null;
  userMessage: string | null;
  fbtraceId: string | null;
  isTransient?: boolean;
  /** from X-Business-Use-Case-Usage estimated_time_to_regain_access */
  retryAfterMs?: number | null;
  /** true to override the classification (the code exchange is never retryable) */
  forceNotRetryable?: boolean;
}

/** A failed Graph API call. Safe to log and to show: it never holds a token or the app secret. */
export class GraphError extends Error {
  override name = 'GraphError';
  readonly kind: GraphErrorKind;
  readonly operation: string;
  readonly httpStatus: number | null;
  readonly code: number | null;
  readonly subcode: number | null;
  readonly type: string | null;
  readonly userTitle: string | null;
  readonly userMessage: string | null;
  readonly fbtraceId: string | null;
  readonly retryable: boolean;
  readonly retryAfterMs: number | null;
  readonly category: GraphErrorCategory;

  constructor(f: GraphErrorFields) {
    super(f.message);
    this.kind = f.kind;
    this.operation = f.operation;
    this.httpStatus = f.httpStatus;
    this.code = f.code;
    this.subcode = f.subcode;
    this.type = f.type;
    this.userTitle = f.userTitle;
    this.userMessage = f.userMessage;
    this.fbtraceId = f.fbtraceId;
    this.retryAfterMs = f.retryAfterMs ?? null;
    this.retryable = !f.forceNotRetryable && isRetryable(f);
    this.category = categorise({ ...f, retryable: this.retryable });
  }

  /** The fields, for logs and API problem details. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      operation: this.operation,
      message: this.message,
      httpStatus: this.httpStatus,
      code: this.code,
      subcode: this.subcode,
      type: this.type,
      userTitle: this.userTitle,
      userMessage: this.userMessage,
      fbtraceId: this.fbtraceId,
      retryable: this.retryable,
      retryAfterMs: this.retryAfterMs,
      category: this.category,
    };
  }
}

/** Replaces every occurrence of each secret (raw, URI-encoded, form-encoded) with [redacted]. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (s.length < 4) continue;
    const forms = new Set([s, encodeURIComponent(s), new URLSearchParams({ s }).toString().slice(2)]);
    for (const form of forms) out = out.split(form).join('[redacted]');
  }
  return out;
}
