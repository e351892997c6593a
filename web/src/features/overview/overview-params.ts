import type { OnboardingSource, PeriodChoice } from './api.js';

/** The overview's period and onboarding source, as they appear in the address. */
export interface OverviewParams {
  period: PeriodChoice;
  from: string;
  to: string;
  source: OnboardingSource;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const PERIODS: readonly PeriodChoice[] = ['7', '30', '90', 'custom'];
const SOURCES: readonly OnboardingSource[] = ['all', 'staff', 'link'];

export function readOverviewParams(params: URLSearchParams): OverviewParams {
  const period = params.get('period') ?? '';
  const source = params.get('source') ?? '';
  return {
    period: (PERIODS as readonly string[]).includes(period) ? (period as PeriodChoice) : '30',
    from: DATE.test(params.get('from') ?? '') ? params.get('from')! : '',
    to: DATE.test(params.get('to') ?? '') ? params.get('to')! : '',
    source: (SOURCES as readonly string[]).includes(source) ? (source as OnboardingSource) : 'all',
  };
}

export function writeOverviewParams(v: OverviewParams): URLSearchParams {
  const params = new URLSearchParams();
  if (v.period !== '30') params.set('period', v.period);
  if (v.period === 'custom') {
    if (v.from) params.set('from', v.from);
    if (v.to) params.set('to', v.to);
  }
  if (v.source !== 'all') params.set('source', v.source);
  return params;
}

/** A custom period is sent only once both days are chosen and in order. */
export function isComplete(v: OverviewParams): boolean {
  return v.period !== 'custom' || Boolean(v.from && v.to && v.from <= v.to);
}
