/** Reading meta_status as written by webhook processing and the deauthorize callback into the API's typed shape. */
import { describe, expect, it } from 'vitest';
import { DEAUTHORIZED_NOTE, REMOVED_ON_META } from '../meta-callbacks/deauthorize.service.js';
import { removedOnMeta } from '../webhooks/process/account-update.js';
import { metaStatusSchema, presentCounters, presentHistory, presentMetaStatus, presentPhoneMeta } from './onboarding-meta-status.js';

const T1 = '2026-06-01T10:00:00.000Z';
const T2 = '2026-06-02T10:00:00.000Z';
const base = { state: 'connected' as const, reason: null, disconnectedAt: null, connectedAt: new Date('2026-05-01T00:00:00Z') };

describe('presentMetaStatus', () => {
  it('reads every topic processing writes', () => {
    const metaStatus = {
      ban: { value: { state: 'DISABLE', date: 'June 1, 2026' }, at: T1 },
      violation: { value: { type: 'SCAM' }, at: T1 },
      review: { value: { decision: 'REJECTED' }, at: T2 },
      capabilities: { value: { maxDailyConversationsPerBusiness: 'TIER_1K', maxDailyConversationPerPhone: null, maxPhoneNumbersPerBusiness: '25', maxPhoneNumbersPerWaba: null }, at: T1 },
      partner: { value: { event: 'PARTNER_ADDED' }, at: T1 },
      account: { value: { event: 'ACCOUNT_RECONNECTED' }, at: T2 },
      deauthorized: { at: T2, note: DEAUTHORIZED_NOTE },
    };
    const view = presentMetaStatus({ ...base, metaStatus });
    expect(view).toEqual({
      ban: { state: 'DISABLE', date: 'June 1, 2026', at: new Date(T1) },
      violation: { type: 'SCAM', at: new Date(T1) },
      review: { decision: 'REJECTED', at: new Date(T2) },
      capabilities: { maxDailyConversationsPerBusiness: 'TIER_1K', maxDailyConversationPerPhone: null, maxPhoneNumbersPerBusiness: '25', maxPhoneNumbersPerWaba: null, at: new Date(T1) },
      partner: { event: 'PARTNER_ADDED', shared: true, at: new Date(T1) },
      reconnected: { at: new Date(T2) },
      appRemovedByConnector: { at: new Date(T2), tokenChecked: true },
      removedOnMeta: null,
    });
    expect(metaStatusSchema.safeParse(view).success).toBe(true);
  });

  it('shows nothing for an empty or malformed meta_status, and never throws', () => {
    const empty = { ban: null, violation: null, review: null, capabilities: null, partner: null, reconnected: null, appRemovedByConnector: null, removedOnMeta: null };
    for (const metaStatus of [{}, null, [], 'x', { ban: 'DISABLE', review: { value: 'x', at: 'not a date' }, deauthorized: { note: DEAUTHORIZED_NOTE } }]) {
      expect(presentMetaStatus({ ...base, metaStatus })).toEqual(empty);
    }
    // a topic with a broken value still shows that Meta reported it
    expect(presentMetaStatus({ ...base, metaStatus: { ban: { value: 7, at: T1 } } }).ban).toEqual({ state: null, date: null, at: new Date(T1) });
  });

  it('says when the token could not be checked, and drops the notice once a later connection superseded it', () => {
    const unchecked = presentMetaStatus({ ...base, metaStatus: { deauthorized: { at: T1, note: 'the person who connected it removed the app; Meta could not be asked whether the token still works' } } });
    expect(unchecked.appRemovedByConnector).toEqual({ at: new Date(T1), tokenChecked: false });
    const reconnected = presentMetaStatus({ ...base, connectedAt: new Date(T2), metaStatus: { deauthorized: { at: T1, note: DEAUTHORIZED_NOTE } } });
    expect(reconnected.appRemovedByConnector).toBeNull();
  });

  it('names the Meta removal that disconnected the record (webhook event or deauthorize), and nothing for other reasons', () => {
    const at = new Date(T2);
    expect(presentMetaStatus({ ...base, state: 'disconnected', reason: removedOnMeta('PARTNER_REMOVED'), disconnectedAt: at, metaStatus: { partner: { value: { event: 'PARTNER_REMOVED' }, at: T1 } } })).toMatchObject({
      removedOnMeta: { event: 'PARTNER_REMOVED', at },
      partner: { event: 'PARTNER_REMOVED', shared: false },
    });
    expect(presentMetaStatus({ ...base, state: 'disconnected', reason: REMOVED_ON_META, disconnectedAt: at, metaStatus: {} }).removedOnMeta).toEqual({ event: 'deauthorize', at });
    expect(presentMetaStatus({ ...base, state: 'disconnected', reason: 'disconnected', disconnectedAt: at, metaStatus: {} }).removedOnMeta).toBeNull();
    // the reason alone does not make a connected record "removed"
    expect(presentMetaStatus({ ...base, reason: REMOVED_ON_META, metaStatus: {} }).removedOnMeta).toBeNull();
  });
});

describe('presentPhoneMeta, presentCounters, presentHistory', () => {
  it('reads the per-phone topics', () => {
    const metaStatus = { 'phone_name:111': { value: { decision: 'REJECTED', rejectionReason: 'NAME_FORMAT_UNACCEPTABLE' }, at: T1 }, 'phone_tier:111': { value: { event: 'FLAGGED', tier: 'TIER_1K' }, at: T2 } };
    expect(presentPhoneMeta(metaStatus, '111')).toEqual({
      name: { decision: 'REJECTED', rejectionReason: 'NAME_FORMAT_UNACCEPTABLE', at: new Date(T1) },
      quality: { event: 'FLAGGED', tier: 'TIER_1K', at: new Date(T2) },
    });
    expect(presentPhoneMeta(metaStatus, '222')).toEqual({ name: null, quality: null });
  });

  it('folds counter rows: every kind present, unknown kinds as other, the newest time', () => {
    const at1 = new Date(T1);
    const at2 = new Date(T2);
    expect(presentCounters([])).toEqual({ inbound: 0, sent: 0, delivered: 0, read: 0, failed: 0, played: 0, other: 0, lastEventAt: null });
    expect(
      presentCounters([
        { kind: 'sent', count: 3, lastEventAt: at1 },
        { kind: 'inbound', count: 2, lastEventAt: at2 },
        { kind: 'weird', count: 1, lastEventAt: null },
        { kind: 'other', count: 4, lastEventAt: at1 },
      ]),
    ).toEqual({ inbound: 2, sent: 3, delivered: 0, read: 0, failed: 0, played: 0, other: 5, lastEventAt: at2 });
  });

  it('keeps flat facts of history values and drops nested ones', () => {
    const at = new Date(T1);
    expect(presentHistory({ id: 1, at, source: 'account_update', topic: 'state', phoneNumberId: null, before: { state: 'connected', nested: { x: 1 }, list: [1] }, after: { state: 'disconnected', event: 'PARTNER_REMOVED' } })).toEqual({
      id: 1,
      at,
      source: 'account_update',
      topic: 'state',
      phoneNumberId: null,
      before: { state: 'connected' },
      after: { state: 'disconnected', event: 'PARTNER_REMOVED' },
    });
    expect(presentHistory({ id: 2, at, source: 's', topic: 't', phoneNumberId: '1', before: null, after: 'x'.repeat(500) }).after).toEqual({ value: 'x'.repeat(200) });
  });
});
