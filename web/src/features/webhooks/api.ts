/** Data for the Webhook events area: types, query keys, requests and hooks (`/api/v1/webhooks/events`, `/api/v1/webhooks/callbacks`). */
import { keepPreviousData, useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type CursorPage } from '../../lib/api.js';

export type WebhookEventState = 'pending' | 'processed' | 'failed' | 'duplicate' | 'unhandled';

/** One `changes[]` item of a verified delivery, as the log keeps it (never message content). */
export interface WebhookEvent {
  id: string | number;
  receivedAt: string;
  field: string;
  wabaId: string | null;
  phoneNumberId: string | null;
  /** the payload's own time */
  eventAt: string | null;
  state: WebhookEventState;
  /** why processing failed, or why the event is unhandled */
  reason: string | null;
  attempts: number;
  /** derived facts (e.g. `event` of account_update, message kind) */
  summary: Record<string, unknown> | null;
}

/** One of Meta's app callbacks as the log keeps it (docs/API-v1-webhooks.md). */
export interface MetaCallback {
  id: number;
  kind: 'deauthorize' | 'data_deletion';
  receivedAt: string;
  issuedAt: string | null;
  metaUserId: string;
  outcome: {
    result: 'matched' | 'no_match' | 'repeat';
    records: { recordId: string; result: string; name: string | null }[];
    linkedRecords: number | null;
    deletionRequest: { id: string; state: string | null } | null;
  };
}

export type CallbackKind = MetaCallback['kind'];

export interface EventsFilters {
  state: WebhookEventState | '';
  field: string;
}

export const PAGE_SIZE = 50;

export const webhookKeys = {
  all: ['webhook-events'] as const,
  list: (filters: EventsFilters) => ['webhook-events', 'list', filters] as const,
  callbacks: (kind: CallbackKind | '') => ['webhook-events', 'callbacks', kind] as const,
};

export function listEvents(filters: EventsFilters, cursor: string | null, signal?: AbortSignal) {
  return api.get<CursorPage<WebhookEvent>>('/webhooks/events', {
    query: { state: filters.state, field: filters.field, cursor, limit: PAGE_SIZE },
    signal,
  });
}

export function listCallbacks(kind: CallbackKind | '', cursor: string | null, signal?: AbortSignal) {
  return api.get<CursorPage<MetaCallback>>('/webhooks/callbacks', { query: { kind, cursor, limit: PAGE_SIZE }, signal });
}

export const reprocessEvent = (id: string | number) => api.post<unknown>(`/webhooks/events/${encodeURIComponent(String(id))}/reprocess`);

// --- hooks --------------------------------------------------------------------------------------

export function useEventsList(filters: EventsFilters) {
  return useInfiniteQuery({
    queryKey: webhookKeys.list(filters),
    queryFn: ({ pageParam, signal }) => listEvents(filters, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
    placeholderData: keepPreviousData,
  });
}

export function useCallbacksList(kind: CallbackKind | '') {
  return useInfiniteQuery({
    queryKey: webhookKeys.callbacks(kind),
    queryFn: ({ pageParam, signal }) => listCallbacks(kind, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
    placeholderData: keepPreviousData,
  });
}

export function useReprocessEvent() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string | number) => reprocessEvent(id),
    onSettled: () => queryClient.invalidateQueries({ queryKey: webhookKeys.all }),
  });
}
