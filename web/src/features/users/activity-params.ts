import type { ActivityFilters, LoginResult } from './api.js';
import { FAILURE_REASONS } from './labels.js';

/** The filters of the sign-in activity page as they appear in the address (dates as YYYY-MM-DD). */
export interface ActivityParams {
  userId: string;
  result: LoginResult | '';
  reason: string;
  from: string;
  to: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function readActivityParams(params: URLSearchParams): ActivityParams {
  const result = params.get('result');
  const reason = params.get('reason') ?? '';
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  return {
    userId: params.get('userId') ?? '',
    result: result === 'success' || result === 'failure' ? result : '',
    reason: (FAILURE_REASONS as readonly string[]).includes(reason) ? reason : '',
    from: DATE.test(from) ? from : '',
    to: DATE.test(to) ? to : '',
  };
}

export function writeActivityParams(values: ActivityParams): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value) params.set(key, value);
  return params;
}

export function hasActivityFilters(values: ActivityParams): boolean {
  return Object.values(values).some(Boolean);
}

/** "To" before "From": the range is empty and is not sent. */
export function rangeIsReversed(values: ActivityParams): boolean {
  return Boolean(values.from && values.to && values.to < values.from);
}

/** Local calendar days become exact instants: from the start of "from" to the end of "to", both included. */
export function toApiFilters(values: ActivityParams): ActivityFilters {
  const reversed = rangeIsReversed(values);
  const startOf = (day: string) => new Date(`${day}T00:00:00`).toISOString();
  const endOf = (day: string) => new Date(`${day}T23:59:59.999`).toISOString();
  return {
    userId: values.userId,
    result: values.result,
    reason: values.reason,
    from: values.from && !reversed ? startOf(values.from) : '',
    to: values.to && !reversed ? endOf(values.to) : '',
  };
}
