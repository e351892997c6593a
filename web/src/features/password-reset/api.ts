import { api } from '../../lib/api.js';

export function requestPasswordReset(body: { email: string }) {
  return api.post<{ ok: true }>('/auth/password-reset/request', body);
}

export function getPasswordResetStatus(token: string, signal?: AbortSignal) {
  return api.get<{ valid: boolean }>('/auth/password-reset/status', { query: { token }, signal });
}

export function completePasswordReset(body: { token: string; newPassword: string }) {
  return api.post<void>('/auth/password-reset/complete', body);
}
