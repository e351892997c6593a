/** Words for privacy request states, kinds, sources and urgency. */
import type { RequestKind, RequestSource, RequestState, Urgency } from './api.js';

export const STATE_LABELS: Record<RequestState, string> = {
  received: 'Received',
  verifying: 'Verifying',
  in_progress: 'In progress',
  completed: 'Completed',
  rejected: 'Rejected',
  cancelled: 'Cancelled',
};

export const STATE_COLORS: Record<RequestState, string> = {
  received: 'gray',
  verifying: 'yellow',
  in_progress: 'blue',
  completed: 'green',
  rejected: 'red',
  cancelled: 'gray',
};

export const KIND_LABELS: Record<RequestKind, string> = { access: 'Copy of data', correction: 'Correction', deletion: 'Deletion' };

export const SOURCE_LABELS: Record<RequestSource, string> = { self: 'My data', public_form: 'Public form', meta_callback: 'Meta callback', admin: 'Filed by admin' };

export const URGENCY_LABELS: Record<Urgency, string> = { overdue: 'Overdue', due_soon: 'Due soon', on_time: 'On time', closed: 'Closed' };

export const STATES = Object.keys(STATE_LABELS) as RequestState[];
export const KINDS = Object.keys(KIND_LABELS) as RequestKind[];
export const SOURCES = Object.keys(SOURCE_LABELS) as RequestSource[];
