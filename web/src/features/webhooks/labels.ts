import { humanise } from '../../lib/format.js';
import type { WebhookEventState } from './api.js';

export const STATES: readonly WebhookEventState[] = ['pending', 'processed', 'failed', 'duplicate', 'unhandled'];

export const STATE_LABELS: Record<WebhookEventState, string> = {
  pending: 'Pending',
  processed: 'Processed',
  failed: 'Failed',
  duplicate: 'Duplicate',
  unhandled: 'Unhandled',
};

export const STATE_COLORS: Record<WebhookEventState, string> = {
  pending: 'blue',
  processed: 'green',
  failed: 'red',
  duplicate: 'gray',
  unhandled: 'yellow',
};

/** The webhook fields the app subscribes to or may receive (the filter offers these). */
export const FIELDS: readonly string[] = [
  'account_update',
  'account_review_update',
  'business_capability_update',
  'message_template_status_update',
  'messages',
  'phone_number_name_update',
  'phone_number_quality_update',
];

export function stateLabel(state: string): string {
  return STATE_LABELS[state as WebhookEventState] ?? humanise(state);
}

export function stateColor(state: string): string {
  return STATE_COLORS[state as WebhookEventState] ?? 'gray';
}

/** One line about what the event said, from its summary (e.g. "PARTNER_APP_UNINSTALLED", "inbound"). */
export function summaryLine(summary: Record<string, unknown> | null): string | null {
  if (!summary) return null;
  const parts: string[] = [];
  for (const key of ['event', 'decision', 'kind', 'status', 'banState']) {
    const value = summary[key];
    if (typeof value === 'string' && value) parts.push(value);
  }
  return parts.length > 0 ? parts.join(' · ') : null;
}
