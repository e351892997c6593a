import type { CallbackKind, EventsFilters, WebhookEventState } from './api.js';
import { CALLBACK_KINDS } from './callback-labels.js';
import { STATES } from './labels.js';

export type WebhooksTab = 'events' | 'callbacks';

/** The page's tab and each tab's filters, as they appear in the address. */
export interface WebhooksParams extends EventsFilters {
  tab: WebhooksTab;
  kind: CallbackKind | '';
}

export function readEventsFilters(params: URLSearchParams): WebhooksParams {
  const state = params.get('state');
  const kind = params.get('kind');
  return {
    tab: params.get('tab') === 'callbacks' ? 'callbacks' : 'events',
    state: state !== null && (STATES as readonly string[]).includes(state) ? (state as WebhookEventState) : '',
    field: /^[a-z_]{1,60}$/.test(params.get('field') ?? '') ? (params.get('field') as string) : '',
    kind: kind !== null && (CALLBACK_KINDS as readonly string[]).includes(kind) ? (kind as CallbackKind) : '',
  };
}

export function writeEventsFilters(values: WebhooksParams): URLSearchParams {
  const params = new URLSearchParams();
  if (values.tab === 'callbacks') params.set('tab', 'callbacks');
  if (values.state) params.set('state', values.state);
  if (values.field) params.set('field', values.field);
  if (values.kind) params.set('kind', values.kind);
  return params;
}

export function hasEventFilters(values: EventsFilters): boolean {
  return Boolean(values.state || values.field);
}
