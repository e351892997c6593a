import { humanise } from '../../lib/format.js';
import type { LinkStatus, OnboardingState, RecordListItem, StepName, StepStatus } from './api.js';

export const STATES: readonly OnboardingState[] = [
  'started',
  'in_progress',
  'action_required',
  'failed',
  'abandoned',
  'connected',
  'disconnected',
];

export const STATE_LABELS: Record<OnboardingState, string> = {
  started: 'Started',
  in_progress: 'In progress',
  action_required: 'Action required',
  failed: 'Failed',
  abandoned: 'Abandoned',
  connected: 'Connected',
  disconnected: 'Disconnected',
};

export const STATE_COLORS: Record<OnboardingState, string> = {
  started: 'cyan',
  in_progress: 'blue',
  action_required: 'orange',
  failed: 'red',
  abandoned: 'gray',
  connected: 'green',
  disconnected: 'gray',
};

export function stateLabel(state: string): string {
  return STATE_LABELS[state as OnboardingState] ?? humanise(state);
}

export function stateColor(state: string): string {
  return STATE_COLORS[state as OnboardingState] ?? 'gray';
}

const QUALITY_COLORS: Record<string, string> = { GREEN: 'green', YELLOW: 'yellow', RED: 'red' };

/** Meta's quality rating (GREEN, YELLOW, RED; anything else or none is Unknown). */
export function quality(rating: string | null): { label: string; color: string } {
  const key = (rating ?? '').toUpperCase();
  const color = QUALITY_COLORS[key];
  return color ? { label: humanise(key.toLowerCase()), color } : { label: 'Unknown', color: 'gray' };
}

const STEP_LABELS: Record<StepName, string> = {
  exchange: 'Exchange code',
  verify: 'Verify token',
  lookup: 'Look up phone numbers',
  subscribe: 'Subscribe to webhooks',
  override: 'Webhook override',
  register: 'Register phone number',
};

export function stepLabel(step: string): string {
  return STEP_LABELS[step as StepName] ?? humanise(step);
}

export const STEP_STATUS_COLORS: Record<StepStatus, string> = {
  pending: 'gray',
  running: 'blue',
  succeeded: 'green',
  failed: 'red',
  skipped: 'gray',
  action_required: 'orange',
};

export function stepStatusColor(status: string): string {
  return STEP_STATUS_COLORS[status as StepStatus] ?? 'gray';
}

export const LINK_STATUSES: readonly LinkStatus[] = ['active', 'used', 'revoked', 'expired'];

export const LINK_STATUS_LABELS: Record<LinkStatus, string> = {
  active: 'Active',
  used: 'Used',
  revoked: 'Revoked',
  expired: 'Expired',
};

export const LINK_STATUS_COLORS: Record<LinkStatus, string> = {
  active: 'green',
  used: 'blue',
  revoked: 'gray',
  expired: 'yellow',
};

/** Who connected the account: the staff member, or the customer link it came through. */
export function connectedBy(record: Pick<RecordListItem, 'startedBy' | 'link'>): string {
  if (record.link) return `link: ${record.link.label}`;
  return record.startedBy?.displayName ?? '—';
}

/** The record's name for headings: the business, else the WABA, else a neutral word. */
export function recordTitle(record: Pick<RecordListItem, 'businessName' | 'wabaName'>): string {
  return record.businessName ?? record.wabaName ?? 'Unnamed account';
}

/** "1.2 s", "850 ms" or "2 min 5 s". */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}
