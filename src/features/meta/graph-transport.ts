/**
 * One Graph API call over real HTTP: URL building, the Bearer header, a timeout per attempt,
 * parsing (ids kept exact), Meta's error envelope -> GraphError, and retries with exponential
 * backoff and full jitter for retryable errors. Nothing here ever logs or throws a URL, a header,
 * a body, or a raw fetch error, because those carry tokens, codes and the app secret. Calls (with
 * their retries) go through a circuit breaker that fails fast while Meta is unavailable.
 */
import type { z } from 'zod';
import type { Logger } from '../../logger.js';
import { createGraphBreaker, type BreakerOptions, type GraphBreaker } from './graph-breaker.js';
import { GraphError, scrub, type GraphErrorFields } from './graph-error.js';
import { graphCalls } from '../metrics/metrics.js';
import { parseGraphJson } from './graph-json.js';
import { errorEnvelopeSchema } from './graph-schemas.js';

/** The logger methods the client uses (a pino Logger fits). */
export type GraphLogger = Pick<Logger, 'debug' | 'warn'>;

/** Retry policy; tests set the delays to 0. */
export interface RetryOptions {
  /** attempts in all, first one included (default 3) */
  maxAttempts?: number;
  /** first backoff ceiling; doubles each attempt (default 250 ms) */
  baseDelayMs?: number;
  /** backoff cap; a rate limit asking for longer is not waited out inline (default 4000 ms) */
  maxDelayMs?: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Transport settings (see GraphClientOptions). */
export interface TransportOptions {
  baseUrl: string;
  version: string;
  timeoutMs: number;
  logger: GraphLogger;
  fetch?: typeof fetch;
  retry?: RetryOptions;
  /** circuit breaking (graph-breaker.ts); false turns it off */
  breaker?: BreakerOptions | false;
  /** scrubbed from every surfaced text on every call (the app secret, the app token) */
  secrets: readonly string[];
}

/** One call. `path` holds only ids; secrets go in `bearer`, `query` or `body` and are listed in `secrets`. */
export interface GraphCall<T> {
  operation: string;
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  query?: Record<string, string | undefined>;
  bearer?: string;
  body?: Record<string, unknown>;
  secrets?: readonly string[];
  /** false for the code exchange: its code is single-use */
  retry: boolean;
  schema: z.ZodType<T>;
}

const sleepReal = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The largest estimated_time_to_regain_access (minutes) in X-Business-Use-Case-Usage, in ms. */
function regainAccessMs(header: string | null): number | null {
  if (!header) return null;
  try {
    const usage = JSON.parse(header) as Record<string, { estimated_time_to_regain_access?: unknown }[]>;
    const minutes = Object.values(usage).flatMap((list) => (Array.isArray(list) ? list : []).map((u) => Number(u.estimated_time_to_regain_access ?? 0)));
    const max = Math.max(0, ...minutes.filter(Number.isFinite));
    return max * 60_000;
  } catch {
    return null;
  }
}

/** Every text field that came from upstream is scrubbed: an upstream may echo what it was sent. */
const scrubOrNull = (v: string | null, secrets: readonly string[]) => (v === null ? null : scrub(v, secrets));

/** Builds the call function shared by every client method. */
export function createTransport(o: TransportOptions): (<T>(call: GraphCall<T>) => Promise<T>) & { breaker: GraphBreaker | null } {
  const base = o.baseUrl.replace(/\/+$/, '');
  const doFetch = o.fetch ?? fetch;
  const maxAttempts = Math.max(1, o.retry?.maxAttempts ?? 3);
  const baseDelay = o.retry?.baseDelayMs ?? 250;
  const maxDelay = o.retry?.maxDelayMs ?? 4_000;
  const random = o.retry?.random ?? Math.random;
  const sleep = o.retry?.sleep ?? sleepReal;
  const breaker = o.breaker === false ? null : createGraphBreaker(o.breaker ?? {}, o.logger);

  async function once<T>(call: GraphCall<T>, secrets: readonly string[]): Promise<T> {
    const fail = (f: Omit<GraphErrorFields, 'operation' | 'forceNotRetryable'>) =>
      new GraphError({ ...f, operation: call.operation, message: scrub(f.message, secrets), forceNotRetryable: !call.retry });
    const none = { httpStatus: null, code: null, subcode: null, type: null, userTitle: null, userMessage: null, fbtraceId: null };
    const url = new URL(`${base}/${o.version}${call.path}`);
    for (const [k, v] of Object.entries(call.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (call.bearer !== undefined) headers.authorization = `Bearer ${call.bearer}`;
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    let status: number;
    let text: string;
    let res: Response;
    try {
      res = await doFetch(url, {
        method: call.method,
        headers,
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        signal: AbortSignal.timeout(o.timeoutMs),
        redirect: 'error',
      });
      status = res.status;
      text = await res.text();
    } catch (e) {
      // The raw error may quote the URL (with its query): only its name and errno code are kept.
      const name = (e as { name?: unknown }).name;
      if (name === 'TimeoutError' || name === 'AbortError') throw fail({ ...none, kind: 'timeout', message: `Graph API did not answer within ${o.timeoutMs} ms` });
      const errno = (e as { cause?: { code?: unknown } }).cause?.code;
      const detail = typeof errno === 'string' && /^[A-Z0-9_]+$/.test(errno) ? ` (${errno})` : '';
      throw fail({ ...none, kind: 'network', message: `Graph API unreachable${detail}` });
    }
    let json: unknown;
    try {
      json = text === '' ? undefined : parseGraphJson(text);
    } catch {
      json = undefined;
    }
    const envelope = errorEnvelopeSchema.safeParse(json);
    if (envelope.success) {
      const e = envelope.data.error;
      throw fail({
        kind: 'graph',
        message: e.message || `Graph error ${e.code}`,
        httpStatus: status,
        code: e.code,
        subcode: e.error_subcode ?? null,
        type: scrubOrNull(e.type ?? null, secrets),
        userTitle: scrubOrNull(e.error_user_title ?? null, secrets),
        userMessage: scrubOrNull(e.error_user_msg ?? null, secrets),
        fbtraceId: scrubOrNull(e.fbtrace_id ?? res.headers.get('x-fb-trace-id'), secrets),
        isTransient: e.is_transient,
        retryAfterMs: regainAccessMs(res.headers.get('x-business-use-case-usage')),
      });
    }
    if (status < 200 || status >= 300) throw fail({ ...none, kind: 'http', httpStatus: status, message: `Graph API answered HTTP ${status}` });
    const parsed = call.schema.safeParse(json);
    if (!parsed.success) {
      // Issue paths only: zod messages could quote received values.
      const where = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(root)'))].slice(0, 5).join(', ');
      throw fail({ ...none, kind: 'invalid_response', httpStatus: status, message: `Unexpected Graph API response shape at ${where}` });
    }
    return parsed.data;
  }

  /** Runs a call, retrying retryable failures (never when call.retry is false). */
  async function withRetries<T>(call: GraphCall<T>): Promise<T> {
    const secrets = [...o.secrets, ...(call.secrets ?? []), ...(call.bearer ? [call.bearer] : [])];
    const log = { operation: call.operation, method: call.method, path: call.path };
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      try {
        const out = await once(call, secrets);
        graphCalls.observe({ operation: call.operation, result: 'ok' }, (performance.now() - started) / 1000);
        o.logger.debug({ graph: { ...log, attempt, ms: Math.round(performance.now() - started) } }, 'graph call');
        return out;
      } catch (e) {
        if (!(e instanceof GraphError)) throw e;
        graphCalls.observe({ operation: call.operation, result: e.kind }, (performance.now() - started) / 1000);
        const backoff = random() * Math.min(maxDelay, baseDelay * 2 ** (attempt - 1));
        const wait = Math.max(backoff, e.retryAfterMs ?? 0);
        const again = e.retryable && attempt < maxAttempts && wait <= maxDelay;
        // Log keys avoid `code`: the process logger redacts *.code (authorization codes).
        o.logger.warn(
          {
            graph: { ...log, attempt, ms: Math.round(performance.now() - started), kind: e.kind, httpStatus: e.httpStatus, metaCode: e.code, metaSubcode: e.subcode, fbtraceId: e.fbtraceId, retryable: e.retryable, retryInMs: again ? Math.round(wait) : null },
          },
          'graph call failed',
        );
        if (!again) throw e;
        await sleep(wait);
      }
    }
  }

  const request = <T>(call: GraphCall<T>): Promise<T> => (breaker ? breaker.run(call.operation, () => withRetries(call)) : withRetries(call));
  return Object.assign(request, { breaker });
}
