/**
 * Webhooks against a WABA connected through the real flow (simulator over HTTP): shared WABAs, a
 * phone name decision, Meta removing the app (record disconnected, token and PIN erased, audited), and
 * a messages delivery that leaves no text, name or end-customer number in any table.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.js';
import { SEED, startMetaSimulator, type RunningSimulator } from '../../meta-simulator/index.js';
import { buildTestApp, createUser, sameOrigin, signInCookie, type TestApp } from '../../test-support/test-app.js';
import { useTestDatabase } from '../../test-support/test-db.js';
import { metaAppOf } from '../sandbox/sandbox-meta.js';
import { loadKeyRing } from '../vault/keyring.js';
import { deliver, envelope, events, everyRow, processAll } from './test-fixtures/webhook-harness.js';

const tdb = useTestDatabase();
let t: TestApp;
let sim: RunningSimulator;
let cookie: string;
let recordId: string;
const KEY = Buffer.alloc(32, 7).toString('base64');
const LS = SEED.luckyShrub;
const db = () => tdb.current.database.db;

beforeAll(async () => {
  const config = loadConfig({ DATA_DIR: '/nonexistent-test-data', ENCRYPTION_KEY: KEY });
  const meta = metaAppOf(config, loadKeyRing({ key: KEY, dataDir: config.dataDir, embedded: false }));
  sim = await startMetaSimulator({ appId: meta.appId, appSecret: meta.appSecret });
  t = await buildTestApp(tdb.current.database, { env: { META_GRAPH_URL: sim.url } });
  cookie = await signInCookie(t, (await createUser(tdb.current.database, 'admin')).email);
  const post = (url: string, payload?: Record<string, unknown>) => t.app.inject({ method: 'POST', url, headers: { ...sameOrigin, cookie }, ...(payload ? { payload } : {}) });
  const { attemptId, recordId: id } = (await post('/api/v1/onboarding/attempts')).json();
  recordId = id;
  await post(`/api/v1/onboarding/attempts/${attemptId}/session`, { event: 'FINISH', data: { waba_id: LS.wabaId, phone_number_id: LS.phoneNumberId, business_id: LS.businessId } });
  const { code } = sim.simulator.mintCode({ businessId: LS.businessId, wabaId: LS.wabaId, phoneNumberId: LS.phoneNumberId });
  const res = await post(`/api/v1/onboarding/attempts/${attemptId}/code`, { code });
  expect(res.json()).toMatchObject({ state: 'connected' });
});
afterAll(async () => {
  await t.app.close();
  await sim.close();
});

const vaultRows = async (id: string) => (await db().execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM vault_secrets WHERE owner_id = ${id}`)).rows[0]!.n;
const recordRow = async (id: string) => (await db().execute<{ state: string; reason: string | null; disconnected_at: Date | null; meta_status: Record<string, unknown> }>(sql`SELECT state, reason, disconnected_at, meta_status FROM onboarding_records WHERE id = ${id}`)).rows[0]!;

describe('webhooks for a connected WABA', () => {
  it('links a PARTNER_ADDED to the record in shared_wabas', async () => {
    const res = await deliver(t, envelope({ id: '999000111', time: 1780310000, changes: [{ field: 'account_update', value: { event: 'PARTNER_ADDED', waba_info: { waba_id: LS.wabaId, owner_business_id: LS.businessId } } }] }));
    expect(res.statusCode).toBe(200);
    await processAll(t);
    const shared = await db().execute<{ record_id: string; last_event: string; owner_business_id: string }>(sql`SELECT record_id, last_event, owner_business_id FROM shared_wabas WHERE waba_id = ${LS.wabaId}`);
    expect(shared.rows).toEqual([{ record_id: recordId, last_event: 'PARTNER_ADDED', owner_business_id: LS.businessId }]);
  });

  it('sets the name status of the phone matched by display number, with history', async () => {
    await deliver(t, envelope({ id: LS.wabaId, time: 1780310100, changes: [{ field: 'phone_number_name_update', value: { display_phone_number: '15550783881', decision: 'REJECTED', requested_verified_name: 'Lucky Shrub', rejection_reason: 'NAME_FORMAT_UNACCEPTABLE' } }] }));
    await processAll(t);
    const phone = await db().execute<{ name_status: string }>(sql`SELECT name_status FROM onboarding_phone_numbers WHERE record_id = ${recordId} AND phone_number_id = ${LS.phoneNumberId}`);
    expect(phone.rows[0]!.name_status).toBe('REJECTED');
    const hist = await db().execute<{ topic: string; phone_number_id: string }>(sql`SELECT topic, phone_number_id FROM onboarding_record_history WHERE record_id = ${recordId} AND source = 'phone_number_name_update'`);
    expect(hist.rows).toEqual([{ topic: 'name_status', phone_number_id: LS.phoneNumberId }]);
  });

  it('a FLAGGED quality update makes the phone RED (with its tier); UNFLAGGED later clears the RED', async () => {
    const phone = async () => (await db().execute<{ quality_rating: string | null; throughput: string | null }>(sql`SELECT quality_rating, throughput FROM onboarding_phone_numbers WHERE record_id = ${recordId} AND phone_number_id = ${LS.phoneNumberId}`)).rows[0]!;
    expect((await phone()).quality_rating).toBe('GREEN');
    await deliver(t, envelope({ id: LS.wabaId, time: 1780310150, changes: [{ field: 'phone_number_quality_update', value: { display_phone_number: '15550783881', event: 'FLAGGED', current_limit: 'TIER_1K' } }] }));
    await processAll(t);
    expect(await phone()).toEqual({ quality_rating: 'RED', throughput: 'TIER_1K' });
    await deliver(t, envelope({ id: LS.wabaId, time: 1780310160, changes: [{ field: 'phone_number_quality_update', value: { display_phone_number: '15550783881', event: 'UNFLAGGED', current_limit: 'TIER_1K' } }] }));
    await processAll(t);
    expect(await phone()).toEqual({ quality_rating: null, throughput: 'TIER_1K' });
  });

  it('counts a messages delivery and keeps no text, contact name or end-customer number anywhere', async () => {
    const TEXT = 'Canary text: does it come in another colour 7c1f?';
    const NAME = 'Sheena Canary-Nelson';
    const CUSTOMER = '16505559876';
    const value = {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '15550783881', phone_number_id: LS.phoneNumberId },
      contacts: [{ profile: { name: NAME }, wa_id: CUSTOMER }],
      messages: [{ from: CUSTOMER, id: 'wamid.CANARY-IN-1', timestamp: '1780310200', type: 'text', text: { body: TEXT } }],
      statuses: [
        { id: 'wamid.CANARY-OUT-1', status: 'sent', timestamp: '1780310150', recipient_id: CUSTOMER },
        { id: 'wamid.CANARY-OUT-1', status: 'delivered', timestamp: '1780310160', recipient_id: CUSTOMER },
        { id: 'wamid.CANARY-OUT-2', status: 'failed', timestamp: '1780310170', recipient_id: CUSTOMER, errors: [{ code: 131026, title: 'Message undeliverable', message: `to ${CUSTOMER}` }] },
      ],
    };
    expect((await deliver(t, envelope({ id: LS.wabaId, changes: [{ field: 'messages', value }] }))).statusCode).toBe(200);
    await processAll(t);
    const counters = await db().execute<{ kind: string; count: number }>(sql`SELECT kind, count FROM phone_message_counters WHERE phone_number_id = ${LS.phoneNumberId} ORDER BY kind`);
    expect(counters.rows).toEqual([
      { kind: 'delivered', count: 1 },
      { kind: 'failed', count: 1 },
      { kind: 'inbound', count: 1 },
      { kind: 'sent', count: 1 },
    ]);
    const all = await everyRow(t);
    for (const canary of [TEXT, 'Canary text', NAME, 'Sheena', CUSTOMER, 'wamid.CANARY']) expect(all, canary).not.toContain(canary);
    expect(t.logs.join('\n')).not.toContain(CUSTOMER);
  });

  it('disconnects the record on PARTNER_REMOVED: token and PIN erased, audited by Meta, history kept', async () => {
    expect(await vaultRows(recordId)).toBeGreaterThan(0);
    await deliver(t, envelope({ id: '999000111', time: 1780310300, changes: [{ field: 'account_update', value: { event: 'PARTNER_REMOVED', waba_info: { waba_id: LS.wabaId, owner_business_id: LS.businessId } } }] }));
    const s = await processAll(t);
    expect(s.failed).toBe(0);
    const rec = await recordRow(recordId);
    expect(rec).toMatchObject({ state: 'disconnected', reason: 'removed on Meta: PARTNER_REMOVED' });
    expect(rec.disconnected_at).not.toBeNull();
    expect(await vaultRows(recordId)).toBe(0);
    const audit = await db().execute<{ action: string; actor_type: string; details: unknown }>(sql`SELECT action, actor_type, details FROM audit_events WHERE target_id = ${recordId} AND action = 'onboarding.disconnected_by_meta'`);
    expect(audit.rows).toEqual([{ action: 'onboarding.disconnected_by_meta', actor_type: 'meta', details: { event: 'PARTNER_REMOVED' } }]);
    const shared = await db().execute<{ last_event: string }>(sql`SELECT last_event FROM shared_wabas WHERE waba_id = ${LS.wabaId}`);
    expect(shared.rows[0]!.last_event).toBe('PARTNER_REMOVED');
    const hist = await db().execute<{ topic: string }>(sql`SELECT topic FROM onboarding_record_history WHERE record_id = ${recordId} AND source = 'account_update' ORDER BY id`);
    expect(hist.rows.map((h) => h.topic)).toEqual(['partner', 'partner', 'state']);
    const ev = (await events(t)).at(-1)!;
    expect(ev).toMatchObject({ state: 'processed', record_id: recordId, waba_id: LS.wabaId });
    // an older PARTNER_ADDED arriving late does not bring the share back
    await deliver(t, envelope({ id: '999000111', time: 1780310250, changes: [{ field: 'account_update', value: { event: 'PARTNER_APP_INSTALLED', waba_info: { waba_id: LS.wabaId } } }] }));
    await processAll(t);
    expect((await db().execute<{ last_event: string }>(sql`SELECT last_event FROM shared_wabas WHERE waba_id = ${LS.wabaId}`)).rows[0]!.last_event).toBe('PARTNER_REMOVED');
    expect((await recordRow(recordId)).meta_status).toMatchObject({ partner: { value: { event: 'PARTNER_REMOVED' } } });
  });
});
