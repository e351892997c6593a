/**
 * `account_update`: the WABA shared with the app (PARTNER_ADDED, PARTNER_APP_INSTALLED → shared_wabas),
 * the app's access ended on Meta (PARTNER_APP_UNINSTALLED, PARTNER_REMOVED, ACCOUNT_DELETED,
 * ACCOUNT_OFFBOARDED → the record is disconnected, its token and PIN erased, audited), bans, violations
 * and reconnection (→ meta_status and history).
 */
import type { Tx } from '../../../db/client.js';
import { recordAudit } from '../../audit/audit.service.js';
import { messages } from '../../notifications/messages.js';
import { notify } from '../../notifications/notify.js';
import { updateRecord } from '../../onboarding/onboarding.repo.js';
import { deleteOwnerSecrets } from '../../vault/vault.service.js';
import type { WebhookEventRow } from '../webhooks.repo.js';
import { DISCONNECT_EVENTS, SHARE_EVENTS } from '../webhook-fields.js';
import { applyTopic, isCurrent, type EventRef } from './meta-status.js';
import { insertHistory, lockRecordsOfWaba, updateSharedWabaEvent, upsertSharedWaba, type RecordState } from './process.repo.js';
import { NO_RECORD, obj, payloadOf, str, type Outcome, type ProcessDeps } from './process.types.js';

const DISCONNECT = new Set<string>(DISCONNECT_EVENTS);
const SHARE = new Set<string>(SHARE_EVENTS);

/** The record that stands for the WABA: the first not disconnected, else the first. */
const primary = (recs: RecordState[]): RecordState | undefined => recs.find((r) => r.state !== 'disconnected') ?? recs[0];

/** The reason a record disconnected by Meta carries. */
export const removedOnMeta = (event: string) => `removed on Meta: ${event}`;

/** Applies one account_update event. */
export async function applyAccountUpdate(tx: Tx, deps: ProcessDeps, ev: WebhookEventRow): Promise<Outcome> {
  const value = payloadOf(ev.payload);
  const event = str(value.event, 80) ?? '';
  const wabaId = ev.wabaId;
  if (!wabaId) return { recordId: null, note: { waba: 'none' } };
  const ref: EventRef = { id: ev.id, field: ev.field, at: ev.eventAt ?? ev.receivedAt };
  const now = deps.clock.now();
  const recs = await lockRecordsOfWaba(tx, wabaId);
  const rec = primary(recs);

  if (SHARE.has(event)) {
    const info = obj(value.waba_info);
    await upsertSharedWaba(tx, { wabaId, ownerBusinessId: str(info.owner_business_id, 40), at: ref.at, event, recordId: rec?.id ?? null });
    if (!rec) return NO_RECORD;
    await applyTopic(tx, rec, 'partner', { event }, ref, now);
    return { recordId: rec.id, note: null };
  }

  if (DISCONNECT.has(event)) {
    await updateSharedWabaEvent(tx, wabaId, event, ref.at);
    if (!rec) return NO_RECORD;
    const outcome: Record<string, unknown> = {};
    for (const r of recs) {
      if (!isCurrent(r, 'partner', ref.at)) {
        outcome[r.id] = 'older than the stored event';
        continue;
      }
      await applyTopic(tx, r, 'partner', { event }, ref, now);
      // a record connected (again) after Meta's event is not what the event removed
      if (r.state === 'disconnected' || (r.connectedAt && r.connectedAt.getTime() > ref.at.getTime())) continue;
      await deleteOwnerSecrets(tx, { ownerType: 'onboarding', ownerId: r.id });
      await updateRecord(tx, r.id, { state: 'disconnected', reason: removedOnMeta(event), disconnectedAt: now }, now);
      await recordAudit(tx, deps.clock, { actorType: 'meta', actorId: null, requestId: null }, {
        action: 'onboarding.disconnected_by_meta',
        targetType: 'onboarding',
        targetId: r.id,
        details: { event },
      });
      await insertHistory(tx, { recordId: r.id, phoneNumberId: null, at: ref.at, source: ev.field, topic: 'state', before: { state: r.state }, after: { state: 'disconnected', event }, webhookEventId: ev.id });
      await notify(tx, now, messages.connectionRemoved(r.id, ev.id, `WABA ${wabaId}`, event));
      outcome[r.id] = 'disconnected';
    }
    return { recordId: rec.id, note: { records: outcome } };
  }

  if (!rec) return NO_RECORD;
  switch (event) {
    case 'ACCOUNT_RECONNECTED':
      await applyTopic(tx, rec, 'account', { event }, ref, now);
      break;
    case 'DISABLED_UPDATE': {
      const ban = obj(value.ban_info);
      const state = str(ban.waba_ban_state, 40);
      if ((await applyTopic(tx, rec, 'ban', { state, date: str(ban.waba_ban_date, 40) }, ref, now)) && state && state !== 'REINSTATE') {
        await notify(tx, now, messages.wabaRestricted(rec.id, ev.id, `WABA ${wabaId}`, `a ban (${state})`));
      }
      break;
    }
    case 'ACCOUNT_VIOLATION': {
      const v = obj(value.violation_info);
      const type = str(v.violation_type, 100);
      if (await applyTopic(tx, rec, 'violation', { type }, ref, now)) {
        await notify(tx, now, messages.wabaRestricted(rec.id, ev.id, `WABA ${wabaId}`, `a policy violation${type ? ` (${type})` : ''}`));
      }
      break;
    }
    default:
      return { recordId: rec.id, note: { applied: 'nothing (event not tracked)' } };
  }
  return { recordId: rec.id, note: null };
}
