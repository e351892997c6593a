/**
 * Refresh against the Meta simulator over real HTTP: token health and phone numbers updated, a
 * revoked or expired token (or a 190 on a lookup) turns the record "reconnect needed" once, other
 * Graph failures change nothing, and refreshAll goes on past a failing record.
 */
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { SEED } from '../../meta-simulator/index.js';
import { useTestDatabase } from '../../test-support/test-db.js';
import { GraphError } from '../meta/graph-error.js';
import { refreshAll, refreshRecord } from './onboarding-refresh.js';
import { updateRecord } from './onboarding.repo.js';
import { receiveCode, receiveSessionInfo, startAttempt } from './onboarding.service.js';
import { REASONS, sessionEventSchema, SYSTEM_ACTOR } from './onboarding.types.js';
import { startOnboardingHarness, type OnboardingHarness } from './test-fixtures/onboarding-harness.js';

const LS = SEED.luckyShrub;
const JM = SEED.jaspersMarket;
const tdb = useTestDatabase();
let t: OnboardingHarness | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function setup(o: Parameters<typeof startOnboardingHarness>[1] = {}) {
  t = await startOnboardingHarness(tdb.current.database, o);
  return t;
}

/** Runs Embedded Signup to `connected` for a WABA (with its number when given). */
async function connect(h: OnboardingHarness, a: { businessId: string; wabaId: string; phoneNumberId?: string; scenario?: 'token_expires_in_3_days' }) {
  const { attemptId } = await startAttempt(h.deps, { linkId: await h.linkId() });
  const data = { waba_id: a.wabaId, business_id: a.businessId, ...(a.phoneNumberId ? { phone_number_id: a.phoneNumberId } : {}) };
  await receiveSessionInfo(h.deps, attemptId, sessionEventSchema.parse({ event: a.phoneNumberId ? 'FINISH' : 'FINISH_ONLY_WABA', data }));
  const code = h.mint({ businessId: a.businessId, wabaId: a.wabaId, ...(a.phoneNumberId ? { phoneNumberId: a.phoneNumberId } : {}), ...(a.scenario ? { scenario: a.scenario } : {}) });
  const out = await receiveCode(h.deps, attemptId, code);
  expect(out.state).toBe('connected');
  return out.recordId;
}
const connectLS = (h: OnboardingHarness) => connect(h, { businessId: LS.businessId, wabaId: LS.wabaId, phoneNumberId: LS.phoneNumberId });

describe('refreshRecord', () => {
  it('re-checks the token and replaces the WABA name and phone numbers with what Meta says now', async () => {
    const h = await setup();
    const recordId = await connectLS(h);
    const before = await h.read(recordId);
    expect(before.phoneNumbers).toHaveLength(2);
    // Meanwhile at Meta: the WABA is renamed, a number's quality drops, the unverified number is gone.
    h.h.sim.world.wabas.get(LS.wabaId)!.name = 'Lucky Shrub Garden';
    h.h.sim.world.phoneNumbers.get(LS.phoneNumberId)!.qualityRating = 'YELLOW';
    h.h.sim.world.phoneNumbers.delete(LS.unverifiedPhoneNumberId);
    h.h.clock.advance(86_400_000);

    const out = await refreshRecord(h.deps, recordId, SYSTEM_ACTOR);
    expect(out).toEqual({ recordId, state: 'connected', reason: null });
    const r = await h.read(recordId);
    expect(r.record).toMatchObject({ wabaName: 'Lucky Shrub Garden', tokenType: 'SYSTEM_USER', tokenUserId: before.record.tokenUserId, tokenVerifiedAt: h.h.clock.now() });
    expect(r.record.tokenExpiresAt).toEqual(before.record.tokenExpiresAt);
    expect(r.record.tokenScopes).toEqual(before.record.tokenScopes);
    expect(r.phoneNumbers).toHaveLength(1);
    expect(r.phoneNumbers[0]).toMatchObject({ phoneNumberId: LS.phoneNumberId, qualityRating: 'YELLOW', lookedUpAt: h.h.clock.now() });
    // one audited decryption, no state change event
    expect(await h.auditActions(recordId)).toEqual(['onboarding.started', 'onboarding.connected']);
    const uses = await h.deps.db.execute<{ purpose: string }>(sql`SELECT details->>'purpose' AS purpose FROM audit_events WHERE target_id = ${recordId} AND action = 'vault.secret_used'`);
    expect(uses.rows.map((u) => u.purpose)).toContain('onboarding_refresh');
  });

  it('a revoked token: action_required "reconnect needed", audited once, phone numbers kept', async () => {
    const h = await setup();
    const recordId = await connectLS(h);
    const phonesBefore = (await h.read(recordId)).phoneNumbers;
    expect(h.h.sim.revokeTokens({ wabaId: LS.wabaId }, 'app_removed')).toBe(1);

    const out = await refreshRecord(h.deps, recordId, SYSTEM_ACTOR);
    expect(out).toEqual({ recordId, state: 'action_required', reason: REASONS.reconnect });
    const r = await h.read(recordId);
    expect(r.record).toMatchObject({ state: 'action_required', reason: 'reconnect needed', errorCode: 190 });
    expect(r.phoneNumbers).toEqual(phonesBefore);
    expect(r.vault.token).toBe(true);
    expect(await h.auditActions(recordId)).toEqual(['onboarding.started', 'onboarding.connected', 'onboarding.token_invalid']);
    const ev = await h.deps.db.execute<{ details: unknown }>(sql`SELECT details FROM audit_events WHERE target_id = ${recordId} AND action = 'onboarding.token_invalid'`);
    expect(ev.rows[0]!.details).toEqual({ metaError: 190 });

    // a second refresh finds the same: no second event
    expect(await refreshRecord(h.deps, recordId, SYSTEM_ACTOR)).toEqual(out);
    expect(await h.auditActions(recordId)).toEqual(['onboarding.started', 'onboarding.connected', 'onboarding.token_invalid']);
    // nothing of the token in the logs
    const token = await h.secret(recordId, 'waba_token');
    expect(h.h.logs.join('\n')).not.toContain(token);
  });

  it('an expired token is "reconnect needed" too', async () => {
    const h = await setup();
    const recordId = await connect(h, { businessId: LS.businessId, wabaId: LS.wabaId, phoneNumberId: LS.phoneNumberId, scenario: 'token_expires_in_3_days' });
    h.h.clock.advance(4 * 86_400_000);
    expect(await refreshRecord(h.deps, recordId, SYSTEM_ACTOR)).toEqual({ recordId, state: 'action_required', reason: REASONS.reconnect });
  });

  it('a 190 on a lookup is "reconnect needed"; any other Graph failure is thrown and changes nothing', async () => {
    const h = await setup();
    const recordId = await connectLS(h);
    const before = (await h.read(recordId)).record;
    h.h.clock.advance(60_000);

    h.h.sim.injectFault({ code: 100, message: 'Unsupported get request.', path: `/${LS.wabaId}/phone_numbers` });
    const err = await refreshRecord(h.deps, recordId, SYSTEM_ACTOR).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GraphError);
    expect(err).toMatchObject({ code: 100 });
    expect((await h.read(recordId)).record).toEqual(before);

    h.h.sim.injectFault({ code: 190, subcode: 460, message: 'Error validating access token: the session has been invalidated.', path: `/${LS.wabaId}/phone_numbers` });
    expect(await refreshRecord(h.deps, recordId, SYSTEM_ACTOR)).toEqual({ recordId, state: 'action_required', reason: REASONS.reconnect });
    expect((await h.read(recordId)).record).toMatchObject({ errorCode: 190, errorSubcode: 460 });
  });

  it('"reconnect needed" stays with a valid token (a reconnect fixes it); other states are refused', async () => {
    const h = await setup();
    const recordId = await connectLS(h);
    await updateRecord(h.deps.db, recordId, { state: 'action_required', reason: REASONS.reconnect }, h.h.clock.now());
    h.h.sim.world.wabas.get(LS.wabaId)!.name = 'Renamed';
    expect(await refreshRecord(h.deps, recordId, SYSTEM_ACTOR)).toEqual({ recordId, state: 'action_required', reason: REASONS.reconnect });
    expect((await h.read(recordId)).record.wabaName).toBe('Renamed');

    const { recordId: startedId } = await startAttempt(h.deps, { linkId: await h.linkId() });
    await expect(refreshRecord(h.deps, startedId, SYSTEM_ACTOR)).rejects.toMatchObject({ kind: 'conflict' });
    await expect(refreshRecord(h.deps, '00000000-0000-4000-8000-000000000000', SYSTEM_ACTOR)).rejects.toMatchObject({ kind: 'not_found' });
    await h.deps.db.execute(sql`DELETE FROM vault_secrets WHERE owner_id = ${recordId}`);
    await expect(refreshRecord(h.deps, recordId, SYSTEM_ACTOR)).rejects.toMatchObject({ kind: 'conflict' });
  });
});

describe('refreshAll', () => {
  it('refreshes every connected record in batches and goes on past a failing one', async () => {
    const h = await setup();
    const ids = {
      ls: await connectLS(h),
      us: await connect(h, { businessId: JM.businessId, wabaId: JM.usWabaId }),
      eu: await connect(h, { businessId: JM.businessId, wabaId: JM.euWabaId }),
    };
    const wabaOf = { [ids.ls]: LS.wabaId, [ids.us]: JM.usWabaId, [ids.eu]: JM.euWabaId };
    // refreshAll goes by id: the first record fails (not a token problem), the second has its token revoked
    const [first, second, third] = Object.values(ids).sort();
    h.h.sim.injectFault({ code: 100, message: 'Unsupported get request.', path: `/${wabaOf[first!]}/phone_numbers` });
    h.h.sim.revokeTokens({ wabaId: wabaOf[second!] });
    h.h.sim.world.wabas.get(wabaOf[third!]!)!.name = 'Renamed at Meta';
    // not connected: left alone
    await startAttempt(h.deps, { linkId: await h.linkId() });
    h.h.clock.advance(3_600_000);

    const summary = await refreshAll(h.deps, { batchSize: 1 });
    expect(summary).toEqual({ checked: 3, connected: 1, reconnectNeeded: 1, failed: 1 });
    expect((await h.read(first!)).record.state).toBe('connected');
    expect((await h.read(first!)).record.tokenVerifiedAt).not.toEqual(h.h.clock.now());
    expect((await h.read(second!)).record).toMatchObject({ state: 'action_required', reason: REASONS.reconnect });
    expect((await h.read(third!)).record).toMatchObject({ state: 'connected', wabaName: 'Renamed at Meta', tokenVerifiedAt: h.h.clock.now() });
    const failed = h.h.logs.map((l) => JSON.parse(l) as { msg: string; onboarding?: { recordId: string }; failure?: Record<string, unknown> }).filter((l) => l.msg.startsWith('onboarding refresh failed'));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ onboarding: { recordId: first }, failure: { name: 'GraphError', code: 100 } });
    const logs = h.h.logs.join('\n');
    for (const id of Object.values(ids)) expect(logs).not.toContain(await h.secret(id, 'waba_token'));
  });
});
