import type { Role, UserStatus } from '../../lib/session.js';
import type { SortOrder, UserSort, UsersFilters } from './api.js';
import { ROLES, STATUSES } from './labels.js';

const SORTS: readonly UserSort[] = ['name', 'email', 'role', 'status', 'lastSignInAt'];

export const DEFAULT_USERS_FILTERS: UsersFilters = { q: '', role: '', status: '', inactive: false, sort: 'name', order: 'asc' };

/** The order a column starts in when first chosen: newest sign-ins first, everything else A→Z. */
export function defaultOrder(sort: UserSort): SortOrder {
  return sort === 'lastSignInAt' ? 'desc' : 'asc';
}

function oneOf<T extends string>(value: string | null, allowed: readonly T[]): T | '' {
  return value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : '';
}

/** The list's search, filters and sort live in the address (shareable, and kept by back/forward). */
export function readUsersFilters(params: URLSearchParams): UsersFilters {
  const sort = oneOf(params.get('sort'), SORTS) || DEFAULT_USERS_FILTERS.sort;
  const order = oneOf(params.get('order'), ['asc', 'desc'] as const) || defaultOrder(sort);
  return {
    q: params.get('q') ?? '',
    role: oneOf<Role>(params.get('role'), ROLES),
    status: oneOf<UserStatus>(params.get('status'), STATUSES),
    inactive: params.get('inactive') === '90',
    sort,
    order,
  };
}

export function writeUsersFilters(filters: UsersFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.q.trim()) params.set('q', filters.q.trim());
  if (filters.role) params.set('role', filters.role);
  if (filters.status) params.set('status', filters.status);
  if (filters.inactive) params.set('inactive', '90');
  if (filters.sort !== DEFAULT_USERS_FILTERS.sort || filters.order !== DEFAULT_USERS_FILTERS.order) {
    params.set('sort', filters.sort);
    params.set('order', filters.order);
  }
  return params;
}

export function hasActiveFilters(filters: UsersFilters): boolean {
  return Boolean(filters.q.trim() || filters.role || filters.status || filters.inactive);
}
