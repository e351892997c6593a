/**
 * Injected faults: Graph errors the next matching calls answer with, whatever the route (the code
 * exchange included). Tests use them for error codes no scenario produces.
 */
import { rateLimitError, SimGraphError } from './graph-errors.js';

/** A fault injected for the next matching calls (any route, including the code exchange). */
export interface FaultInput {
  code: number;
  subcode?: number;
  message?: string;
  httpStatus?: number;
  headers?: Record<string, string>;
  isTransient?: boolean;
  /** how many calls it fails (default 1) */
  times?: number;
  method?: string;
  /** matched against the path after the version, e.g. '/oauth/access_token' */
  path?: string | RegExp;
}

/** A pending fault and how many more calls it fails. */
export interface Fault extends FaultInput {
  left: number;
}

const RATE_LIMITS = new Set([4, 17, 32, 613, 80007, 130429]);

/** Finds the first fault matching the call, uses it once, and returns it with the faults left. */
export function takeMatchingFault(faults: Fault[], method: string, path: string, regainMinutes: number): { fault: SimGraphError | null; rest: Fault[] } {
  const f = faults.find(
    (x) =>
      x.left > 0 &&
      (x.method === undefined || x.method.toUpperCase() === method) &&
      (x.path === undefined || (typeof x.path === 'string' ? path.includes(x.path) : x.path.test(path))),
  );
  if (!f) return { fault: null, rest: faults };
  f.left--;
  const rest = faults.filter((x) => x.left > 0);
  // A bare rate-limit fault gets Meta's message and usage headers.
  if (RATE_LIMITS.has(f.code) && f.message === undefined && f.headers === undefined) {
    return { fault: rateLimitError(f.code as 4 | 17 | 32 | 613 | 80007 | 130429, null, regainMinutes), rest };
  }
  const fault = new SimGraphError({
    code: f.code,
    subcode: f.subcode,
    message: f.message ?? `(#${f.code}) Injected fault`,
    httpStatus: f.httpStatus,
    headers: f.headers,
    isTransient: f.isTransient,
  });
  return { fault, rest };
}
