/**
 * The one fetch wrapper for the console's JSON API (`/api/v1`, see docs/API-v1-foundation.md).
 *
 * - JSON in and out, cookies same-origin only.
 * - Every state-changing request carries `X-CSRF-Protection: 1`.
 * - Error answers (`application/problem+json`) become an `ApiError`.
 * - A 401 from any call except the public entry points (sign-in, setup, invitation, password reset)
 *   and `GET /me` (which is how the app learns it is signed out) calls the registered unauthorized
 *   handler, which drops the session so the app falls back to the sign-in screen at once. A wrong
 *   current password (`invalid_credentials`) is an answer about the input, not about the session.
 */

export const API_BASE = '/api/v1';

export interface ApiFieldError {
  path: string;
  message: string;
}

interface ProblemBody {
  title?: unknown;
  status?: unknown;
  code?: unknown;
  detail?: unknown;
  requestId?: unknown;
  errors?: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string | null;
  readonly errors: ApiFieldError[];
  readonly requestId: string | null;
  /** Seconds from a `Retry-After` header, when the server sent one (429, 503). */
  readonly retryAfterSeconds: number | null;

  constructor(init: {
    status: number;
    code: string;
    title: string;
    detail?: string | null;
    errors?: ApiFieldError[];
    requestId?: string | null;
    retryAfterSeconds?: number | null;
  }) {
    super(init.detail ?? init.title);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.title = init.title;
    this.detail = init.detail ?? null;
    this.errors = init.errors ?? [];
    this.requestId = init.requestId ?? null;
    this.retryAfterSeconds = init.retryAfterSeconds ?? null;
  }
}

export function isApiError(error: unknown, status?: number): error is ApiError {
  return error instanceof ApiError && (status === undefined || error.status === status);
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'validation_failed',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  410: 'setup_token_invalid',
  413: 'payload_too_large',
  429: 'rate_limited',
  500: 'internal',
  503: 'unavailable',
};

type UnauthorizedHandler = () => void;
let unauthorizedHandler: UnauthorizedHandler | null = null;

/** Registered once by the app: what to do when the session turns out to be gone. */
export function setUnauthorizedHandler(handler: UnauthorizedHandler | null): void {
  unauthorizedHandler = handler;
}

/** Calls whose 401 means "wrong input" or "not signed in yet", never "your session ended". */
const NO_SESSION_FALLBACK = new Set([
  'POST /auth/sign-in',
  'GET /setup/status',
  'POST /setup',
  'GET /invitations/status',
  'POST /invitations/accept',
  'POST /auth/password-reset/request',
  'GET /auth/password-reset/status',
  'POST /auth/password-reset/complete',
  'GET /me',
  // a wrong or locked-out code answers 401 on the sign-in page, which has no session to drop yet
  'POST /auth/second-factor',
]);

/**
 * Step-up: a sensitive action answers 403 `step_up_required` when the session has not proved itself
 * (password or code) in the last 10 minutes. The registered handler asks for that proof (an inline
 * modal) and resolves true once given; the request is then sent once more.
 */
type StepUpHandler = () => Promise<boolean>;
let stepUpHandler: StepUpHandler | null = null;

/** Registered once by the app (the step-up modal). */
export function setStepUpHandler(handler: StepUpHandler | null): void {
  stepUpHandler = handler;
}

/** Opens the step-up prompt; true once a proof was accepted, false when cancelled (or no prompt is mounted). */
export function requestStepUp(): Promise<boolean> {
  return stepUpHandler ? stepUpHandler() : Promise.resolve(false);
}

/** One page of a keyset-paginated list: pass `nextCursor` back as `cursor` for the next page. */
export interface CursorPage<T> {
  items: T[];
  nextCursor: string | null;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
  /** Path prefix; default `/api/v1`. `''` reaches the server's own paths (e.g. `/sandbox/...`). */
  base?: string;
}

function buildUrl(path: string, query?: Query, base = API_BASE): string {
  let url = base + path;
  if (query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
    }
    const qs = params.toString();
    if (qs) url += `?${qs}`;
  }
  return url;
}

function parseRetryAfter(value: string | null): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return null;
  return Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

function toFieldErrors(value: unknown): ApiFieldError[] {
  if (!Array.isArray(value)) return [];
  const out: ApiFieldError[] = [];
  for (const item of value) {
    if (item && typeof item === 'object') {
      const { path, message } = item as { path?: unknown; message?: unknown };
      out.push({
        path: typeof path === 'string' ? path : Array.isArray(path) ? path.join('.') : '',
        message: typeof message === 'string' ? message : 'Invalid value',
      });
    }
  }
  return out;
}

async function errorFromResponse(response: Response): Promise<ApiError> {
  let body: ProblemBody = {};
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    try {
      const parsed: unknown = await response.json();
      if (parsed && typeof parsed === 'object') body = parsed as ProblemBody;
    } catch {
      // fall through with an empty body
    }
  }
  const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
  return new ApiError({
    status: response.status,
    code: str(body.code) ?? CODE_BY_STATUS[response.status] ?? 'http_error',
    title: str(body.title) ?? (response.statusText || `HTTP ${response.status}`),
    detail: str(body.detail),
    errors: toFieldErrors(body.errors),
    requestId: str(body.requestId) ?? response.headers.get('x-request-id'),
    retryAfterSeconds: parseRetryAfter(response.headers.get('retry-after')),
  });
}

export async function apiRequest<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  try {
    return await sendRequest<T>(method, path, options);
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 'step_up_required' && stepUpHandler)) throw error;
    if (!(await stepUpHandler())) throw error;
    return sendRequest<T>(method, path, options);
  }
}

async function sendRequest<T>(method: string, path: string, options: RequestOptions): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const init: RequestInit = { method, headers, credentials: 'same-origin', signal: options.signal ?? null };
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Protection'] = '1';
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }

  let response: Response;
  try {
    response = await fetch(buildUrl(path, options.query, options.base), init);
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new ApiError({
      status: 0,
      code: 'network_error',
      title: 'Network error',
      detail: 'The server could not be reached. Check your connection and try again.',
    });
  }

  if (!response.ok) {
    const error = await errorFromResponse(response);
    const sessionEnded =
      error.status === 401 && error.code !== 'invalid_credentials' && !NO_SESSION_FALLBACK.has(`${method} ${path}`);
    if (sessionEnded) unauthorizedHandler?.();
    throw error;
  }
  if (response.status === 204 || response.status === 205) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  get: <T>(path: string, options?: Omit<RequestOptions, 'body'>) => apiRequest<T>('GET', path, options),
  post: <T>(path: string, body?: unknown, options?: RequestOptions) => apiRequest<T>('POST', path, { ...options, body }),
  patch: <T>(path: string, body?: unknown, options?: RequestOptions) => apiRequest<T>('PATCH', path, { ...options, body }),
  put: <T>(path: string, body?: unknown, options?: RequestOptions) => apiRequest<T>('PUT', path, { ...options, body }),
  delete: <T = void>(path: string, options?: RequestOptions) => apiRequest<T>('DELETE', path, options),
};

/** A sentence for the user; prefers the server's `detail`. */
export function errorMessage(error: unknown, fallback = 'Something went wrong. Please try again.'): string {
  if (error instanceof ApiError) {
    if (error.detail) return error.detail;
    if (error.status === 403) return 'You do not have permission to do this.';
    if (error.status === 429) return 'Too many requests. Wait a moment and try again.';
    if (error.status >= 500) return 'The server could not complete the request. Please try again.';
    return error.title || fallback;
  }
  return fallback;
}
