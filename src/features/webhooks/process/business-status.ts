/**
 * `account_review_update` (meta_status.review) and `business_capability_update`
 * (meta_status.capabilities), each by the event's own time, with history.
 */
import type { Tx } from '../../../db/client.js';
import type { WebhookEventRow } from '../webhooks.repo.js';
import { applyTopic, type EventRef } from './meta-status.js';
import { lockRecordsOfWaba } from './process.repo.js';
import { NO_RECORD, payloadOf, str, type Outcome, type ProcessDeps } from './process.types.js';

/** Applies one account_review_update or business_capability_update event to every record of the WABA. */
export async function applyBusinessStatus(tx: Tx, deps: ProcessDeps, ev: WebhookEventRow): Promise<Outcome> {
  const value = payloadOf(ev.payload);
  if (!ev.wabaId) return { recordId: null, note: { waba: 'none' } };
  const recs = await lockRecordsOfWaba(tx, ev.wabaId);
  if (recs.length === 0) return NO_RECORD;
  const ref: EventRef = { id: ev.id, field: ev.field, at: ev.eventAt ?? ev.receivedAt };
  const now = deps.clock.now();
  const [topic, after] =
    ev.field === 'account_review_update'
      ? ['review', { decision: str(value.decision, 40) }]
      : [
          'capabilities',
          {
            maxDailyConversationsPerBusiness: str(value.max_daily_conversations_per_business, 40),
            maxDailyConversationPerPhone: str(value.max_daily_conversation_per_phone, 40),
            maxPhoneNumbersPerBusiness: str(value.max_phone_numbers_per_business, 40),
            maxPhoneNumbersPerWaba: str(value.max_phone_numbers_per_waba, 40),
          },
        ];
  for (const rec of recs) await applyTopic(tx, rec, topic, after, ref, now);
  return { recordId: recs[0]!.id, note: null };
}
