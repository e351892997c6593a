import { api } from '../../lib/api.js';
import type { User } from '../../lib/session.js';

export interface InvitationStatus {
  valid: boolean;
  email: string | null;
  displayName: string | null;
}

export function getInvitationStatus(token: string, signal?: AbortSignal) {
  return api.get<InvitationStatus>('/invitations/status', { query: { token }, signal });
}

export function acceptInvitation(body: { token: string; displayName: string; password: string }) {
  return api.post<{ user: User }>('/invitations/accept', body);
}
