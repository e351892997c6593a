import { api } from '../../lib/api.js';
import type { User } from '../../lib/session.js';

/** `stage` is present when the sign-in is not complete: a code is owed, or 2FA must be set up first. */
export function signIn(body: { email: string; password: string }) {
  return api.post<{ user: User; stage?: 'second_factor' | 'enrol' }>('/auth/sign-in', body);
}

/** The second step for users with 2FA: a code from the app or a recovery code. */
export function submitSecondFactor(code: string) {
  return api.post<{ user: User }>('/auth/second-factor', { code });
}
