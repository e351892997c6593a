/**
 * One error type with a closed list of codes. Every API error leaves the server as RFC 9457
 * problem details carrying `code` (and `errors[]` naming fields for validation failures).
 */
export const ERROR_STATUS = {
  validation_failed: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  /** the session still owes a second factor (password accepted, TOTP or recovery code not yet) */
  second_factor_required: 401,
  /** 2FA is required for the role and its grace period is over: only enrolment is possible */
  enrolment_required: 401,
  forbidden: 403,
  /** a sensitive action needs a fresh password or code (src/features/access/two-factor/step-up.ts) */
  step_up_required: 403,
  csrf_failed: 403,
  /** the password was right, but the organisation signs non-owners in through single sign-on only */
  sso_required: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  setup_token_invalid: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  upstream_failed: 502,
  unavailable: 503,
  /** the database's volume is full: reads work, writes fail until space is freed (docs/OPERATIONS.md) */
  storage_full: 503,
  /** the database's volume became read-only: writes fail until it is writable again */
  storage_read_only: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface FieldError {
  path: string;
  message: string;
}

export class AppError extends Error {
  override name = 'AppError';
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.status = ERROR_STATUS[code];
  }
}

/** A 400 naming one field. */
export function fieldError(path: string, message: string): AppError {
  return new AppError('validation_failed', `${path}: ${message}`, [{ path, message }]);
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  requestId: string;
  errors?: FieldError[];
}

const TITLES: Record<ErrorCode, string> = {
  validation_failed: 'Invalid request',
  unauthenticated: 'Sign-in required',
  invalid_credentials: 'Sign-in failed',
  second_factor_required: 'Second factor required',
  enrolment_required: 'Two-factor enrolment required',
  forbidden: 'Not allowed',
  step_up_required: 'Confirm it is you',
  csrf_failed: 'Cross-site request refused',
  sso_required: 'Sign in with single sign-on',
  not_found: 'Not found',
  method_not_allowed: 'Method not allowed',
  conflict: 'Conflict',
  setup_token_invalid: 'Link invalid or expired',
  payload_too_large: 'Request too large',
  unsupported_media_type: 'Unsupported content type',
  rate_limited: 'Too many requests',
  internal: 'Internal error',
  upstream_failed: 'Meta refused the request',
  unavailable: 'Service unavailable',
  storage_full: 'Database storage full',
  storage_read_only: 'Database storage read-only',
};

/** Builds the problem document for an error code. */
export function toProblem(code: ErrorCode, detail: string, requestId: string, errors?: FieldError[]): Problem {
  const p: Problem = { type: 'about:blank', title: TITLES[code], status: ERROR_STATUS[code], code, detail, requestId };
  if (errors && errors.length > 0) p.errors = errors;
  return p;
}
