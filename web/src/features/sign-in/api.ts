import { api } from '../../lib/api.js';
import type { User } from '../../lib/session.js';

export function signIn(body: { email: string; password: string }) {
  return api.post<{ user: User }>('/auth/sign-in', body);
}
