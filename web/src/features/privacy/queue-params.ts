import type { QueueFilters } from './api.js';
import { KINDS, SOURCES, STATES } from './labels.js';

/** The queue's default: open requests of every kind, source and urgency. */
export const NO_FILTERS: QueueFilters = { state: 'open', kind: '', source: '', urgency: '' };

function oneOf<T extends string>(value: string | null, allowed: readonly T[]): T | '' {
  return value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : '';
}

/** The queue's filters as they appear in the address (the overview links to them); `state=all` means every state. */
export function readQueueFilters(params: URLSearchParams): QueueFilters {
  const state = params.get('state');
  return {
    state: state === null ? 'open' : state === 'all' ? '' : oneOf(state, STATES) || 'open',
    kind: oneOf(params.get('kind'), KINDS),
    source: oneOf(params.get('source'), SOURCES),
    urgency: oneOf(params.get('urgency'), ['overdue', 'due_soon'] as const),
  };
}

export function writeQueueFilters(f: QueueFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (f.state !== 'open') params.set('state', f.state || 'all');
  if (f.kind) params.set('kind', f.kind);
  if (f.source) params.set('source', f.source);
  if (f.urgency) params.set('urgency', f.urgency);
  return params;
}
