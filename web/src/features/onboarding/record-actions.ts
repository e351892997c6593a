import { REASON_PIN_ALREADY_SET, REASON_RECONNECT_NEEDED, type RecordDetail } from './api.js';

export type OfferedAction = 'retry' | 'enterPin' | 'refresh' | 'reconnect' | 'disconnect';

/**
 * What the UI offers for a record (docs/API-v1-onboarding.md, "What a UI offers"), limited by the
 * caller's abilities: onboarding.retry for retry and refresh, onboarding.manage for the rest.
 */
export function offeredActions(record: RecordDetail, can: (ability: string) => boolean): OfferedAction[] {
  const { state, reason } = record;
  const tokenStored = record.token.stored;
  const offered: OfferedAction[] = [];
  if (can('onboarding.retry')) {
    const blocked = reason === REASON_RECONNECT_NEEDED || reason === REASON_PIN_ALREADY_SET;
    if ((state === 'failed' || state === 'action_required') && !blocked) offered.push('retry');
    if ((state === 'connected' || state === 'action_required') && tokenStored) offered.push('refresh');
  }
  if (can('onboarding.manage')) {
    if (state === 'action_required' && reason === REASON_PIN_ALREADY_SET) offered.push('enterPin');
    if (state !== 'started' && state !== 'in_progress' && record.wabaId !== null) offered.push('reconnect');
    if (tokenStored && state !== 'disconnected') offered.push('disconnect');
  }
  return offered;
}

/** The connect page for a reconnect of this record (server-rendered: the whole window goes there). */
export function reconnectUrl(recordId: string): string {
  return `/connect?record=${encodeURIComponent(recordId)}`;
}
