import type { EventsFilters, WebhookEventState } from './api.js';
import { STATES } from './labels.js';

export function readEventsFilters(params: URLSearchParams): EventsFilters {
  const state = params.get('state');
  return {
    state: state !== null && (STATES as readonly string[]).includes(state) ? (state as WebhookEventState) : '',
    field: /^[a-z_]{1,60}$/.test(params.get('field') ?? '') ? (params.get('field') as string) : '',
  };
}

export function writeEventsFilters(values: EventsFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (values.state) params.set('state', values.state);
  if (values.field) params.set('field', values.field);
  return params;
}

export function hasEventFilters(values: EventsFilters): boolean {
  return Boolean(values.state || values.field);
}
