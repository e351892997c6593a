/** Data for the Audit log area: types, query keys, requests, hooks and export links (`/api/v1/audit/...`). */
import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { API_BASE, api, type CursorPage, type Query } from '../../lib/api.js';

export const ACTOR_TYPES = ['user', 'system', 'cli', 'meta', 'customer'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

export interface AuditActor {
  type: string;
  id: string | null;
  /** the user's current display name (user actors whose account still exists) */
  name: string | null;
}

export interface AuditEvent {
  id: number;
  at: string;
  actor: AuditActor;
  action: string;
  /** the action in plain words */
  actionLabel: string;
  targetType: string | null;
  targetId: string | null;
  requestId: string | null;
  changedFields: string[];
}

export interface AuditPersonalValue {
  field: string;
  /** before / after / value */
  kind: string;
  subjectType: string;
  subjectId: string;
  value: string;
}

export interface AuditEventDetail extends AuditEvent {
  details: Record<string, unknown>;
  personal: AuditPersonalValue[];
}

/** The filters as the page keeps them (dates as YYYY-MM-DD in the viewer's time zone). */
export interface AuditFilters {
  actor: string;
  actorType: ActorType | '';
  actions: string[];
  targetType: string;
  targetId: string;
  from: string;
  to: string;
  q: string;
}

export const PAGE_SIZE = 50;

export const auditKeys = {
  all: ['audit'] as const,
  list: (filters: AuditFilters) => ['audit', 'list', filters] as const,
  detail: (id: number) => ['audit', 'detail', id] as const,
  actions: ['audit', 'actions'] as const,
};

/** Start of a local calendar day as an instant; `to` days are inclusive, so the bound is the next day's start. */
function dayStart(day: string, plusDays = 0): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + plusDays).toISOString();
}

/** The API's query parameters for these filters (the list's and the export's). */
export function filterQuery(f: AuditFilters): Query {
  return {
    actor: f.actor,
    actorType: f.actorType,
    action: f.actions.join(','),
    targetType: f.targetType,
    targetId: f.targetType ? f.targetId.trim() : '',
    from: f.from ? dayStart(f.from) : undefined,
    to: f.to ? dayStart(f.to, 1) : undefined,
    q: f.q.trim(),
  };
}

/** The download link of the filtered range in `format`. */
export function exportHref(f: AuditFilters, format: 'csv' | 'jsonl'): string {
  const params = new URLSearchParams({ format });
  for (const [key, value] of Object.entries(filterQuery(f))) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  return `${API_BASE}/audit/export?${params.toString()}`;
}

export function listAuditEvents(filters: AuditFilters, cursor: string | null, signal?: AbortSignal) {
  return api.get<CursorPage<AuditEvent>>('/audit/events', { query: { ...filterQuery(filters), cursor, limit: PAGE_SIZE }, signal });
}

export const getAuditEvent = (id: number, signal?: AbortSignal) => api.get<{ event: AuditEventDetail }>(`/audit/events/${id}`, { signal });

export const listAuditActions = (signal?: AbortSignal) => api.get<{ items: { action: string; label: string }[] }>('/audit/actions', { signal });

// --- hooks --------------------------------------------------------------------------------------

export function useAuditEvents(filters: AuditFilters) {
  return useInfiniteQuery({
    queryKey: auditKeys.list(filters),
    queryFn: ({ pageParam, signal }) => listAuditEvents(filters, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
    placeholderData: keepPreviousData,
  });
}

export function useAuditEvent(id: number | null) {
  return useQuery({ queryKey: auditKeys.detail(id ?? 0), queryFn: ({ signal }) => getAuditEvent(id!, signal), enabled: id !== null });
}

export function useAuditActions() {
  return useQuery({ queryKey: auditKeys.actions, queryFn: ({ signal }) => listAuditActions(signal), staleTime: Infinity });
}
