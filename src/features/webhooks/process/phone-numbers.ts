/**
 * `phone_number_name_update` (the display name decision → onboarding_phone_numbers.name_status) and
 * `phone_number_quality_update` (the messaging limit tier → onboarding_phone_numbers.throughput;
 * FLAGGED → quality_rating RED, UNFLAGGED clears a RED), for the phone rows of the WABA's records
 * matching the display number (digits only) or phone number id.
 * Each phone's topic is kept in the record's meta_status with the event's time: older events lose.
 */
import type { Tx } from '../../../db/client.js';
import { messages } from '../../notifications/messages.js';
import { notify } from '../../notifications/notify.js';
import type { WebhookEventRow } from '../webhooks.repo.js';
import { applyTopic, type EventRef } from './meta-status.js';
import { lockRecordsOfWaba, phonesOfWaba, updatePhoneRow } from './process.repo.js';
import { NO_RECORD, payloadOf, str, type Outcome, type ProcessDeps } from './process.types.js';

/**
 * The quality rating a quality event implies: FLAGGED means Meta rated the number Low (RED);
 * UNFLAGGED means it is no longer Low, without saying what it is now (a stored RED becomes unknown
 * until the next lookup). Other events (DOWNGRADE, UPGRADE: the messaging limit) leave it.
 */
function qualityAfter(event: string | null, current: string | null): { qualityRating?: string | null } {
  if (event === 'FLAGGED') return { qualityRating: 'RED' };
  if (event === 'UNFLAGGED' && current?.toUpperCase() === 'RED') return { qualityRating: null };
  return {};
}

/** Applies one phone number name or quality event. */
export async function applyPhoneNumberUpdate(tx: Tx, deps: ProcessDeps, ev: WebhookEventRow): Promise<Outcome> {
  const value = payloadOf(ev.payload);
  if (!ev.wabaId) return { recordId: null, note: { waba: 'none' } };
  const recs = await lockRecordsOfWaba(tx, ev.wabaId);
  if (recs.length === 0) return NO_RECORD;
  const digits = (str(value.display_phone_number, 40) ?? '').replace(/\D/g, '') || null;
  const phones = await phonesOfWaba(tx, ev.wabaId, { digits, phoneNumberId: ev.phoneNumberId ?? str(value.phone_number_id, 40) });
  if (phones.length === 0) return { recordId: recs[0]!.id, note: { phone: 'none' } };
  const ref: EventRef = { id: ev.id, field: ev.field, at: ev.eventAt ?? ev.receivedAt };
  const now = deps.clock.now();
  const byId = new Map(recs.map((r) => [r.id, r]));
  for (const p of phones) {
    const rec = byId.get(p.recordId);
    if (!rec) continue;
    if (ev.field === 'phone_number_name_update') {
      const decision = str(value.decision, 40);
      const after = { decision, rejectionReason: str(value.rejection_reason, 80) };
      if (decision && (await applyTopic(tx, rec, `phone_name:${p.phoneNumberId}`, after, ref, now, { phoneNumberId: p.phoneNumberId, historyTopic: 'name_status' }))) {
        await updatePhoneRow(tx, p.rowId, { nameStatus: decision });
      }
    } else {
      const tier = str(value.max_daily_conversations_per_business, 40) ?? str(value.current_limit, 40);
      const after = { event: str(value.event, 40), tier };
      if (await applyTopic(tx, rec, `phone_tier:${p.phoneNumberId}`, after, ref, now, { phoneNumberId: p.phoneNumberId, historyTopic: 'messaging_limit' })) {
        const patch = { ...(tier ? { throughput: tier } : {}), ...qualityAfter(after.event, p.qualityRating) };
        if (Object.keys(patch).length > 0) await updatePhoneRow(tx, p.rowId, patch);
        // only the drop to RED is news: a number already RED is not notified again
        if (patch.qualityRating === 'RED' && p.qualityRating?.toUpperCase() !== 'RED') {
          await notify(tx, now, messages.phoneQualityRed(rec.id, p.phoneNumberId, ev.id, digits ? `+${digits}` : null));
        }
      }
    }
  }
  return { recordId: phones[0]!.recordId, note: null };
}
