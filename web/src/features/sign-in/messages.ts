import { ApiError, errorMessage } from '../../lib/api.js';

export const INVALID_CREDENTIALS = 'Email or password is incorrect, or the account cannot sign in right now.';

export function signInErrorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return INVALID_CREDENTIALS;
    if (error.status === 429) {
      const wait = error.retryAfterSeconds;
      const when =
        wait && wait > 0 ? (wait < 90 ? `in ${wait} seconds` : `in about ${Math.ceil(wait / 60)} minutes`) : 'in a few minutes';
      return `Too many sign-in attempts. Please try again ${when}.`;
    }
  }
  return errorMessage(error, 'Signing in failed. Please try again.');
}
