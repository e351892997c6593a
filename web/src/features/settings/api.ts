/** Data for the Settings area: retention periods, legal holds and purge runs (docs/API-v1-retention.md). */
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type CursorPage } from '../../lib/api.js';

export type RetentionKind =
  | 'login_activity'
  | 'link_prefill'
  | 'ended_sessions'
  | 'webhook_raw'
  | 'webhook_records'
  | 'outbox_mail'
  | 'request_personal_data'
  | 'audit_events'
  | 'disconnected_records'
  | 'notifications';

export interface RetentionPeriod {
  kind: RetentionKind;
  label: string;
  describe: string;
  unit: 'days' | 'hours';
  value: number;
  default: number;
  min: number;
  max: number;
  updatedAt: string | null;
  updatedBy: { id: string; displayName: string } | null;
}

export type HoldSubjectType = 'user' | 'onboarding';

export interface LegalHold {
  id: string;
  subjectType: HoldSubjectType;
  subjectId: string;
  subjectLabel: string | null;
  reason: string;
  placedBy: string | null;
  placedAt: string;
  liftedAt: string | null;
  liftedBy: string | null;
  liftReason: string | null;
}

export interface PurgeRun {
  id: number;
  startedAt: string;
  finishedAt: string | null;
  dryRun: boolean;
  trigger: 'schedule' | 'cli' | 'manual' | string;
  counts: Partial<Record<RetentionKind, number>>;
  anchorId: number | null;
  error: string | null;
}

export interface PurgeResult {
  runId: number | null;
  dryRun: boolean;
  counts: Record<RetentionKind, number>;
  anchorId: number | null;
  cutoffs: Record<RetentionKind, string>;
}

export const PAGE_SIZE = 50;

export const settingsKeys = {
  periods: ['retention', 'periods'] as const,
  holds: (status: 'active' | 'all') => ['retention', 'holds', status] as const,
  allHolds: ['retention', 'holds'] as const,
  runs: ['retention', 'runs'] as const,
  preview: ['retention', 'preview'] as const,
};

export const getPeriods = () => api.get<{ items: RetentionPeriod[] }>('/retention/periods');
export const putPeriods = (periods: Partial<Record<RetentionKind, number>>) => api.put<{ items: RetentionPeriod[] }>('/retention/periods', { periods });
export const listHolds = (status: 'active' | 'all', cursor: string | null, signal?: AbortSignal) =>
  api.get<CursorPage<LegalHold>>('/legal-holds', { query: { status, cursor, limit: PAGE_SIZE }, signal });
export const placeHold = (body: { subjectType: HoldSubjectType; subjectId: string; reason: string }) => api.post<LegalHold>('/legal-holds', body);
export const liftHold = (id: string, reason: string) => api.post<LegalHold>(`/legal-holds/${encodeURIComponent(id)}/lift`, { reason });
export const listRuns = (cursor: string | null, signal?: AbortSignal) =>
  api.get<CursorPage<PurgeRun>>('/retention/purge-runs', { query: { cursor, limit: PAGE_SIZE }, signal });
export const getPreview = (signal?: AbortSignal) => api.get<PurgeResult>('/retention/purge-preview', { signal });
export const runPurgeNow = () => api.post<PurgeResult>('/retention/purge');

// --- hooks --------------------------------------------------------------------------------------

export function usePeriods() {
  return useQuery({ queryKey: settingsKeys.periods, queryFn: getPeriods });
}

export function useSavePeriods() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: putPeriods,
    onSuccess: (data) => {
      queryClient.setQueryData(settingsKeys.periods, data);
      void queryClient.invalidateQueries({ queryKey: settingsKeys.preview });
    },
  });
}

export function useHolds(status: 'active' | 'all') {
  return useInfiniteQuery({
    queryKey: settingsKeys.holds(status),
    queryFn: ({ pageParam, signal }) => listHolds(status, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
    placeholderData: keepPreviousData,
  });
}

export function usePlaceHold() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: placeHold,
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: settingsKeys.allHolds });
      void queryClient.invalidateQueries({ queryKey: settingsKeys.preview });
    },
  });
}

export function useLiftHold() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, reason }: { id: string; reason: string }) => liftHold(id, reason),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: settingsKeys.allHolds });
      void queryClient.invalidateQueries({ queryKey: settingsKeys.preview });
    },
  });
}

export function useRuns() {
  return useInfiniteQuery({
    queryKey: settingsKeys.runs,
    queryFn: ({ pageParam, signal }) => listRuns(pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
  });
}

/** What the next run would delete: a dry run, asked for when the owner opens it. */
export function usePreview(enabled: boolean) {
  return useQuery({ queryKey: settingsKeys.preview, queryFn: ({ signal }) => getPreview(signal), enabled, staleTime: 0 });
}

export function useRunPurge() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: runPurgeNow,
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: settingsKeys.runs });
      void queryClient.invalidateQueries({ queryKey: settingsKeys.preview });
    },
  });
}
