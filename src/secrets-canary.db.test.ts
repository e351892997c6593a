/**
 * Canary scan of the access side and every secret-bearing setting (issue #11: "no secret in any
 * response, log or audit row across the whole suite"); onboarding-canary.db.test.ts does the same for
 * the Meta onboarding flows. Canary values are planted in every secret setting the config accepts
 * (METRICS_TOKEN, the SMTP password, ENCRYPTION_KEY(S), the database passwords, META_APP_SECRET,
 * META_WEBHOOK_VERIFY_TOKEN) and in the SSO client secret (saved through the settings API, used
 * against a real OpenID provider on loopback). Then, over HTTP: sign-in with canary passwords (right
 * and wrong), password change, 2FA enrolment, sign-in with a TOTP code and with a recovery code,
 * step-up by password and by code, a personal API token used as Bearer and revoked, an invitation
 * accepted, a password reset, SSO sign-in, sign-out, /metrics with its token, the webhook handshake
 * and a signed delivery, Meta's signed deauthorize and data deletion callbacks, and the read side
 * (settings, users, sessions, audit, export).
 *
 * Afterwards no canary may appear in any response (status, headers, body) outside its designated
 * one-time reveal (listed per call: the TOTP secret when enrolling, the recovery codes once, the new
 * API token once; session, device and SSO-state cookies only in their own Set-Cookie), any log
 * line, any audit row or personal value, any table but vault_secrets, or any mail (the invitation and
 * reset links are in their mails by design, so mails are scanned for everything else). The config
 * secrets may not appear in any response at all.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstStartSetupLink } from './features/access/setup.service.js';
import { signRequest } from './features/meta-callbacks/signed-request.js';
import { STEP_MS, totpCodeAt } from './features/access/two-factor/totp.js';
import { deliver, envelope, metaOf } from './features/webhooks/test-fixtures/webhook-harness.js';
import { hashToken } from './lib/tokens.js';
import { startTestOidcProvider, walkProvider, type TestOidcProvider } from './test-support/oidc-test-provider.js';
import { linkIn, startTestSmtp, type TestSmtp } from './test-support/smtp.js';
import { TEST_ORIGIN, TEST_PASSWORD, buildTestApp, createUser, sameOrigin, type TestApp } from './test-support/test-app.js';
import { useTestDatabase } from './test-support/test-db.js';

/** planted configuration secrets */
const CONFIG = {
  metricsToken: 'canary-metrics-token-3b7e91c4d2a8',
  smtpPassword: 'canary-smtp-password-6a2f0d9e',
  encryptionKey: randomBytes(32).toString('base64'),
  encryptionKeys: randomBytes(32).toString('base64'),
  databasePassword: 'canary-db-password-81f3c2',
  migrationPassword: 'canary-migration-password-2d7a',
  appSecret: 'canary-app-secret-4c8e1f2a9b3d',
  verifyToken: 'canary-verify-token-7d2b6e0f',
};
/** planted passwords (TEST_PASSWORD is the seeded users' one) */
const PW = {
  seeded: TEST_PASSWORD,
  setup: 'canary setup passphrase 4a7c2e',
  owner: 'canary owner passphrase 5f1e9a',
  wrong: 'canary wrong passphrase 0c4d7b',
  unknownUser: 'canary unknown-user passphrase 93ae',
  invitee: 'canary invitee passphrase 2b8f6c',
  reset: 'canary reset passphrase 71d0e4',
};
/** wrong credentials a client sent: an echo of a nearly-right secret is a leak too */
const WRONG = {
  metricsToken: 'canary-wrong-metrics-token-51c0',
  verifyToken: 'canary-wrong-verify-token-8e2a',
  apiToken: 'canary-wrong-api-token-d93f7b',
};
const REDIRECT = `${TEST_ORIGIN}/auth/sso/callback`;

const tdb = useTestDatabase();
let t: TestApp;
let smtp: TestSmtp;
let idp: TestOidcProvider;

/** One recorded answer: its route, and its text with the designated reveals cut out. */
const responses: { route: string; raw: string; text: string }[] = [];
/** One-time credentials the app issued or received, by name (filled as the flows run). */
const issued = new Map<string, string>();
/** Link tokens: in their own mail by design, nowhere else. */
const linkTokens = new Map<string, string>();
/** TOTP codes used (six digits: matched as a value of their own). */
const totpCodes: string[] = [];
/** Cookies this test treats as credentials: their values are allowed in their own Set-Cookie only. */
const CREDENTIAL_COOKIES = new Set(['crm_session', 'crm_device', 'crm_sso_state']);

beforeAll(async () => {
  smtp = await startTestSmtp({ auth: { user: 'crm-mailer', pass: CONFIG.smtpPassword } });
  t = await buildTestApp(tdb.current.database, {
    env: {
      METRICS_TOKEN: CONFIG.metricsToken,
      SMTP_URL: smtp.url,
      ENCRYPTION_KEY: CONFIG.encryptionKey,
      ENCRYPTION_KEYS: `k2:${CONFIG.encryptionKeys}`,
      DATABASE_URL: `postgres://crm:${CONFIG.databasePassword}@127.0.0.1:1/crm`,
      DATABASE_MIGRATION_URL: `postgres://crm_owner:${CONFIG.migrationPassword}@127.0.0.1:1/crm`,
      META_APP_SECRET: CONFIG.appSecret,
      META_WEBHOOK_VERIFY_TOKEN: CONFIG.verifyToken,
    },
  });
  // the OpenID provider stamps ID tokens with the real time: the app's clock starts there too
  t.clock.set(new Date());
  idp = await startTestOidcProvider({ redirectUri: REDIRECT });
});
afterAll(async () => {
  await t?.app.close();
  await idp?.close();
  await smtp?.close();
});

const db = () => tdb.current.database.db;

/** Records a response; `reveals` are the values this route is designed to show once. */
function keep(route: string, res: LightMyRequestResponse, reveals: string[] = []): LightMyRequestResponse {
  // a credential cookie's value is allowed in its own Set-Cookie header, nowhere else
  const setCookie = ([] as string[]).concat((res.headers['set-cookie'] as string | string[] | undefined) ?? []);
  const own = (res.cookies as { name: string; value: string }[]).filter((c) => CREDENTIAL_COOKIES.has(c.name) && c.value !== '');
  for (const c of own) issued.set(`${c.name} cookie #${issued.size + 1}`, c.value);
  const headers = { ...res.headers, 'set-cookie': setCookie.map((h) => own.reduce((acc, c) => acc.split(c.value).join('[own cookie]'), h)) };
  const raw = `${res.statusCode}\n${JSON.stringify(res.headers)}\n${res.body}`;
  let text = `${res.statusCode}\n${JSON.stringify(headers)}\n${res.body}`;
  for (const v of reveals) {
    expect(text, `${route} reveals it`).toContain(v);
    text = text.split(v).join('[reveal]');
  }
  responses.push({ route, raw, text });
  return res;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
async function call(method: Method, url: string, o: { cookie?: string | null; bearer?: string; payload?: unknown; headers?: Record<string, string>; reveals?: string[] } = {}) {
  const headers: Record<string, string> = { ...(method === 'GET' ? {} : sameOrigin), ...o.headers };
  if (o.cookie) headers.cookie = o.cookie;
  if (o.bearer) headers.authorization = `Bearer ${o.bearer}`;
  const res = await t.app.inject({ method, url, headers, ...(o.payload === undefined ? {} : { payload: o.payload as object }) });
  return keep(`${method} ${url.split('?')[0]}`, res, o.reveals);
}
const sessionOf = (res: LightMyRequestResponse): string => {
  const c = (res.cookies as { name: string; value: string }[]).find((x) => x.name === 'crm_session' && x.value !== '');
  expect(c, `${res.statusCode} ${res.body}`).toBeTruthy();
  return `crm_session=${c!.value}`;
};
async function signIn(email: string, password: string) {
  const res = await call('POST', '/api/v1/auth/sign-in', { payload: { email, password } });
  expect(res.statusCode, res.body).toBe(200);
  return { res, cookie: sessionOf(res) };
}
/** A fresh TOTP code: the clock moves to the next step first, so it is not a replay. */
function totp(secret: string): string {
  t.clock.advance(STEP_MS);
  const code = totpCodeAt(secret, t.clock.now());
  totpCodes.push(code);
  return code;
}
async function nextMail(before: number): Promise<string> {
  for (let i = 0; i < 100 && smtp.mails.length <= before; i++) await new Promise((r) => setTimeout(r, 50));
  expect(smtp.mails.length).toBeGreaterThan(before);
  const mail = smtp.mails.at(-1)!;
  expect(mail.user).toBe('crm-mailer');
  return mail.raw;
}

async function tableRows(except: string[]): Promise<string> {
  const tables = await db().execute<{ name: string }>(
    sql`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
  );
  let all = '';
  for (const { name } of tables.rows) {
    if (except.includes(name)) continue;
    const rows = await db().execute<{ row: string }>(sql`SELECT t::text AS row FROM ${sql.identifier(name)} t`);
    all += `\n${rows.rows.map((r) => r.row).join('\n')}`;
  }
  return all;
}

async function rowsOf(query: ReturnType<typeof sql>): Promise<string> {
  return (await db().execute<{ row: string }>(query)).rows.map((r) => r.row).join('\n');
}

/** A six-digit code as a value of its own (not inside a longer number, a decimal or a hash). */
const codePattern = (code: string) => new RegExp(`(?<![\\w.])${code}(?!\\w)`);

describe('canary scan of the access flows and the secret settings', () => {
  it('runs every flow', async () => {
    // 1. first-owner setup through its link (the token is printed at first start), with a canary
    //    password; password sign-in: a wrong password, an unknown account, then the right one; the
    //    owner changes the password (a wrong current one first) and signs in with the new one
    const setupToken = (await firstStartSetupLink({ db: db(), clock: t.clock }))!;
    issued.set('setup token', setupToken);
    expect((await call('GET', `/api/v1/setup/status?token=${setupToken}`)).json()).toMatchObject({ valid: true });
    const owner = { email: 'owner.canary@example.test' };
    const setUp = await call('POST', '/api/v1/setup', { payload: { token: setupToken, email: owner.email, displayName: 'Owner Canary', password: PW.setup } });
    expect(setUp.statusCode, setUp.body).toBe(201);
    expect((await call('POST', '/api/v1/auth/sign-out', { cookie: sessionOf(setUp) })).statusCode).toBe(204);
    expect((await call('POST', '/api/v1/auth/sign-in', { payload: { email: owner.email, password: PW.wrong } })).statusCode).toBe(401);
    expect((await call('POST', '/api/v1/auth/sign-in', { payload: { email: 'nobody@example.test', password: PW.unknownUser } })).statusCode).toBe(401);
    let ownerCookie = (await signIn(owner.email, PW.setup)).cookie;
    expect((await call('POST', '/api/v1/me/password', { cookie: ownerCookie, payload: { currentPassword: PW.wrong, newPassword: PW.owner } })).statusCode).toBeGreaterThanOrEqual(400);
    const changed = await call('POST', '/api/v1/me/password', { cookie: ownerCookie, payload: { currentPassword: PW.setup, newPassword: PW.owner } });
    expect(changed.statusCode, changed.body).toBe(204);
    ownerCookie = sessionOf(changed);
    ownerCookie = (await signIn(owner.email, PW.owner)).cookie;
    // a seeded user (TEST_PASSWORD) signs in too
    const seeded = await createUser(t.database, 'viewer');
    expect((await call('POST', '/api/v1/auth/sign-out', { cookie: (await signIn(seeded.email, PW.seeded)).cookie })).statusCode).toBe(204);
    expect((await call('POST', '/api/v1/me/step-up', { cookie: ownerCookie, payload: { password: PW.wrong } })).statusCode).toBeGreaterThanOrEqual(400);
    expect((await call('POST', '/api/v1/me/step-up', { cookie: ownerCookie, payload: { password: PW.owner } })).statusCode).toBe(200);

    // 2. single sign-on: the client secret goes in through the settings API and never comes out
    const saved = await call('PUT', '/api/v1/settings/sso', {
      cookie: ownerCookie,
      payload: { enabled: true, issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, displayName: 'Acme ID', allowedDomains: ['example.test'], unknownUsers: 'refuse', defaultRole: 'viewer', passwordForNonOwners: true },
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const read = await call('GET', '/api/v1/settings/sso', { cookie: ownerCookie });
    expect(read.json()).toMatchObject({ clientSecretSet: true, settings: { clientId: idp.clientId } });
    await call('GET', '/api/v1/auth/sso');
    await createUser(t.database, 'operator', { email: idp.account.email });
    // the flow's state goes to the provider in the authorization URL (Location) by design
    const started = await t.app.inject({ method: 'GET', url: '/auth/sso/start?returnTo=%2Fusers' });
    expect(started.statusCode, started.body).toBe(302);
    const state = (started.cookies as { name: string; value: string }[]).find((c) => c.name === 'crm_sso_state')!.value;
    const start = keep('GET /auth/sso/start', started, [state]);
    const back = await walkProvider(start.headers.location as string, REDIRECT);
    const authCode = back.searchParams.get('code')!;
    expect(authCode).toBeTruthy();
    issued.set('SSO authorization code', authCode);
    const ssoDone = await call('GET', back.pathname + back.search, { cookie: `crm_sso_state=${state}` });
    expect(ssoDone.statusCode).toBe(302);
    expect(ssoDone.headers.location).toBe('/users');
    const ssoCookie = sessionOf(ssoDone);
    await call('GET', '/api/v1/me', { cookie: ssoCookie });
    // the owner's test sign-in answers the authorization URL (with the state) in its body
    const tested = await t.app.inject({ method: 'POST', url: '/api/v1/settings/sso/test', headers: { ...sameOrigin, cookie: ownerCookie } });
    expect(tested.statusCode, tested.body).toBe(200);
    const test = keep('POST /api/v1/settings/sso/test', tested, [(tested.cookies as { name: string; value: string }[]).find((c) => c.name === 'crm_sso_state')!.value]);
    expect(test.body).not.toContain(idp.clientSecret);
    expect((await call('POST', '/api/v1/auth/sign-out', { cookie: ssoCookie })).statusCode).toBe(204);

    // 3. 2FA: enrol (the secret shown once), confirm (the recovery codes shown once), then sign in
    //    with a code and with a recovery code; step-up with a code
    const enrol = await t.app.inject({ method: 'POST', url: '/api/v1/me/two-factor/enrolment', headers: { ...sameOrigin, cookie: ownerCookie }, payload: {} });
    expect(enrol.statusCode, enrol.body).toBe(200);
    const { secret, otpauthUri } = enrol.json() as { secret: string; otpauthUri: string };
    keep('POST /api/v1/me/two-factor/enrolment', enrol, [secret]);
    expect(otpauthUri).toContain(secret);
    issued.set('TOTP secret', secret);
    const confirm = await t.app.inject({ method: 'POST', url: '/api/v1/me/two-factor/enrolment/confirm', headers: { ...sameOrigin, cookie: ownerCookie }, payload: { code: totp(secret) } });
    expect(confirm.statusCode, confirm.body).toBe(200);
    const { recoveryCodes } = confirm.json() as { recoveryCodes: string[] };
    expect(recoveryCodes.length).toBeGreaterThanOrEqual(8);
    keep('POST /api/v1/me/two-factor/enrolment/confirm', confirm, recoveryCodes);
    recoveryCodes.forEach((c, i) => issued.set(`recovery code #${i + 1}`, c));
    ownerCookie = sessionOf(confirm);
    await call('GET', '/api/v1/me/two-factor', { cookie: ownerCookie });
    expect((await call('POST', '/api/v1/auth/sign-out', { cookie: ownerCookie })).statusCode).toBe(204);

    const withCode = await signIn(owner.email, PW.owner);
    expect(withCode.res.json().stage).toBe('second_factor');
    const wrongCode = totpCodeAt(secret, t.clock.now()) === '000000' ? '111111' : '000000';
    expect((await call('POST', '/api/v1/auth/second-factor', { cookie: withCode.cookie, payload: { code: wrongCode } })).statusCode).toBeGreaterThanOrEqual(400);
    const second = await call('POST', '/api/v1/auth/second-factor', { cookie: withCode.cookie, payload: { code: totp(secret) } });
    expect(second.statusCode, second.body).toBe(200);
    expect((await call('POST', '/api/v1/auth/sign-out', { cookie: sessionOf(second) })).statusCode).toBe(204);
    const withRecovery = await signIn(owner.email, PW.owner);
    const recovered = await call('POST', '/api/v1/auth/second-factor', { cookie: withRecovery.cookie, payload: { code: recoveryCodes[0] } });
    expect(recovered.statusCode, recovered.body).toBe(200);
    ownerCookie = sessionOf(recovered);
    expect((await call('POST', '/api/v1/me/step-up', { cookie: ownerCookie, payload: { code: totp(secret) } })).statusCode).toBe(200);
    await call('GET', '/api/v1/me/step-up', { cookie: ownerCookie });

    // 4. a personal API token: shown once, used as Bearer, revoked, refused afterwards
    const minted = await t.app.inject({ method: 'POST', url: '/api/v1/me/tokens', headers: { ...sameOrigin, cookie: ownerCookie }, payload: { name: 'canary ci', role: 'admin', expiresInDays: 30 } });
    expect(minted.statusCode, minted.body).toBe(201);
    const { token: apiToken, item } = minted.json() as { token: string; item: { id: string } };
    keep('POST /api/v1/me/tokens', minted, [apiToken]);
    issued.set('API token', apiToken);
    expect((await call('GET', '/api/v1/me', { bearer: apiToken })).statusCode).toBe(200);
    expect((await call('GET', '/api/v1/users', { bearer: apiToken })).statusCode).toBe(200);
    expect((await call('GET', '/api/v1/me/tokens', { bearer: apiToken })).statusCode).toBeGreaterThanOrEqual(400);
    await call('GET', '/api/v1/me/tokens', { cookie: ownerCookie });
    expect((await call('DELETE', `/api/v1/me/tokens/${item.id}`, { cookie: ownerCookie })).statusCode).toBe(204);
    expect((await call('GET', '/api/v1/me', { bearer: apiToken })).statusCode).toBe(401);
    expect((await call('GET', '/api/v1/me', { bearer: WRONG.apiToken })).statusCode).toBe(401);

    // 5. an invitation, accepted with a canary password; then a password reset for that person
    let mails = smtp.mails.length;
    const invited = await call('POST', '/api/v1/users/invitations', { cookie: ownerCookie, payload: { email: 'invitee.canary@example.test', displayName: 'Invitee Canary', role: 'operator' } });
    expect(invited.statusCode, invited.body).toBe(201);
    const inviteToken = linkIn(await nextMail(mails)).split('#token=')[1]!;
    linkTokens.set('invitation token', inviteToken);
    expect((await call('GET', `/api/v1/invitations/status?token=${inviteToken}`)).json()).toMatchObject({ valid: true });
    const accepted = await call('POST', '/api/v1/invitations/accept', { payload: { token: inviteToken, displayName: 'Invitee Canary', password: PW.invitee } });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect((await call('POST', '/api/v1/auth/sign-out', { cookie: sessionOf(accepted) })).statusCode).toBe(204);

    mails = smtp.mails.length;
    expect((await call('POST', '/api/v1/auth/password-reset/request', { payload: { email: 'invitee.canary@example.test' } })).statusCode).toBe(202);
    const resetToken = linkIn(await nextMail(mails)).split('#token=')[1]!;
    linkTokens.set('password reset token', resetToken);
    expect((await call('GET', `/api/v1/auth/password-reset/status?token=${resetToken}`)).json()).toEqual({ valid: true });
    expect((await call('POST', '/api/v1/auth/password-reset/complete', { payload: { token: resetToken, newPassword: PW.reset } })).statusCode).toBe(204);
    const invitee = await signIn('invitee.canary@example.test', PW.reset);
    await call('GET', '/api/v1/me/sessions', { cookie: invitee.cookie });
    expect((await call('POST', '/api/v1/auth/sign-out', { cookie: invitee.cookie })).statusCode).toBe(204);

    // 6. /metrics with its token (and without, and with a wrong one)
    expect((await call('GET', '/metrics', { bearer: CONFIG.metricsToken })).statusCode).toBe(200);
    expect((await call('GET', '/metrics')).statusCode).toBe(401);
    expect((await call('GET', '/metrics', { bearer: WRONG.metricsToken })).statusCode).toBe(401);

    // 7. Meta: the webhook handshake with the verify token, a delivery signed with the app secret (and
    //    a forged one), the deauthorize and data deletion callbacks signed with it
    expect(metaOf(t)).toMatchObject({ appSecret: CONFIG.appSecret, webhookVerifyToken: CONFIG.verifyToken });
    const hello = await call('GET', `/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=424242&hub.verify_token=${CONFIG.verifyToken}`);
    expect(hello.statusCode).toBe(200);
    expect((await call('GET', `/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=1&hub.verify_token=${WRONG.verifyToken}`)).statusCode).toBe(403);
    const body = envelope({ id: '102290129340398', time: Math.floor(t.clock.now().getTime() / 1000), changes: [{ field: 'account_review_update', value: { decision: 'APPROVED' } }] });
    keep('POST /webhooks/whatsapp', await deliver(t, body));
    expect(responses.at(-1)!.raw.startsWith('200')).toBe(true);
    keep('POST /webhooks/whatsapp', await deliver(t, body, { signature: `sha256=${'0'.repeat(64)}` }));
    expect(responses.at(-1)!.raw.startsWith('401')).toBe(true);
    for (const kind of ['deauthorize', 'data-deletion'] as const) {
      const signed = signRequest({ algorithm: 'HMAC-SHA256', issued_at: Math.floor(t.clock.now().getTime() / 1000), user_id: '777000333' }, CONFIG.appSecret);
      issued.set(`${kind} signed_request`, signed);
      const res = await call('POST', `/meta/${kind}`, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `signed_request=${encodeURIComponent(signed)}` as unknown });
      expect(res.statusCode, res.body).toBe(200);
    }

    // 8. a public privacy request: the verification link (a token) comes by mail; the confirm page
    //    carries the token in a hidden field (its reveal), and the confirming POST sends it back
    const browser = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
    const formOf = (res: LightMyRequestResponse) => ({
      cookie: `crm_privacy_form=${(res.cookies as { name: string; value: string }[]).find((c) => c.name === 'crm_privacy_form')!.value}`,
      formToken: /name="form_token" value="([^"]+)"/.exec(res.body)![1]!,
    });
    const postForm = (url: string, form: { cookie: string; formToken: string }, fields: [string, string][]) =>
      t.app.inject({
        method: 'POST',
        url,
        remoteAddress: '10.9.0.1',
        headers: { ...browser, origin: TEST_ORIGIN, cookie: form.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: [...fields, ['form_token', form.formToken]].map(([k, v]) => `${encodeURIComponent(k!)}=${encodeURIComponent(v!)}`).join('&'),
      });
    const deletionPage = keep('GET /data-deletion', await t.app.inject({ method: 'GET', url: '/data-deletion', remoteAddress: '10.9.0.1', headers: browser }));
    mails = smtp.mails.length;
    const filed = keep('POST /data-deletion', await postForm('/data-deletion', formOf(deletionPage), [['email', 'privacy.canary@example.test'], ['scope', 'account'], ['message', '']]));
    expect(filed.statusCode, filed.body.slice(0, 300)).toBe(200);
    const verifyMail = (await nextMail(mails)).replace(/=\r?\n/g, '').replace(/=3D/g, '=');
    const verifyToken = /\/data-deletion\/verify\?token=([A-Za-z0-9_-]+)/.exec(verifyMail)![1]!;
    linkTokens.set('privacy verification token', verifyToken);
    const confirmPage = keep('GET /data-deletion/verify', await t.app.inject({ method: 'GET', url: `/data-deletion/verify?token=${verifyToken}`, remoteAddress: '10.9.0.1', headers: browser }), [verifyToken]);
    expect(confirmPage.statusCode).toBe(200);
    const verified = keep('POST /data-deletion/verify', await postForm('/data-deletion/verify', formOf(confirmPage), [['token', verifyToken]]));
    expect(verified.statusCode, verified.body.slice(0, 300)).toBe(200);
    expect(verified.body).toContain('Request confirmed');

    // 9. the read side an owner sees, then sign-out
    for (const url of [
      '/api/v1/me',
      '/api/v1/me/sessions',
      '/api/v1/me/login-activity',
      '/api/v1/login-activity',
      '/api/v1/users',
      '/api/v1/settings/sso',
      '/api/v1/settings/two-factor',
      '/api/v1/audit/events',
      '/api/v1/audit/export?format=jsonl',
      '/api/v1/webhooks/events',
      '/api/v1/webhooks/callbacks',
      '/api/v1/privacy-requests',
      '/api/v1/notifications',
      '/api/v1/me/privacy-requests',
      '/api/openapi.json',
      '/healthz',
      '/readyz',
    ]) {
      const res = await call('GET', url, { cookie: ownerCookie });
      expect(res.statusCode, `${url}: ${res.body.slice(0, 300)}`).toBe(200);
    }
    expect((await call('GET', '/api/v1/outbox', { cookie: ownerCookie })).statusCode).toBe(404);
    expect((await call('POST', '/api/v1/auth/sign-out', { cookie: ownerCookie })).statusCode).toBe(204);
    expect((await call('GET', '/api/v1/me', { cookie: ownerCookie })).statusCode).toBe(401);
  });

  it('no canary in any response outside its reveal, log line, audit row, table but vault_secrets, or mail', async () => {
    const configSecrets = Object.entries({ ...CONFIG, ssoClientSecret: idp.clientSecret });
    const passwords = [...Object.entries(PW).map(([k, v]) => [`password (${k})`, v] as const), ...Object.entries(WRONG).map(([k, v]) => [`wrong ${k}`, v] as const)];
    const oneTime = [...issued.entries()];
    const links = [...linkTokens.entries()];
    expect(oneTime.filter(([k]) => k.startsWith('crm_session')).length).toBeGreaterThanOrEqual(8);
    expect(oneTime.filter(([k]) => k.startsWith('crm_sso_state')).length).toBe(2);
    expect(links).toHaveLength(3);
    expect(totpCodes.length).toBe(3);

    const logs = t.logs.join('');
    const audit = await rowsOf(sql`SELECT t::text AS row FROM audit_events t UNION ALL SELECT t::text FROM audit_personal_values t`);
    const tables = await tableRows(['vault_secrets', 'outbox_mails']);
    expect(await rowsOf(sql`SELECT t::text AS row FROM vault_secrets t WHERE owner_type IN ('sso_settings', 'user_totp')`)).not.toBe('');
    const outbox = await rowsOf(sql`SELECT t::text AS row FROM outbox_mails t`);
    const mails = `${smtp.mails.map((m) => m.raw).join('\n')}\n${outbox}`;
    const shown = responses.map((r) => r.text).join('\n\n');
    const rawResponses = responses.map((r) => r.raw).join('\n\n');
    // the scan sees what it should: the flows ran, were logged and audited, and tokens are kept hashed
    expect(responses.length).toBeGreaterThan(60);
    expect(logs).toContain('"url":"/api/v1/auth/sign-in"');
    expect(audit).toMatch(/sso\.settings_changed/);
    expect(tables).toContain(hashToken(issued.get('API token')!));
    expect(smtp.mails.length).toBe(3);

    const leaks: string[] = [];
    const scan = (place: string, text: string, values: readonly (readonly [string, string])[]) => {
      for (const [name, value] of values) if (text.includes(value)) leaks.push(`${name} in ${place}`);
    };
    const everywhere = [...configSecrets, ...passwords, ...oneTime];
    // config secrets and passwords: in no response at all (not even a reveal)
    scan('responses', rawResponses, [...configSecrets, ...passwords]);
    // everything: not outside its reveal, not in logs, audit, tables, mails
    scan('responses outside their reveal', shown, [...everywhere, ...links]);
    scan('log lines', logs, [...everywhere, ...links]);
    scan('audit rows', audit, [...everywhere, ...links]);
    scan('tables but vault_secrets', tables, [...everywhere, ...links]);
    scan('mails', mails, everywhere);
    // vault_secrets holds the SSO client secret and the TOTP secret by design, encrypted: not one raw value
    scan('vault_secrets', await rowsOf(sql`SELECT t::text AS row FROM vault_secrets t`), [...everywhere, ...links]);
    for (const code of totpCodes) {
      for (const [place, text] of Object.entries({ 'responses outside their reveal': shown, 'log lines': logs, 'audit rows': audit, 'tables but vault_secrets': tables, mails })) {
        if (codePattern(code).test(text)) leaks.push(`TOTP code ${code} in ${place}`);
      }
    }
    expect(leaks).toEqual([]);
  });
});
