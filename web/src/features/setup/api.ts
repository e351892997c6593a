import { api } from '../../lib/api.js';
import type { User } from '../../lib/session.js';

export interface SetupStatus {
  valid: boolean;
  email: string | null;
  displayName: string | null;
}

export function getSetupStatus(token: string, signal?: AbortSignal) {
  return api.get<SetupStatus>('/setup/status', { query: { token }, signal });
}

export function completeSetup(body: { token: string; email: string; displayName: string; password: string }) {
  return api.post<{ user: User }>('/setup', body);
}
