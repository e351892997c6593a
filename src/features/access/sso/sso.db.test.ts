/**
 * Single sign-on against a real OpenID provider (oidc-provider on loopback) through the real app
 * (inject) on a real database: success, wrong state, wrong nonce, expired ID token, unverified
 * email, disallowed domain, deactivated user, unknown users refused or created, the CRM's 2FA unless
 * the provider reports MFA, passwords off for non-owners, the owner's test sign-in, provider down.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ORIGIN, TEST_PASSWORD, buildTestApp, cookiesOf, createUser, sameOrigin, signInCookie, type TestApp } from '../../../test-support/test-app.js';
import { useTestDatabase } from '../../../test-support/test-db.js';
import { startTestOidcProvider, walkProvider, type TestOidcProvider } from '../../../test-support/oidc-test-provider.js';
import { STEP_MS, totpCodeAt } from '../two-factor/totp.js';
import { forgetProviderConfigs } from './oidc-client.js';

const tdb = useTestDatabase();
let t: TestApp;
let idp: TestOidcProvider;
let ownerCookie: string;
const REDIRECT = `${TEST_ORIGIN}/auth/sso/callback`;
const db = () => t.database.db;

const settings = (over: Record<string, unknown> = {}) => ({
  enabled: true,
  issuer: idp.issuer,
  clientId: idp.clientId,
  displayName: 'Acme ID',
  allowedDomains: ['example.test'],
  unknownUsers: 'refuse',
  defaultRole: 'viewer',
  passwordForNonOwners: true,
  ...over,
});
async function saveSettings(over: Record<string, unknown> = {}) {
  t.clock.set(new Date());
  return t.app.inject({ method: 'PUT', url: '/api/v1/settings/sso', headers: { ...sameOrigin, cookie: ownerCookie }, payload: settings(over) });
}

beforeAll(async () => {
  t = await buildTestApp(tdb.current.database);
  t.clock.set(new Date());
  idp = await startTestOidcProvider({ redirectUri: REDIRECT });
  const owner = await createUser(t.database, 'owner', { email: 'owner@example.test' });
  ownerCookie = await signInCookie(t, owner.email);
  const saved = await saveSettings({ clientSecret: idp.clientSecret });
  expect(saved.statusCode, saved.body).toBe(200);
});
afterAll(async () => {
  await idp.close();
  await t.app.close();
});

/** Starts at the app, passes the provider, and stops just before the callback. */
async function toCallback(path = '/auth/sso/start?returnTo=%2Fusers') {
  t.clock.set(new Date());
  const start = await t.app.inject({ method: 'GET', url: path });
  expect(start.statusCode, start.body).toBe(302);
  const stateCookie = cookiesOf(start).crm_sso_state!;
  expect(stateCookie).toBeTruthy();
  const callback = await walkProvider(start.headers.location as string, REDIRECT);
  return { callback, stateCookie };
}
async function finish(callback: URL, stateCookie: string | null) {
  const res = await t.app.inject({ method: 'GET', url: callback.pathname + callback.search, headers: stateCookie ? { cookie: `crm_sso_state=${stateCookie}` } : {} });
  expect(res.statusCode, res.body).toBe(302);
  return { location: res.headers.location as string, session: cookiesOf(res).crm_session };
}
async function ssoSignIn() {
  const { callback, stateCookie } = await toCallback();
  return finish(callback, stateCookie);
}
async function lastActivity() {
  const r = await db().execute<{ result: string; reason: string | null; method: string; second_factor: string | null; user_id: string | null }>(
    sql`SELECT result, reason, method, second_factor, user_id FROM login_activity ORDER BY id DESC LIMIT 1`,
  );
  return r.rows[0]!;
}

describe('single sign-on settings', () => {
  it('keeps the client secret in the vault and never answers it', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/settings/sso', headers: { cookie: ownerCookie } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ clientSecretSet: true, redirectUri: REDIRECT, settings: { enabled: true, displayName: 'Acme ID' } });
    expect(res.body).not.toContain(idp.clientSecret);
    const rows = await db().execute(sql`SELECT row_to_json(v)::text AS j FROM vault_secrets v WHERE owner_type = 'sso_settings'`);
    expect(rows.rows).toHaveLength(1);
    expect(JSON.stringify(rows.rows)).not.toContain(idp.clientSecret);
    const audit = await db().execute(sql`SELECT details::text AS d FROM audit_events WHERE action = 'sso.settings_changed'`);
    expect(JSON.stringify(audit.rows)).not.toContain(idp.clientSecret);
    const info = await t.app.inject({ method: 'GET', url: '/api/v1/auth/sso' });
    expect(info.json()).toEqual({ enabled: true, displayName: 'Acme ID' });
  });

  it('refuses an owner default role, a plain-http remote issuer and an unreachable one, naming the field', async () => {
    const owner = await saveSettings({ defaultRole: 'owner' });
    expect(owner.statusCode).toBe(400);
    expect(JSON.stringify(owner.json().errors)).toContain('defaultRole');
    const http = await saveSettings({ issuer: 'http://idp.example.com' });
    expect(http.statusCode).toBe(400);
    expect(http.json().errors[0].path).toBe('issuer');
    const down = await saveSettings({ issuer: 'http://127.0.0.1:9' });
    expect(down.statusCode).toBe(400);
    expect(down.json().errors[0].path).toBe('issuer');
    const still = await t.app.inject({ method: 'GET', url: '/api/v1/settings/sso', headers: { cookie: ownerCookie } });
    expect(still.json().settings.issuer).toBe(idp.issuer);
  });

  it("runs the owner's test sign-in without signing anyone in", async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/settings/sso/test', headers: { ...sameOrigin, cookie: ownerCookie } });
    expect(res.statusCode, res.body).toBe(200);
    const stateCookie = cookiesOf(res).crm_sso_state!;
    const callback = await walkProvider(res.json().url, REDIRECT);
    const done = await finish(callback, stateCookie);
    expect(done.location).toBe('/settings?sso_test=ok&mfa=0');
    expect(done.session).toBeUndefined();
  });
});

describe('single sign-on', () => {
  it('signs an active user in, links the subject, and records the method', async () => {
    const alice = await createUser(t.database, 'operator', { email: 'alice@example.test' });
    idp.account = { id: 'sub-alice', email: 'alice@example.test', emailVerified: true, name: 'Alice' };
    const { location, session } = await ssoSignIn();
    expect(location).toBe('/users');
    expect(session).toBeTruthy();
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: `crm_session=${session}` } });
    expect(me.statusCode).toBe(200);
    expect(me.json().user.id).toBe(alice.id);
    expect(await lastActivity()).toMatchObject({ result: 'success', method: 'oidc', user_id: alice.id, second_factor: null });
    const linked = await db().execute<{ oidc_subject: string }>(sql`SELECT oidc_subject FROM users WHERE id = ${alice.id}`);
    expect(linked.rows[0]!.oidc_subject).toBe('sub-alice');
    const s = await db().execute<{ method: string; stage: string }>(sql`SELECT method, stage FROM sessions WHERE user_id = ${alice.id}`);
    expect(s.rows).toEqual([{ method: 'oidc', stage: 'full' }]);
    // the flow is single use: the same callback again is refused
    expect(t.logs.join('\n')).not.toMatch(/code_verifier|test-client-secret/);
  });

  it('gives the browser a device cookie, and tells the person of a sign-in from a new device, not from a known one', async () => {
    const dana = await createUser(t.database, 'viewer', { email: 'dana@example.test' });
    idp.account = { id: 'sub-dana', email: 'dana@example.test', emailVerified: true, name: 'Dana' };
    const notices = async () => (await db().execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM notification_intents WHERE kind = 'security.sign_in' AND dedupe_key LIKE ${`%${dana.id}%`}`)).rows[0]!.n;
    // first sign-in ever: nothing to compare with, no notice; the browser gets its device cookie
    const first = await toCallback();
    const res1 = await t.app.inject({ method: 'GET', url: first.callback.pathname + first.callback.search, headers: { cookie: `crm_sso_state=${first.stateCookie}` } });
    const device = cookiesOf(res1).crm_device;
    expect(device).toBeTruthy();
    expect(await notices()).toBe(0);
    // the same browser again: known, no notice
    t.clock.advance(60_000);
    const second = await toCallback();
    await t.app.inject({ method: 'GET', url: second.callback.pathname + second.callback.search, headers: { cookie: `crm_sso_state=${second.stateCookie}; crm_device=${device}` } });
    expect(await notices()).toBe(0);
    // another browser: a notice
    t.clock.advance(60_000);
    const third = await toCallback();
    const res3 = await t.app.inject({ method: 'GET', url: third.callback.pathname + third.callback.search, headers: { cookie: `crm_sso_state=${third.stateCookie}` } });
    expect(res3.statusCode).toBe(302);
    expect(await notices()).toBe(1);
  });

  it('refuses a replayed callback and a wrong state', async () => {
    const { callback, stateCookie } = await toCallback();
    const wrong = new URL(callback);
    wrong.searchParams.set('state', 'not-the-state');
    expect((await finish(wrong, stateCookie)).location).toBe('/sign-in?sso_error=bad_state');
    // a callback carried to another browser (no state cookie) is refused
    expect((await finish(callback, null)).location).toBe('/sign-in?sso_error=bad_state');
    const ok = await finish(callback, stateCookie);
    expect(ok.session).toBeTruthy();
    const replay = await finish(callback, stateCookie);
    expect(replay.location).toBe('/sign-in?sso_error=bad_state');
    expect(replay.session).toBeUndefined();
  });

  it('refuses a wrong nonce (checked by openid-client)', async () => {
    const { callback, stateCookie } = await toCallback();
    await db().execute(sql`UPDATE oidc_flows SET nonce = 'some-other-nonce'`);
    const res = await finish(callback, stateCookie);
    expect(res.location).toBe('/sign-in?sso_error=token_invalid');
    expect(res.session).toBeUndefined();
    expect(await lastActivity()).toMatchObject({ result: 'failure', reason: 'sso_failed', method: 'oidc' });
  });

  it('refuses an expired ID token', async () => {
    idp.idTokenTtlSeconds = 60;
    try {
      const { callback, stateCookie } = await toCallback();
      // five minutes later by the app's clock: the flow is still open, the one-minute ID token is not
      t.clock.advance(5 * 60_000);
      const res = await finish(callback, stateCookie);
      expect(res.location).toBe('/sign-in?sso_error=token_invalid');
      expect(res.session).toBeUndefined();
    } finally {
      idp.idTokenTtlSeconds = 3600;
    }
  });

  it('refuses an email the provider has not verified', async () => {
    await createUser(t.database, 'viewer', { email: 'dave@example.test' });
    idp.account = { id: 'sub-dave', email: 'dave@example.test', emailVerified: false };
    const res = await ssoSignIn();
    expect(res.location).toBe('/sign-in?sso_error=email_unverified');
    expect(res.session).toBeUndefined();
    expect(await lastActivity()).toMatchObject({ result: 'failure', reason: 'sso_not_allowed', method: 'oidc' });
  });

  it('refuses a domain that is not allowed', async () => {
    await createUser(t.database, 'viewer', { email: 'erin@elsewhere.test' });
    idp.account = { id: 'sub-erin', email: 'erin@elsewhere.test', emailVerified: true };
    const res = await ssoSignIn();
    expect(res.location).toBe('/sign-in?sso_error=domain_not_allowed');
    expect(res.session).toBeUndefined();
  });

  it('refuses a deactivated user: the CRM wins over the provider', async () => {
    const carol = await createUser(t.database, 'admin', { email: 'carol@example.test', status: 'deactivated' });
    idp.account = { id: 'sub-carol', email: 'carol@example.test', emailVerified: true };
    const res = await ssoSignIn();
    expect(res.location).toBe('/sign-in?sso_error=account_inactive');
    expect(res.session).toBeUndefined();
    expect(await lastActivity()).toMatchObject({ result: 'failure', reason: 'deactivated', user_id: carol.id });
    // linked earlier, deactivated later: still refused
    const alice = await db().execute<{ id: string }>(sql`UPDATE users SET status = 'deactivated' WHERE email = 'alice@example.test' RETURNING id`);
    idp.account = { id: 'sub-alice', email: 'alice@example.test', emailVerified: true };
    expect((await ssoSignIn()).location).toBe('/sign-in?sso_error=account_inactive');
    await db().execute(sql`UPDATE users SET status = 'active' WHERE id = ${alice.rows[0]!.id}`);
  });

  it('refuses an account linked to another subject', async () => {
    idp.account = { id: 'sub-mallory', email: 'alice@example.test', emailVerified: true };
    expect((await ssoSignIn()).location).toBe('/sign-in?sso_error=subject_mismatch');
  });

  it('refuses unknown users, or creates them with the default role when the rule says so', async () => {
    idp.account = { id: 'sub-frank', email: 'frank@example.test', emailVerified: true, name: 'Frank New' };
    const refused = await ssoSignIn();
    expect(refused.location).toBe('/sign-in?sso_error=unknown_user');
    expect((await db().execute(sql`SELECT 1 FROM users WHERE email = 'frank@example.test'`)).rows).toHaveLength(0);

    expect((await saveSettings({ unknownUsers: 'invite', defaultRole: 'operator' })).statusCode).toBe(200);
    const created = await ssoSignIn();
    expect(created.location).toBe('/users');
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: `crm_session=${created.session}` } });
    expect(me.json().user).toMatchObject({ email: 'frank@example.test', displayName: 'Frank New', role: 'operator', status: 'active' });
    const ev = await db().execute<{ action: string }>(sql`SELECT action FROM audit_events WHERE target_id = ${me.json().user.id} AND action = 'sso.user_created'`);
    expect(ev.rows).toHaveLength(1);
    expect((await saveSettings({ unknownUsers: 'refuse' })).statusCode).toBe(200);
  });

  it("applies the CRM's 2FA unless the provider reports MFA", async () => {
    const gina = await createUser(t.database, 'operator', { email: 'gina@example.test' });
    // gina enrols in the CRM's own 2FA with her password session
    const passwordCookie = await signInCookie(t, gina.email);
    const start = await t.app.inject({ method: 'POST', url: '/api/v1/me/two-factor/enrolment', headers: { ...sameOrigin, cookie: passwordCookie }, payload: {} });
    const { secret } = start.json() as { secret: string };
    t.clock.advance(STEP_MS);
    const confirm = await t.app.inject({ method: 'POST', url: '/api/v1/me/two-factor/enrolment/confirm', headers: { ...sameOrigin, cookie: passwordCookie }, payload: { code: totpCodeAt(secret, t.clock.now()) } });
    expect(confirm.statusCode, confirm.body).toBe(200);

    idp.account = { id: 'sub-gina', email: 'gina@example.test', emailVerified: true, amr: ['pwd'] };
    const owed = await ssoSignIn();
    expect(owed.location).toBe('/sign-in?sso=second_factor&next=%2Fusers');
    const cookie = `crm_session=${owed.session}`;
    const blocked = await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: { cookie } });
    expect(blocked.statusCode).toBe(401);
    expect(blocked.json().code).toBe('second_factor_required');
    // the code step completes it, exactly as after a password, recorded as an oidc sign-in
    t.clock.advance(2 * STEP_MS);
    const second = await t.app.inject({ method: 'POST', url: '/api/v1/auth/second-factor', headers: { ...sameOrigin, cookie }, payload: { code: totpCodeAt(secret, t.clock.now()) } });
    expect(second.statusCode, second.body).toBe(200);
    expect(await lastActivity()).toMatchObject({ result: 'success', method: 'oidc', second_factor: 'totp_ok', user_id: gina.id });
    // the code step gave the session a new id: the old one is refused, the new one is signed in
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: { cookie } })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: { cookie: `crm_session=${cookiesOf(second).crm_session}` } })).statusCode).toBe(200);

    idp.account = { ...idp.account, amr: ['pwd', 'mfa'] };
    const mfa = await ssoSignIn();
    expect(mfa.location).toBe('/users');
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: { cookie: `crm_session=${mfa.session}` } })).statusCode).toBe(200);
    expect(await lastActivity()).toMatchObject({ result: 'success', method: 'oidc', second_factor: 'sso_mfa' });
  });

  it('turns password sign-in off for non-owners when asked, never for owners', async () => {
    const op = await createUser(t.database, 'operator', { email: 'henry@example.test' });
    expect((await saveSettings({ passwordForNonOwners: false })).statusCode).toBe(200);
    try {
      const refused = await t.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', headers: sameOrigin, payload: { email: op.email, password: TEST_PASSWORD } });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().code).toBe('sso_required');
      const wrong = await t.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', headers: sameOrigin, payload: { email: op.email, password: 'wrong password here' } });
      expect(wrong.statusCode).toBe(401);
      await signInCookie(t, 'owner@example.test');
    } finally {
      expect((await saveSettings({ passwordForNonOwners: true })).statusCode).toBe(200);
    }
  });

  it('answers "provider unavailable" when the provider is down', async () => {
    idp.account = { id: 'sub-ivy', email: 'ivy@example.test', emailVerified: true };
    await createUser(t.database, 'viewer', { email: 'ivy@example.test' });
    const { callback, stateCookie } = await toCallback();
    await idp.close();
    const res = await finish(callback, stateCookie);
    expect(res.location).toBe('/sign-in?sso_error=provider_unavailable');
    expect(res.session).toBeUndefined();
    forgetProviderConfigs();
    const start = await t.app.inject({ method: 'GET', url: '/auth/sso/start' });
    expect(start.statusCode).toBe(302);
    expect(start.headers.location).toBe('/sign-in?sso_error=provider_unavailable');
  });
});
