import { api } from '../../../lib/api.js';
import type { Role } from '../../../lib/session.js';

export interface ApiTokenItem {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  state: 'active' | 'expired' | 'revoked';
  revokedAt: string | null;
  revokedReason: string | null;
}

export const apiTokenKeys = { list: ['account', 'api-tokens'] as const };

export const listApiTokens = (signal?: AbortSignal) => api.get<{ items: ApiTokenItem[] }>('/me/tokens', { signal });
export const createApiToken = (body: { name: string; role: Role; expiresInDays: number }) => api.post<{ item: ApiTokenItem; token: string }>('/me/tokens', body);
export const revokeApiToken = (id: string) => api.delete(`/me/tokens/${encodeURIComponent(id)}`);
