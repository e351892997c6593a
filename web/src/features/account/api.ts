import type { LoginActivityRow } from '../../components/LoginActivityTable.js';
import type { SessionRow } from '../../components/SessionsTable.js';
import { api, type CursorPage } from '../../lib/api.js';
import type { User } from '../../lib/session.js';

export interface SessionItem extends SessionRow {
  current: boolean;
  expiresAt: string;
}

export type LoginActivityItem = LoginActivityRow;

export const accountKeys = {
  sessions: ['account', 'sessions'] as const,
  activity: ['account', 'login-activity'] as const,
};

export const ACTIVITY_PAGE_SIZE = 20;

export const updateProfile = (body: { displayName: string }) => api.patch<{ user: User }>('/me', body);
export const changePassword = (body: { currentPassword: string; newPassword: string }) => api.post<void>('/me/password', body);
export const listSessions = (signal?: AbortSignal) => api.get<{ items: SessionItem[] }>('/me/sessions', { signal });
export const endSession = (id: string) => api.delete(`/me/sessions/${encodeURIComponent(id)}`);
export const endOtherSessions = () => api.post<{ ended: number }>('/me/sessions/end-others');
export const listLoginActivity = (cursor: string | null, signal?: AbortSignal) =>
  api.get<CursorPage<LoginActivityItem>>('/me/login-activity', { query: { cursor, limit: ACTIVITY_PAGE_SIZE }, signal });
