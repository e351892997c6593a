/** Data for the overview page: `GET /api/v1/overview` (panels the caller's role may see, for a period in the viewer's zone). */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../../lib/api.js';

export type PeriodChoice = '7' | '30' | '90' | 'custom';
export type OnboardingSource = 'all' | 'staff' | 'link';
export type Bucket = 'hour' | 'day';

export interface OverviewQuery {
  period: PeriodChoice;
  from: string;
  to: string;
  source: OnboardingSource;
  tz: string;
}

export interface Overview {
  period: { from: string; to: string; fromDay: string; toDay: string; tz: string; generatedAt: string };
  onboarding?: {
    source: OnboardingSource;
    funnel: { step: string; count: number }[];
    abandoned: { step: string | null; count: number }[];
    failures: { code: number | null; count: number }[];
  };
  accounts?: {
    byState: { state: string; count: number }[];
    quality: { value: string | null; count: number }[];
    nameStatus: { value: string | null; count: number }[];
    tokens: { expiring: number; expired: number; windowDays: number };
  };
  signIns?: { bucket: Bucket; series: { bucket: string; counts: Record<string, number> }[]; totals: Record<string, number>; lockedAccounts: number };
  webhooks?: {
    bucket: Bucket;
    series: { bucket: string; counts: Record<string, number>; lagMsAvg: number | null }[];
    byField: Record<string, number>;
    byState: Record<string, number>;
    lag: { avgMs: number | null; maxMs: number | null };
  };
  privacy?: {
    byState: { state: string; overdue: number; dueSoon: number; later: number }[];
    dueSoonDays: number;
    lastPurge: { startedAt: string; finishedAt: string | null; trigger: string; error: string | null; deleted: number } | null;
  };
}

/** The browser's IANA time zone (the server checks it). */
export function viewerTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function useOverview(q: OverviewQuery, enabled: boolean) {
  const query = q.period === 'custom' ? { period: q.period, from: q.from, to: q.to, source: q.source, tz: q.tz } : { period: q.period, source: q.source, tz: q.tz };
  return useQuery({
    queryKey: ['overview', query],
    queryFn: ({ signal }) => api.get<Overview>('/overview', { query, signal }),
    placeholderData: keepPreviousData,
    enabled,
  });
}
