/** Data for the WhatsApp accounts area: types, query keys, requests and hooks (docs/API-v1-onboarding.md). */
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type CursorPage } from '../../lib/api.js';

export type OnboardingState = 'started' | 'in_progress' | 'action_required' | 'failed' | 'abandoned' | 'connected' | 'disconnected';
export type StepName = 'exchange' | 'verify' | 'lookup' | 'subscribe' | 'override' | 'register';
export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'action_required';
export type LinkStatus = 'active' | 'used' | 'revoked' | 'expired';

/** Reasons the server writes that change what a UI offers (contract: "What a UI offers"). */
export const REASON_PIN_ALREADY_SET = 'PIN already set';
export const REASON_RECONNECT_NEEDED = 'reconnect needed';

export interface PersonRef {
  id: string;
  displayName: string;
}

export interface ListPhoneNumber {
  phoneNumberId: string;
  displayPhoneNumber: string | null;
  verifiedName: string | null;
  qualityRating: string | null;
  status: string | null;
}

export interface RecordListItem {
  id: string;
  state: OnboardingState;
  reason: string | null;
  via: 'staff' | 'link';
  startedBy: PersonRef | null;
  link: { id: string; label: string } | null;
  businessId: string | null;
  businessName: string | null;
  wabaId: string | null;
  wabaName: string | null;
  phoneNumbers: ListPhoneNumber[];
  createdAt: string;
  updatedAt: string;
  connectedAt: string | null;
  disconnectedAt: string | null;
}

/** Meta's error as the server kept it. */
export interface MetaError {
  code: number | null;
  subcode: number | null;
  message: string | null;
  fbtraceId: string | null;
}

export interface RecordDetail extends RecordListItem {
  phoneNumberId: string | null;
  sessionEvent: string | null;
  abandonedStep: string | null;
  /** `scopes` is a list of permission names (a comma-separated string is accepted too). */
  token: { type: string | null; expiresAt: string | null; scopes: string[] | string | null; verifiedAt: string | null; stored: boolean };
  webhook: { subscribed: boolean; at: string | null };
  registrationPin: { stored: boolean; revealable: boolean };
  error: MetaError | null;
  run: number;
  metaStatus: MetaStatus;
}

/** What Meta reported about the record (each topic null until reported); `at` is Meta's own time. */
export interface MetaStatus {
  ban: { state: string | null; date: string | null; at: string } | null;
  violation: { type: string | null; at: string } | null;
  review: { decision: string | null; at: string } | null;
  capabilities: {
    maxDailyConversationsPerBusiness: string | null;
    maxDailyConversationPerPhone: string | null;
    maxPhoneNumbersPerBusiness: string | null;
    maxPhoneNumbersPerWaba: string | null;
    at: string;
  } | null;
  partner: { event: string | null; shared: boolean; at: string } | null;
  reconnected: { at: string } | null;
  /** the person who connected the WABA removed the app; the record kept working */
  appRemovedByConnector: { at: string; tokenChecked: boolean } | null;
  /** disconnected because Meta ended the app's access (`event`: the account_update event or `deauthorize`) */
  removedOnMeta: { event: string; at: string | null } | null;
}

/** One change Meta reported (before/after hold flat facts: state, event, decision, tier...). */
export interface HistoryItem {
  id: number;
  at: string;
  source: string;
  topic: string;
  phoneNumberId: string | null;
  before: Record<string, string | number | boolean | null> | null;
  after: Record<string, string | number | boolean | null> | null;
}

export type MessageKind = 'inbound' | 'sent' | 'delivered' | 'read' | 'failed' | 'played' | 'other';

/** Counts of `messages` webhook events for a number (never their content). */
export type MessageCounters = Record<MessageKind, number> & { lastEventAt: string | null };

/** A WABA Meta reports as shared with the app that no onboarding record holds. */
export interface SharedAccount {
  wabaId: string;
  ownerBusinessId: string | null;
  sharedAt: string;
  lastEvent: string;
  lastEventAt: string;
  shared: boolean;
}

export interface StepRow {
  run: number;
  step: StepName;
  status: StepStatus;
  attempt: number;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  error: MetaError | null;
  detail: unknown;
}

export interface PhoneNumber extends ListPhoneNumber {
  codeVerificationStatus: string | null;
  nameStatus: string | null;
  platformType: string | null;
  throughput: string | null;
  lookedUpAt: string | null;
  meta: {
    name: { decision: string | null; rejectionReason: string | null; at: string } | null;
    quality: { event: string | null; tier: string | null; at: string } | null;
  };
  messages: MessageCounters;
}

export interface RecordView {
  record: RecordDetail;
  steps: StepRow[];
  phoneNumbers: PhoneNumber[];
  /** newest first, at most 100 */
  history: HistoryItem[];
}

/** What the server says about a record after an action. */
export interface Outcome {
  recordId: string;
  state: OnboardingState;
  reason: string | null;
}

export interface OnboardingLink {
  id: string;
  label: string;
  businessName: string | null;
  email: string | null;
  phone: string | null;
  status: LinkStatus;
  expiresAt: string;
  createdAt: string;
  createdBy: PersonRef | null;
  usedAt: string | null;
  revokedAt: string | null;
  recordId: string | null;
}

export interface NewLink {
  label: string;
  businessName?: string;
  email?: string;
  phone?: string;
  expiresInDays?: number;
}

export interface RecordsFilters {
  state: OnboardingState | '';
  /** staff connects or customer links */
  via: 'staff' | 'link' | '';
  q: string;
}

export const PAGE_SIZE = 25;

export const onboardingKeys = {
  all: ['onboarding'] as const,
  list: (filters: RecordsFilters) => ['onboarding', 'list', filters] as const,
  detail: (id: string) => ['onboarding', 'detail', id] as const,
  shared: ['onboarding', 'shared-accounts'] as const,
};

export const linkKeys = {
  all: ['onboarding-links'] as const,
  list: (status: LinkStatus | '') => ['onboarding-links', 'list', status] as const,
};

const recordPath = (id: string, rest = '') => `/onboarding/${encodeURIComponent(id)}${rest}`;

export function listRecords(filters: RecordsFilters, cursor: string | null, signal?: AbortSignal) {
  return api.get<CursorPage<RecordListItem>>('/onboarding', {
    query: { state: filters.state, via: filters.via, q: filters.q.trim(), cursor, limit: PAGE_SIZE },
    signal,
  });
}

export const getRecord = (id: string, signal?: AbortSignal) => api.get<RecordView>(recordPath(id), { signal });

export function listSharedAccounts(cursor: string | null, signal?: AbortSignal) {
  return api.get<CursorPage<SharedAccount>>('/onboarding/shared-accounts', { query: { cursor, limit: PAGE_SIZE }, signal });
}

export function listLinks(status: LinkStatus | '', cursor: string | null, signal?: AbortSignal) {
  return api.get<CursorPage<OnboardingLink>>('/onboarding-links', { query: { status, cursor, limit: PAGE_SIZE }, signal });
}

export type RecordAction = 'retry' | 'refresh' | 'pin' | 'disconnect';

export function runRecordAction(id: string, action: RecordAction, pin?: string): Promise<Outcome> {
  if (action === 'pin') return api.post<Outcome>(recordPath(id, '/pin'), { pin });
  return api.post<Outcome>(recordPath(id, `/${action}`));
}

// --- hooks --------------------------------------------------------------------------------------

export function useRecordsList(filters: RecordsFilters) {
  return useInfiniteQuery({
    queryKey: onboardingKeys.list(filters),
    queryFn: ({ pageParam, signal }) => listRecords(filters, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
    placeholderData: keepPreviousData,
  });
}

export function useRecord(id: string, enabled = true) {
  return useQuery({ queryKey: onboardingKeys.detail(id), queryFn: ({ signal }) => getRecord(id, signal), enabled });
}

export function useSharedAccounts() {
  return useInfiniteQuery({
    queryKey: onboardingKeys.shared,
    queryFn: ({ pageParam, signal }) => listSharedAccounts(pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
  });
}

export function useLinksList(status: LinkStatus | '') {
  return useInfiniteQuery({
    queryKey: linkKeys.list(status),
    queryFn: ({ pageParam, signal }) => listLinks(status, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
    placeholderData: keepPreviousData,
  });
}

/** Refreshes every list and page that shows records (and links, which point at records). */
export function useRefreshOnboarding() {
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: onboardingKeys.all });
    void queryClient.invalidateQueries({ queryKey: linkKeys.all });
  };
}

export function useRecordAction(id: string) {
  return useMutation({
    mutationFn: ({ action, pin }: { action: RecordAction; pin?: string }) => runRecordAction(id, action, pin),
  });
}

export function useRevealPin(id: string) {
  return useMutation({ mutationFn: (password: string) => api.post<{ pin: string }>(recordPath(id, '/pin/reveal'), { password }) });
}

export function useCreateLink() {
  return useMutation({ mutationFn: (body: NewLink) => api.post<{ link: OnboardingLink; url: string }>('/onboarding-links', body) });
}

export function useRevokeLink() {
  return useMutation({
    mutationFn: (id: string) => api.post<{ link: OnboardingLink }>(`/onboarding-links/${encodeURIComponent(id)}/revoke`),
  });
}
