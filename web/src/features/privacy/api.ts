/** Data for privacy requests: the queue (`/api/v1/privacy-requests`) and "My data" (`/api/v1/me/privacy-requests`). See docs/API-v1-privacy.md. */
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, API_BASE, type CursorPage } from '../../lib/api.js';

export type RequestKind = 'access' | 'correction' | 'deletion';
export type RequestSource = 'self' | 'public_form' | 'meta_callback' | 'admin';
export type RequestState = 'received' | 'verifying' | 'in_progress' | 'completed' | 'rejected' | 'cancelled';
export type Urgency = 'overdue' | 'due_soon' | 'on_time' | 'closed';

export interface Outcome {
  deleted: string[];
  kept: { what: string; why: string }[];
  corrected?: string[];
  note: string | null;
  pending: string | null;
  export: boolean;
}

export interface PrivacyRequest {
  id: string;
  kind: RequestKind;
  source: RequestSource;
  state: RequestState;
  urgency: Urgency;
  receivedAt: string;
  dueAt: string;
  completedAt: string | null;
  extended: boolean;
  verifiedHow: string | null;
  requester: string | null;
  outcome: Outcome;
  rejectionReason: string | null;
}

export interface RequestDetail {
  request: PrivacyRequest & {
    email: string | null;
    message: string | null;
    details: Record<string, unknown>;
    personalErased: boolean;
    subject: { id: string; email: string; displayName: string; status: string } | null;
    createdBy: { id: string; displayName: string } | null;
    confirmationCode: string | null;
    verifiedAt: string | null;
    verifyReason: string | null;
    extendedAt: string | null;
    extensionReason: string | null;
    metaOriginated: boolean;
  };
  trail: { at: string; action: string; actorType: string; actor: string | null; details: Record<string, unknown> }[];
  can: { verify: boolean; extend: boolean; reject: boolean; cancel: boolean; fulfil: boolean; download: boolean };
}

export interface QueueFilters {
  state: RequestState | 'open' | '';
  kind: RequestKind | '';
  source: RequestSource | '';
  urgency: 'overdue' | 'due_soon' | '';
}

export interface CorrectionInput {
  displayName?: string;
  email?: string;
  other?: string;
}

export const PAGE_SIZE = 50;

export const privacyKeys = {
  all: ['privacy-requests'] as const,
  list: (f: QueueFilters) => ['privacy-requests', 'list', f] as const,
  detail: (id: string) => ['privacy-requests', 'detail', id] as const,
  mine: ['privacy-requests', 'mine'] as const,
};

/** Where a completed access request's export downloads from (a plain link: the browser saves the file). */
export const exportUrl = (id: string, who: 'admin' | 'self', format: 'json' | 'text' = 'json') =>
  `${API_BASE}${who === 'admin' ? '' : '/me'}/privacy-requests/${encodeURIComponent(id)}/export${format === 'text' ? '?format=text' : ''}`;

export function useQueue(filters: QueueFilters) {
  return useInfiniteQuery({
    queryKey: privacyKeys.list(filters),
    queryFn: ({ pageParam, signal }) =>
      api.get<CursorPage<PrivacyRequest>>('/privacy-requests', { query: { ...filters, cursor: pageParam, limit: PAGE_SIZE }, signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    placeholderData: keepPreviousData,
  });
}

export function useRequestDetail(id: string) {
  return useQuery({
    queryKey: privacyKeys.detail(id),
    queryFn: ({ signal }) => api.get<RequestDetail>(`/privacy-requests/${encodeURIComponent(id)}`, { signal }),
  });
}

export type QueueAction = 'verify' | 'extend' | 'reject' | 'cancel' | 'fulfil';

export function useQueueAction(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ action, reason }: { action: QueueAction; reason?: string }) =>
      api.post<{ request: PrivacyRequest }>(`/privacy-requests/${encodeURIComponent(id)}/${action}`, reason ? { reason } : {}),
    onSettled: () => queryClient.invalidateQueries({ queryKey: privacyKeys.all }),
  });
}

export function useFileOnBehalf() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { kind: RequestKind; subjectUserId?: string; email?: string; message?: string; correction?: CorrectionInput; verifyReason?: string }) =>
      api.post<{ request: PrivacyRequest }>('/privacy-requests', body),
    onSettled: () => queryClient.invalidateQueries({ queryKey: privacyKeys.all }),
  });
}

export function useMyRequests() {
  return useQuery({
    queryKey: privacyKeys.mine,
    queryFn: ({ signal }) => api.get<{ items: PrivacyRequest[] }>('/me/privacy-requests', { signal }),
  });
}

export function useFileOwn() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { kind: RequestKind; message?: string; correction?: CorrectionInput }) => api.post<{ request: PrivacyRequest }>('/me/privacy-requests', body),
    onSettled: () => queryClient.invalidateQueries({ queryKey: privacyKeys.all }),
  });
}

export function useCancelOwn() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.post<{ request: PrivacyRequest }>(`/me/privacy-requests/${encodeURIComponent(id)}/cancel`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: privacyKeys.all }),
  });
}

export const confirmEmailChange = (token: string) => api.post<{ user: { email: string } }>('/me/email-change/confirm', { token });
