import type { LinkStatus, OnboardingState, RecordsFilters } from './api.js';
import { LINK_STATUSES, STATES } from './labels.js';

export type OnboardingTab = 'accounts' | 'shared' | 'links';
const TABS: readonly OnboardingTab[] = ['accounts', 'shared', 'links'];

/** The list page's tab and filters, as they appear in the address. */
export interface OnboardingParams extends RecordsFilters {
  tab: OnboardingTab;
  linkStatus: LinkStatus | '';
}

export const DEFAULT_PARAMS: OnboardingParams = { tab: 'accounts', state: '', via: '', q: '', linkStatus: '' };

function oneOf<T extends string>(value: string | null, allowed: readonly T[]): T | '' {
  return value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : '';
}

export function readOnboardingParams(params: URLSearchParams): OnboardingParams {
  return {
    tab: oneOf<OnboardingTab>(params.get('tab'), TABS) || 'accounts',
    state: oneOf<OnboardingState>(params.get('state'), STATES),
    via: oneOf(params.get('via'), ['staff', 'link'] as const),
    q: params.get('q') ?? '',
    linkStatus: oneOf<LinkStatus>(params.get('linkStatus'), LINK_STATUSES),
  };
}

export function writeOnboardingParams(values: OnboardingParams): URLSearchParams {
  const params = new URLSearchParams();
  if (values.tab !== 'accounts') params.set('tab', values.tab);
  if (values.state) params.set('state', values.state);
  if (values.via) params.set('via', values.via);
  if (values.q.trim()) params.set('q', values.q.trim());
  if (values.linkStatus) params.set('linkStatus', values.linkStatus);
  return params;
}

export function hasRecordFilters(values: RecordsFilters): boolean {
  return Boolean(values.state || values.via || values.q.trim());
}
