/** Data for the users area: types, query keys, requests and hooks (docs/API-v1-users.md). */
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { LoginActivityRow } from '../../components/LoginActivityTable.js';
import type { SessionRow } from '../../components/SessionsTable.js';
import { api, type CursorPage } from '../../lib/api.js';
import { meQueryKey, type Role, type User, type UserStatus } from '../../lib/session.js';

/** What the signed-in user may do to one user, decided by the server's policy. */
export interface UserAbilities {
  changeRole: boolean;
  assignableRoles: Role[];
  deactivate: boolean;
  reactivate: boolean;
  remove: boolean;
  endSessions: boolean;
  unlock: boolean;
  sendPasswordReset: boolean;
  resendInvitation: boolean;
  revokeInvitation: boolean;
  viewActivity: boolean;
  /** reset this user's 2FA (they are enrolled, not above your role, not you) */
  resetTwoFactor: boolean;
}

export interface UserListItem extends User {
  locked: boolean;
  invitationExpiresAt: string | null;
  /** has set up two-factor authentication */
  twoFactorEnabled: boolean;
}

export interface UserDetail extends UserListItem {
  abilities: UserAbilities;
}

export interface MailResult {
  delivered: boolean;
  error: string | null;
}

export interface UserSessionItem extends SessionRow {
  expiresAt: string;
}

export type LoginResult = LoginActivityRow['result'];

/** A sign-in attempt to any account, with who (or which email) tried. */
export interface LoginActivityEntry extends LoginActivityRow {
  userId: string | null;
  userDisplayName: string | null;
  userEmail: string | null;
  attemptedEmail: string | null;
}

export type UserSort = 'name' | 'email' | 'role' | 'status' | 'lastSignInAt';
export type SortOrder = 'asc' | 'desc';

export interface UsersFilters {
  q: string;
  role: Role | '';
  status: UserStatus | '';
  inactive: boolean;
  sort: UserSort;
  order: SortOrder;
}

export interface ActivityFilters {
  userId: string;
  result: LoginResult | '';
  reason: string;
  /** ISO timestamps (inclusive bounds), or '' for none. */
  from: string;
  to: string;
}

export const PAGE_SIZE = 25;

export const usersKeys = {
  all: ['users'] as const,
  list: (filters: UsersFilters) => ['users', 'list', filters] as const,
  search: (q: string) => ['users', 'search', q] as const,
  detail: (id: string) => ['users', 'detail', id] as const,
  sessions: (id: string) => ['users', 'sessions', id] as const,
};

export const activityKeys = {
  all: ['login-activity'] as const,
  list: (filters: ActivityFilters) => ['login-activity', filters] as const,
};

const path = (id: string, rest = '') => `/users/${encodeURIComponent(id)}${rest}`;

export function listUsers(filters: UsersFilters, cursor: string | null, signal?: AbortSignal, limit = PAGE_SIZE) {
  return api.get<CursorPage<UserListItem>>('/users', {
    query: {
      q: filters.q.trim(),
      role: filters.role,
      status: filters.status,
      inactive: filters.inactive ? 90 : undefined,
      sort: filters.sort,
      order: filters.order,
      cursor,
      limit,
    },
    signal,
  });
}

export const getUser = (id: string, signal?: AbortSignal) => api.get<{ user: UserDetail; canInvite: boolean }>(path(id), { signal });

export const inviteUser = (body: { email: string; displayName: string; role: Role }) =>
  api.post<{ user: UserListItem; mail: MailResult }>('/users/invitations', body);

export function listLoginActivity(filters: ActivityFilters, cursor: string | null, signal?: AbortSignal) {
  return api.get<CursorPage<LoginActivityEntry>>('/login-activity', {
    query: { ...filters, cursor, limit: PAGE_SIZE },
    signal,
  });
}

// --- hooks --------------------------------------------------------------------------------------

export function useUsersList(filters: UsersFilters) {
  return useInfiniteQuery({
    queryKey: usersKeys.list(filters),
    queryFn: ({ pageParam, signal }) => listUsers(filters, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
    // Keep the rows on screen while a new search or sort loads.
    placeholderData: keepPreviousData,
  });
}

/** Users whose email or name matches `q`, for pickers. */
export function useUserSearch(q: string, enabled = true) {
  const filters: UsersFilters = { q, role: '', status: '', inactive: false, sort: 'name', order: 'asc' };
  return useQuery({
    queryKey: usersKeys.search(q.trim()),
    queryFn: ({ signal }) => listUsers(filters, null, signal, 20),
    placeholderData: keepPreviousData,
    enabled,
  });
}

export function useUser(id: string, enabled = true) {
  return useQuery({ queryKey: usersKeys.detail(id), queryFn: ({ signal }) => getUser(id, signal), enabled });
}

export function useUserSessions(id: string, enabled: boolean) {
  return useQuery({
    queryKey: usersKeys.sessions(id),
    queryFn: ({ signal }) => api.get<{ items: UserSessionItem[] }>(path(id, '/sessions'), { signal }),
    enabled,
  });
}

export function useLoginActivity(filters: ActivityFilters, enabled = true) {
  return useInfiniteQuery({
    queryKey: activityKeys.list(filters),
    queryFn: ({ pageParam, signal }) => listLoginActivity(filters, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
    placeholderData: keepPreviousData,
    enabled,
  });
}

// --- actions on one user ------------------------------------------------------------------------

export type UserAction =
  | 'changeRole'
  | 'deactivate'
  | 'reactivate'
  | 'remove'
  | 'endSessions'
  | 'unlock'
  | 'sendPasswordReset'
  | 'resendInvitation'
  | 'revokeInvitation'
  | 'resetTwoFactor';

export interface UserActionResult {
  user?: UserListItem;
  mail?: MailResult;
  ended?: number;
}

export function runUserAction(id: string, action: UserAction, role?: Role): Promise<UserActionResult | undefined> {
  switch (action) {
    case 'changeRole':
      return api.patch(path(id, '/role'), { role });
    case 'deactivate':
      return api.post(path(id, '/deactivate'));
    case 'reactivate':
      return api.post(path(id, '/reactivate'));
    case 'remove':
      return api.post(path(id, '/remove'));
    case 'endSessions':
      return api.post(path(id, '/sessions/end-all'));
    case 'unlock':
      return api.post(path(id, '/unlock'));
    case 'sendPasswordReset':
      return api.post(path(id, '/password-reset'));
    case 'resendInvitation':
      return api.post(path(id, '/invitation/resend'));
    case 'revokeInvitation':
      return api.delete(path(id, '/invitation'));
    case 'resetTwoFactor':
      return api.post(path(id, '/two-factor/reset'));
  }
}

/**
 * Refreshes everything that may show users after a change: the lists, user pages, sessions and
 * sign-in activity; with `me`, also the signed-in user's own session (they acted on themselves).
 */
export function useRefreshUsers() {
  const queryClient = useQueryClient();
  return ({ me = false }: { me?: boolean } = {}) => {
    void queryClient.invalidateQueries({ queryKey: usersKeys.all });
    void queryClient.invalidateQueries({ queryKey: activityKeys.all });
    if (me) void queryClient.invalidateQueries({ queryKey: meQueryKey });
  };
}

export function useUserAction(id: string) {
  return useMutation({
    mutationFn: ({ action, role }: { action: UserAction; role?: Role }) => runUserAction(id, action, role),
  });
}

export function useInviteUser() {
  return useMutation({ mutationFn: inviteUser });
}
