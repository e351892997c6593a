/**
 * Canary scan over the HTTP API: complete onboardings against a standalone Meta simulator over real
 * HTTP (staff connect, a reconnect, a customer link, PIN already set then entered, failures, retry,
 * refresh, disconnect) with planted canary values (app secret, webhook verify token, an entered PIN)
 * plus every business token the simulator issued, every code and every PIN. Afterwards none of them
 * may appear in any response (body or headers), any log line, any audit row, or any table but
 * vault_secrets (nor the customer link token in a log line or table). The PIN reveal (the one
 * allowed exception) is not called here.
 */
import { sql } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.js';
import { SEED, startMetaSimulator, type MintCodeInput, type RunningSimulator } from '../../meta-simulator/index.js';
import { buildTestApp, createUser, sameOrigin, signInCookie, type TestApp } from '../../test-support/test-app.js';
import { useTestDatabase } from '../../test-support/test-db.js';
import { metaAppOf } from '../sandbox/sandbox-meta.js';
import { loadKeyRing } from '../vault/keyring.js';
import { useSecret } from '../vault/vault.service.js';
import { pinRef, SYSTEM_ACTOR, tokenRef } from './onboarding.types.js';

const LS = SEED.luckyShrub;
const JM = SEED.jaspersMarket;
const GG = SEED.greenGrocer;
const KEY = Buffer.alloc(32, 7).toString('base64');
const DATA_DIR = '/nonexistent-test-data';
/** planted canaries */
const APP_SECRET = 'canary-app-secret-9f4c2e7a1b6d';
const VERIFY_TOKEN = 'canary-verify-token-5e1d3b8c';
const EXISTING_PIN = '864209';
const ENV = {
  META_GRAPH_URL: '',
  META_APP_SECRET: APP_SECRET,
  META_WEBHOOK_VERIFY_TOKEN: VERIFY_TOKEN,
  META_WEBHOOK_OVERRIDE_URL: 'https://crm.example.test/webhooks/whatsapp',
};

const tdb = useTestDatabase();
let t: TestApp;
let sim: RunningSimulator;
let simOffsetMs = 0;
let cookie: string;
let operator: string;
const ring = loadKeyRing({ key: KEY, dataDir: loadConfig({ DATA_DIR, ENCRYPTION_KEY: KEY }).dataDir, embedded: false });

/** Everything a client was sent: status line, headers and body of every response. */
const responses: string[] = [];
/** Every business token the simulator issued (also the ones the app discarded), every code minted. */
const issuedTokens: string[] = [];
const codes: string[] = [];
/** PINs read back from the vault before disconnect erases them. */
const vaultPins = new Set<string>();
const vaultTokens = new Set<string>();
/** customer link tokens (shown once, in the create response) */
const linkTokens: string[] = [];

beforeAll(async () => {
  const config = loadConfig({ DATA_DIR, ENCRYPTION_KEY: KEY, ...ENV, META_GRAPH_URL: 'http://127.0.0.1:1' });
  const meta = metaAppOf(config, ring);
  expect(meta.appSecret).toBe(APP_SECRET);
  expect(meta.webhookVerifyToken).toBe(VERIFY_TOKEN);
  sim = await startMetaSimulator({ appId: meta.appId, appSecret: meta.appSecret, existingPin: EXISTING_PIN, now: () => new Date(Date.now() + simOffsetMs) });
  const exchange = sim.simulator.exchangeCode.bind(sim.simulator);
  sim.simulator.exchangeCode = (p) => {
    const token = exchange(p);
    issuedTokens.push(token.value);
    return token;
  };
  t = await buildTestApp(tdb.current.database, { env: { ...ENV, META_GRAPH_URL: sim.url } });
  cookie = await signInCookie(t, (await createUser(tdb.current.database, 'admin')).email);
  operator = await signInCookie(t, (await createUser(tdb.current.database, 'operator')).email);
});
afterAll(async () => {
  await t?.app.close();
  await sim?.close();
});

const db = () => tdb.current.database.db;

function keep(res: LightMyRequestResponse): LightMyRequestResponse {
  responses.push(`${res.statusCode}\n${JSON.stringify(res.headers)}\n${res.body}`);
  return res;
}
async function call(method: 'GET' | 'POST', url: string, o: { cookie?: string; payload?: Record<string, unknown>; accept?: string } = {}) {
  const headers: Record<string, string> = { ...(method === 'POST' ? sameOrigin : {}) };
  const c = o.cookie ?? cookie;
  if (c) headers.cookie = c;
  if (o.accept) headers.accept = o.accept;
  return keep(await t.app.inject({ method, url, headers, ...(o.payload ? { payload: o.payload } : {}) }));
}
function mint(input: MintCodeInput): string {
  const { code } = sim.simulator.mintCode(input);
  codes.push(code);
  return code;
}

/** An Embedded Signup through `base` (/api/v1/onboarding or /onboard/api): FINISH, then the code. */
async function signup(base: string, who: string, a: { businessId: string; wabaId: string; phoneNumberId: string; scenario?: MintCodeInput['scenario'] }, body?: Record<string, unknown>) {
  const start = await call('POST', `${base}/attempts`, { cookie: who, ...(body ? { payload: body } : {}) });
  expect(start.statusCode, start.body).toBe(201);
  const { attemptId, recordId } = start.json() as { attemptId: string; recordId: string };
  const data = { waba_id: a.wabaId, phone_number_id: a.phoneNumberId, business_id: a.businessId };
  expect((await call('POST', `${base}/attempts/${attemptId}/session`, { cookie: who, payload: { type: 'WA_EMBEDDED_SIGNUP', event: 'FINISH', data } })).statusCode).toBe(200);
  const code = mint({ businessId: a.businessId, wabaId: a.wabaId, phoneNumberId: a.phoneNumberId, ...(a.scenario ? { scenario: a.scenario } : {}) });
  const res = await call('POST', `${base}/attempts/${attemptId}/code`, { cookie: who, payload: { code } });
  expect(res.statusCode, res.body).toBe(200);
  await call('GET', `${base}/attempts/${attemptId}`, { cookie: who });
  t.clock.advance(1000);
  return { attemptId, startedRecordId: recordId, outcome: res.json() as { recordId: string; state: string; reason: string | null } };
}

/** Reads a record's token and PIN from the vault (test only), remembering them as canaries. */
async function harvestVault(recordId: string): Promise<void> {
  const rows = await db().execute<{ purpose: string }>(sql`SELECT purpose FROM vault_secrets WHERE owner_type = 'onboarding' AND owner_id = ${recordId}`);
  for (const { purpose } of rows.rows) {
    const ref = purpose === 'waba_token' ? tokenRef(recordId) : pinRef(recordId);
    const value = await useSecret(db(), ring, ref, 'test_inspect', SYSTEM_ACTOR, async (v) => v);
    (purpose === 'waba_token' ? vaultTokens : vaultPins).add(value);
  }
}

async function everyRowButVault(): Promise<string> {
  const tables = await db().execute<{ name: string }>(
    sql`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'vault_secrets'`,
  );
  expect(tables.rows.map((r) => r.name)).toEqual(expect.arrayContaining(['audit_events', 'audit_personal_values', 'onboarding_records', 'onboarding_steps', 'onboarding_links']));
  let all = '';
  for (const { name } of tables.rows) {
    const rows = await db().execute<{ row: string }>(sql`SELECT t::text AS row FROM ${sql.identifier(name)} t`);
    all += `\n${rows.rows.map((r) => r.row).join('\n')}`;
  }
  return all;
}
async function rowsOf(table: 'audit_events' | 'audit_personal_values'): Promise<string> {
  const rows = await db().execute<{ row: string }>(sql`SELECT t::text AS row FROM ${sql.identifier(table)} t`);
  return rows.rows.map((r) => r.row).join('\n');
}

/** A six-digit PIN as a value of its own (not a run of digits inside a longer number or a decimal). */
const pinPattern = (pin: string) => new RegExp(`(?<![\\d.])${pin}(?!\\d)`);

describe('canary scan of complete onboardings over HTTP', () => {
  const ids = {} as { lucky: string; linkRecord: string; pinRecord: string; green: string };

  it('runs every flow', async () => {
    // 1. staff connect, then a reconnect of the same WABA (merged: the token is replaced)
    const lucky = await signup('/api/v1/onboarding', cookie, LS);
    expect(lucky.outcome.state).toBe('connected');
    ids.lucky = lucky.outcome.recordId;
    await harvestVault(ids.lucky);
    const again = await signup('/api/v1/onboarding', cookie, LS, { recordId: ids.lucky });
    expect(again.outcome).toMatchObject({ recordId: ids.lucky, state: 'connected' });
    await call('GET', `/api/v1/onboarding/${ids.lucky}`);
    const steps = (await call('GET', `/api/v1/onboarding/${ids.lucky}`)).json().steps as { step: string; status: string }[];
    expect(steps.filter((s) => s.step === 'override').map((s) => s.status)).toEqual(['succeeded', 'succeeded']);

    // 2. a customer link
    const created = await call('POST', '/api/v1/onboarding-links', { payload: { label: 'Jasper link', businessName: "Jasper's Market", email: 'jasper@market.example', phone: '+1 555 020 1001' } });
    expect(created.statusCode).toBe(201);
    const linkToken = /\/onboard\/([A-Za-z0-9_-]+)$/.exec(created.json().url)![1]!;
    linkTokens.push(linkToken);
    const opened = await call('GET', `/onboard/${linkToken}`, { cookie: '', accept: 'text/html' });
    expect(opened.statusCode).toBe(303);
    const linkCookie = `crm_onboard=${linkToken}`;
    expect((await call('GET', '/onboard', { cookie: linkCookie, accept: 'text/html' })).statusCode).toBe(200);
    // a cancelled try first, then the real one
    const cancelled = (await call('POST', '/onboard/api/attempts', { cookie: linkCookie })).json();
    await call('POST', `/onboard/api/attempts/${cancelled.attemptId}/session`, { cookie: linkCookie, payload: { event: 'CANCEL', data: { current_step: 'BUSINESS_ACCOUNT_SELECTION' } } });
    const viaLink = await signup('/onboard/api', linkCookie, { businessId: JM.businessId, wabaId: JM.usWabaId, phoneNumberId: JM.usPhoneNumberIds[0] });
    expect(viaLink.outcome.state).toBe('connected');
    ids.linkRecord = viaLink.outcome.recordId;
    expect((await call('POST', '/onboard/api/attempts', { cookie: linkCookie })).statusCode).toBe(410);

    // 3. PIN already set (133005): action required, then a person enters the existing PIN
    const pinned = await signup('/api/v1/onboarding', cookie, { businessId: JM.businessId, wabaId: JM.euWabaId, phoneNumberId: JM.euPhoneNumberId, scenario: 'pin_already_set_133005' });
    expect(pinned.outcome).toMatchObject({ state: 'action_required', reason: 'PIN already set' });
    ids.pinRecord = pinned.outcome.recordId;
    const wrongPin = await call('POST', `/api/v1/onboarding/${ids.pinRecord}/pin`, { payload: { pin: '12345' } });
    expect(wrongPin.statusCode).toBe(400);
    const entered = await call('POST', `/api/v1/onboarding/${ids.pinRecord}/pin`, { payload: { pin: EXISTING_PIN } });
    expect(entered.statusCode, entered.body).toBe(200);
    expect(entered.json()).toMatchObject({ state: 'connected' });
    expect(sim.simulator.world.phoneNumbers.get(JM.euPhoneNumberId)!.pin).toBe(EXISTING_PIN);
    await call('GET', `/api/v1/onboarding/${ids.pinRecord}`);

    // 4. failures: a token that does not cover the WABA (discarded), then a reconnect whose subscribe
    //    Meta refuses (token kept), retried in vain; an expired code; an ERROR from the dialog
    const green = await signup('/api/v1/onboarding', cookie, { businessId: GG.businessId, wabaId: GG.wabaId, phoneNumberId: GG.coexistencePhoneNumberId, scenario: 'token_without_waba_in_scopes' });
    expect(green.outcome.state).toBe('failed');
    const green2 = await signup('/api/v1/onboarding', cookie, { businessId: GG.businessId, wabaId: GG.wabaId, phoneNumberId: GG.coexistencePhoneNumberId, scenario: 'subscribe_fails_100' });
    expect(green2.outcome.state).toBe('failed');
    ids.green = green2.outcome.recordId;
    const retried = await call('POST', `/api/v1/onboarding/${ids.green}/retry`, { cookie: operator });
    expect(retried.statusCode).toBe(200);
    expect(retried.json().state).toBe('failed');
    await call('GET', `/api/v1/onboarding/${ids.green}`);

    const late = (await call('POST', '/api/v1/onboarding/attempts')).json();
    const lateCode = mint({ businessId: LS.businessId, wabaId: LS.wabaId });
    simOffsetMs += 31_000;
    const expired = await call('POST', `/api/v1/onboarding/attempts/${late.attemptId}/code`, { payload: { code: lateCode } });
    expect(expired.json().state).toBe('failed');
    const reused = await call('POST', `/api/v1/onboarding/attempts/${late.attemptId}/code`, { payload: { code: lateCode } });
    expect(reused.statusCode).toBe(409);
    const errored = (await call('POST', '/api/v1/onboarding/attempts')).json();
    await call('POST', `/api/v1/onboarding/attempts/${errored.attemptId}/session`, { payload: { event: 'ERROR', data: { error_message: 'Your business could not be verified', error_id: '524126' } } });

    // 5. refresh, then 6. disconnect (the vault is read first: disconnect erases the secrets)
    const refreshed = await call('POST', `/api/v1/onboarding/${ids.lucky}/refresh`, { cookie: operator });
    expect(refreshed.json()).toMatchObject({ state: 'connected' });
    for (const id of Object.values(ids)) await harvestVault(id);
    await call('GET', '/api/v1/onboarding');
    await call('GET', '/api/v1/onboarding-links');
    for (const id of [ids.lucky, ids.linkRecord]) {
      const res = await call('POST', `/api/v1/onboarding/${id}/disconnect`);
      expect(res.json()).toMatchObject({ state: 'disconnected' });
      await call('GET', `/api/v1/onboarding/${id}`);
    }
    await call('GET', '/api/v1/onboarding?state=disconnected');
  });

  it('no token, code, PIN, app secret or verify token in any response, log line, audit row or table but vault_secrets', async () => {
    // what was planted and harvested
    expect(issuedTokens.length).toBe(6);
    expect(new Set(issuedTokens).size).toBe(issuedTokens.length);
    for (const v of vaultTokens) expect(issuedTokens).toContain(v);
    expect(vaultTokens.size).toBeGreaterThanOrEqual(5);
    expect(codes.length).toBe(7);
    const simPins = [...sim.simulator.world.phoneNumbers.values()].map((p) => p.pin).filter((p): p is string => p !== null);
    const pins = [...new Set([...vaultPins, ...simPins, EXISTING_PIN])];
    expect(vaultPins.has(EXISTING_PIN)).toBe(true);
    expect(pins.length).toBeGreaterThanOrEqual(3);
    for (const p of pins) expect(p).toMatch(/^\d{6}$/);

    const bodies = responses.join('\n\n');
    const logs = t.logs.join('');
    const audit = `${await rowsOf('audit_events')}\n${await rowsOf('audit_personal_values')}`;
    const rows = await everyRowButVault();
    expect(responses.length).toBeGreaterThan(40);
    expect(logs).toContain('onboarding step did not succeed');
    expect(audit).toContain('onboarding.connected');
    expect(audit).toContain('onboarding.pin_entered');
    expect(audit).toContain('onboarding.disconnected');

    const where = { 'response bodies': bodies, 'log lines': logs, 'audit rows': audit, 'tables but vault_secrets': rows } as const;
    const strings: [string, string][] = [
      ...issuedTokens.map((v, i) => [`business token #${i + 1}`, v] as [string, string]),
      ...codes.map((v, i) => [`code #${i + 1}`, v] as [string, string]),
      ['app secret', APP_SECRET],
      ['webhook verify token', VERIFY_TOKEN],
    ];
    const leaks: string[] = [];
    for (const [place, text] of Object.entries(where)) {
      for (const [name, value] of strings) if (text.includes(value)) leaks.push(`${name} in ${place}`);
      for (const pin of pins) if (pinPattern(pin).test(text)) leaks.push(`PIN ${pin} in ${place}`);
    }
    expect(leaks).toEqual([]);
    // the customer link's token is a credential too (only its hash is stored): not in any log line
    expect(linkTokens.length).toBe(1);
    for (const token of linkTokens) {
      expect(logs).not.toContain(token);
      expect(rows).not.toContain(token);
    }
    expect(logs).toContain('/onboard/[redacted]');
  });
});
