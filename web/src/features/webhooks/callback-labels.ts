/** Plain words for the Meta callbacks log (docs/API-v1-webhooks.md: callbacks). */
import { humanise } from '../../lib/format.js';
import type { CallbackKind, MetaCallback } from './api.js';

export const CALLBACK_KINDS: readonly CallbackKind[] = ['deauthorize', 'data_deletion'];

export const CALLBACK_KIND_LABELS: Record<CallbackKind, string> = {
  deauthorize: 'Deauthorize',
  data_deletion: 'Data deletion',
};

const RESULT_LABELS: Record<MetaCallback['outcome']['result'], string> = {
  matched: 'Matched',
  no_match: 'No match',
  repeat: 'Repeat',
};
const RESULT_COLORS: Record<MetaCallback['outcome']['result'], string> = { matched: 'blue', no_match: 'gray', repeat: 'gray' };

export function resultLabel(result: string): string {
  return RESULT_LABELS[result as MetaCallback['outcome']['result']] ?? humanise(result);
}
export function resultColor(result: string): string {
  return RESULT_COLORS[result as MetaCallback['outcome']['result']] ?? 'gray';
}

/** What the deauthorize callback did to one matched record (deauthorize.service.ts DeauthorizeResult). */
const RECORD_RESULTS: Record<string, string> = {
  disconnected: 'disconnected: Meta no longer honours its token, which was erased',
  kept: 'kept working: the token still works',
  check_failed: 'kept: Meta could not be asked whether the token still works',
  no_token: 'noted: no token was stored',
  running: 'noted: onboarding was running',
  already_disconnected: 'already disconnected',
  changed: 'left alone: it changed while being checked',
  failed: 'failed: see the server log',
};

export function recordResultLabel(result: string): string {
  return RECORD_RESULTS[result] ?? humanise(result).toLowerCase();
}

/** What a data deletion callback came to, in one sentence. */
export function deletionOutcome(o: MetaCallback['outcome']): string {
  const state = o.deletionRequest?.state ? humanise(o.deletionRequest.state).toLowerCase() : null;
  if (o.result === 'repeat') return `Repeat of an earlier request${state ? ` (then ${state})` : ''}; the same confirmation was sent again.`;
  if (o.result === 'no_match') return 'No data linked to this Meta user: the deletion request was completed at once.';
  const n = o.linkedRecords ?? 0;
  return `Deletion request opened${state ? ` (${state})` : ''}: ${n} linked WhatsApp account${n === 1 ? '' : 's'}.`;
}
