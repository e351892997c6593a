import { ApiError } from './api.js';

/**
 * True when an answer means the link's token is unusable (unknown, used, expired): 404 or 410, or a
 * 400 whose field error is about the token itself.
 */
export function isInvalidLinkError(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  if (error.status === 404 || error.status === 410) return true;
  return error.status === 400 && error.errors.some((item) => /(^|[./])token$/.test(item.path));
}
