/**
 * 2FA end to end over HTTP on a real database: enrolment, the code step of sign-in, replay, recovery
 * codes, lockout, the reset by owners and admins, the per-role policy with its grace period, step-up
 * and the permissions of every new route.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, cookiesOf, createUser, sameOrigin, TEST_PASSWORD, type TestApp } from '../../../test-support/test-app.js';
import { useTestDatabase } from '../../../test-support/test-db.js';
import type { Role } from '../permissions.js';
import { STEP_UP_MS, STEP_UP_ROUTES } from './step-up.js';
import { STEP_MS, totpCodeAt } from './totp.js';
import { resetTwoFactorForCli } from './two-factor.service.js';

const tdb = useTestDatabase();
let t: TestApp;

beforeAll(async () => {
  t = await buildTestApp(tdb.current.database);
});
afterAll(async () => {
  await t.app.close();
});

const db = () => tdb.current.database.db;
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/**
 * Like a browser's cookie jar: when an answer gives the session a new id (the code step, a confirmed
 * enrolment), later calls with the old cookie send the new one. The old id's refusal is tested directly.
 */
const renamed = new Map<string, string>();
const current = (cookie: string): string => (renamed.has(cookie) ? current(renamed.get(cookie)!) : cookie);
const call = async (method: Method, url: string, cookie: string | null, payload?: unknown) => {
  const sent = cookie ? current(cookie) : null;
  const res = await t.app.inject({ method, url, headers: { ...sameOrigin, ...(sent ? { cookie: sent } : {}) }, ...(payload === undefined ? {} : { payload: payload as object }) });
  const next = cookiesOf(res).crm_session;
  if (sent && next && `crm_session=${next}` !== sent) renamed.set(sent, `crm_session=${next}`);
  return res;
};

/** The password step: the response and the session cookie it set. */
async function passwordStep(email: string, password = TEST_PASSWORD) {
  const res = await call('POST', '/api/v1/auth/sign-in', null, { email, password });
  const value = cookiesOf(res).crm_session;
  return { res, cookie: value ? `crm_session=${value}` : null };
}

/** Moves the clock to the next 30-second step, so a fresh code is not a replay of the last one. */
const nextStep = () => t.clock.advance(STEP_MS);
const code = (secret: string) => totpCodeAt(secret, t.clock.now());

async function user(role: Role) {
  const u = await createUser(tdb.current.database, role);
  const { cookie } = await passwordStep(u.email);
  return { user: u, cookie: cookie! };
}

/** Enrols the user of `cookie`: returns the secret and the recovery codes. */
async function enrol(cookie: string) {
  const start = await call('POST', '/api/v1/me/two-factor/enrolment', cookie, {});
  expect(start.statusCode).toBe(200);
  const { secret } = start.json() as { secret: string };
  nextStep();
  const confirm = await call('POST', '/api/v1/me/two-factor/enrolment/confirm', cookie, { code: code(secret) });
  expect(confirm.statusCode).toBe(200);
  return { secret, recoveryCodes: (confirm.json() as { recoveryCodes: string[] }).recoveryCodes };
}

async function activity(userId: string) {
  const r = await db().execute<{ result: string; reason: string | null; second_factor: string | null }>(
    sql`SELECT result, reason, second_factor FROM login_activity WHERE user_id = ${userId} ORDER BY id`,
  );
  return r.rows;
}

describe('enrolment', () => {
  it('shows a QR code and the secret, keeps an unconfirmed secret out of sign-in, and confirms with a first code', async () => {
    const { user: u, cookie } = await user('admin');
    const before = await call('GET', '/api/v1/me/two-factor', cookie);
    expect(before.json()).toMatchObject({ enrolled: false, required: false, recommended: true });

    const start = await call('POST', '/api/v1/me/two-factor/enrolment', cookie, {});
    expect(start.statusCode).toBe(200);
    expect(start.headers['cache-control']).toBe('no-store');
    const body = start.json() as { secret: string; otpauthUri: string; qrCode: string };
    expect(body.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(body.otpauthUri).toContain(`secret=${body.secret}`);
    expect(body.qrCode).toMatch(/^data:image\/png;base64,/);
    // stored encrypted, as pending only
    const stored = await db().execute<{ purpose: string; ciphertext: string }>(sql`SELECT purpose, ciphertext FROM vault_secrets WHERE owner_type = 'user_totp' AND owner_id = ${u.id}`);
    expect(stored.rows.map((r) => r.purpose)).toEqual(['totp_pending']);
    expect(stored.rows[0]!.ciphertext).not.toContain(body.secret);

    // an unconfirmed secret never counts: the next sign-in asks for no code
    const again = await passwordStep(u.email);
    expect(again.res.json().stage).toBeUndefined();

    expect((await call('POST', '/api/v1/me/two-factor/enrolment/confirm', cookie, { code: '000000' })).statusCode).toBe(400);
    nextStep();
    const confirm = await call('POST', '/api/v1/me/two-factor/enrolment/confirm', cookie, { code: code(body.secret) });
    expect(confirm.statusCode).toBe(200);
    const codes = (confirm.json() as { recoveryCodes: string[] }).recoveryCodes;
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    const hashes = await db().execute<{ code_hash: string }>(sql`SELECT code_hash FROM recovery_codes WHERE user_id = ${u.id}`);
    expect(hashes.rows).toHaveLength(10);
    for (const c of codes) expect(hashes.rows.map((r) => r.code_hash)).not.toContain(c);

    const after = await call('GET', '/api/v1/me/two-factor', cookie);
    expect(after.json()).toMatchObject({ enrolled: true, recoveryCodesLeft: 10, recommended: false });
    const purposes = await db().execute<{ purpose: string }>(sql`SELECT purpose FROM vault_secrets WHERE owner_type = 'user_totp' AND owner_id = ${u.id}`);
    expect(purposes.rows.map((r) => r.purpose)).toEqual(['totp_secret']);
    const audit = await db().execute<{ action: string }>(sql`SELECT action FROM audit_events WHERE target_id = ${u.id} AND action LIKE 'two_factor.%'`);
    expect(audit.rows.map((r) => r.action)).toEqual(['two_factor.enrolled']);
    // the users list shows who has 2FA
    const list = await call('GET', `/api/v1/users?q=${encodeURIComponent(u.email)}`, cookie);
    expect(list.json().items[0].twoFactorEnabled).toBe(true);
  });

  it('re-enrolment and removal need the password and a current code', async () => {
    const { cookie } = await user('operator');
    const { secret } = await enrol(cookie);
    expect((await call('POST', '/api/v1/me/two-factor/enrolment', cookie, {})).statusCode).toBe(400);
    nextStep();
    expect((await call('POST', '/api/v1/me/two-factor/enrolment', cookie, { password: 'wrong password here', code: code(secret) })).statusCode).toBe(400);
    nextStep();
    const re = await call('POST', '/api/v1/me/two-factor/enrolment', cookie, { password: TEST_PASSWORD, code: code(secret) });
    expect(re.statusCode).toBe(200);
    const fresh = (re.json() as { secret: string }).secret;
    nextStep();
    expect((await call('POST', '/api/v1/me/two-factor/enrolment/confirm', cookie, { code: code(fresh) })).statusCode).toBe(200);
    nextStep();
    // the old secret no longer works
    expect((await call('POST', '/api/v1/me/two-factor/remove', cookie, { password: TEST_PASSWORD, code: code(secret) })).statusCode).toBe(400);
    nextStep();
    expect((await call('POST', '/api/v1/me/two-factor/remove', cookie, { password: TEST_PASSWORD, code: code(fresh) })).statusCode).toBe(204);
    expect((await call('GET', '/api/v1/me/two-factor', cookie)).json().enrolled).toBe(false);
  });
});

describe('sign-in with a second factor', () => {
  it('asks for the code after the password; nothing else works until it is given; records the result', async () => {
    const { user: u, cookie } = await user('viewer');
    const { secret } = await enrol(cookie);
    const step = await passwordStep(u.email);
    expect(step.res.statusCode).toBe(200);
    expect(step.res.json().stage).toBe('second_factor');
    const me = await call('GET', '/api/v1/me', step.cookie);
    expect(me.statusCode).toBe(401);
    expect(me.json().code).toBe('second_factor_required');
    nextStep();
    const done = await call('POST', '/api/v1/auth/second-factor', step.cookie, { code: code(secret) });
    expect(done.statusCode).toBe(200);
    // the session has a new id now: the password step's cookie no longer works (ASVS 3.2.1)
    const fresh = `crm_session=${cookiesOf(done).crm_session}`;
    expect(fresh).not.toBe(step.cookie);
    expect((await t.app.inject({ url: '/api/v1/me', headers: { cookie: step.cookie! } })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/api/v1/me', headers: { cookie: fresh } })).statusCode).toBe(200);
    expect((await call('GET', '/api/v1/me', step.cookie)).statusCode).toBe(200);
    // a full session owes nothing
    expect((await call('POST', '/api/v1/auth/second-factor', step.cookie, { code: code(secret) })).statusCode).toBe(409);
    expect((await activity(u.id)).at(-1)).toEqual({ result: 'success', reason: null, second_factor: 'totp_ok' });
  });

  it('refuses a code whose time step was already used', async () => {
    const { user: u, cookie } = await user('viewer');
    const { secret } = await enrol(cookie);
    nextStep();
    const first = await passwordStep(u.email);
    expect((await call('POST', '/api/v1/auth/second-factor', first.cookie, { code: code(secret) })).statusCode).toBe(200);
    const second = await passwordStep(u.email);
    const replay = await call('POST', '/api/v1/auth/second-factor', second.cookie, { code: code(secret) });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().code).toBe('invalid_credentials');
    expect((await activity(u.id)).at(-1)).toEqual({ result: 'failure', reason: 'bad_second_factor', second_factor: 'totp_failed' });
    nextStep();
    expect((await call('POST', '/api/v1/auth/second-factor', second.cookie, { code: code(secret) })).statusCode).toBe(200);
  });

  it('accepts each recovery code once', async () => {
    const { user: u, cookie } = await user('operator');
    const { recoveryCodes } = await enrol(cookie);
    const first = await passwordStep(u.email);
    expect((await call('POST', '/api/v1/auth/second-factor', first.cookie, { code: recoveryCodes[3]!.toUpperCase() })).statusCode).toBe(200);
    expect((await activity(u.id)).at(-1)).toEqual({ result: 'success', reason: null, second_factor: 'recovery_ok' });
    const second = await passwordStep(u.email);
    expect((await call('POST', '/api/v1/auth/second-factor', second.cookie, { code: recoveryCodes[3] })).statusCode).toBe(401);
    expect((await activity(u.id)).at(-1)).toEqual({ result: 'failure', reason: 'bad_second_factor', second_factor: 'recovery_failed' });
    expect((await call('GET', '/api/v1/me/two-factor', first.cookie)).json().recoveryCodesLeft).toBe(9);
  });

  it('counts wrong codes toward the account lockout and ends the code step once locked', async () => {
    const { user: u, cookie } = await user('operator');
    const { secret } = await enrol(cookie);
    const step = await passwordStep(u.email);
    for (let i = 0; i < 5; i++) expect((await call('POST', '/api/v1/auth/second-factor', step.cookie, { code: '123456' })).statusCode).toBe(401);
    const locked = await db().execute<{ locked_until: Date | null }>(sql`SELECT locked_until FROM users WHERE id = ${u.id}`);
    expect(locked.rows[0]!.locked_until).not.toBeNull();
    nextStep();
    // the pending session ended: even the right code does not help now
    const after = await call('POST', '/api/v1/auth/second-factor', step.cookie, { code: code(secret) });
    expect(after.statusCode).toBe(401);
    expect(after.json().code).toBe('unauthenticated');
    // and the password is refused while the lock lasts
    expect((await passwordStep(u.email)).res.statusCode).toBe(401);
    const rows = await activity(u.id);
    expect(rows.filter((r) => r.reason === 'bad_second_factor')).toHaveLength(5);
  });

  it('keeps the password step from resetting the failure count', async () => {
    const { user: u, cookie } = await user('viewer');
    await enrol(cookie);
    for (let round = 0; round < 2; round++) {
      const step = await passwordStep(u.email);
      expect(step.res.statusCode).toBe(200);
      for (let i = 0; i < 2; i++) await call('POST', '/api/v1/auth/second-factor', step.cookie, { code: '654321' });
    }
    const r = await db().execute<{ failed_count: number }>(sql`SELECT failed_count FROM users WHERE id = ${u.id}`);
    expect(r.rows[0]!.failed_count).toBe(4);
  });
});

describe('reset by owners and admins', () => {
  it('erases the 2FA and ends the user sessions; admins cannot reset owners; nobody resets their own', async () => {
    const admin = await user('admin');
    const target = await user('operator');
    await enrol(target.cookie);
    const detail = await call('GET', `/api/v1/users/${target.user.id}`, admin.cookie);
    expect(detail.json().user.abilities.resetTwoFactor).toBe(true);
    const operator = await user('operator');
    expect((await call('POST', `/api/v1/users/${target.user.id}/two-factor/reset`, operator.cookie)).statusCode).toBe(403);

    const res = await call('POST', `/api/v1/users/${target.user.id}/two-factor/reset`, admin.cookie);
    expect(res.statusCode).toBe(200);
    expect((await call('GET', '/api/v1/me', target.cookie)).statusCode).toBe(401);
    const signIn = await passwordStep(target.user.email);
    expect(signIn.res.json().stage).toBeUndefined();
    const secrets = await db().execute(sql`SELECT 1 FROM vault_secrets WHERE owner_type = 'user_totp' AND owner_id = ${target.user.id}`);
    expect(secrets.rows).toHaveLength(0);
    const audit = await db().execute<{ details: { sessionsEnded: number } }>(sql`SELECT details FROM audit_events WHERE target_id = ${target.user.id} AND action = 'two_factor.reset'`);
    expect(audit.rows[0]!.details.sessionsEnded).toBeGreaterThan(0);

    const owner = await user('owner');
    await enrol(owner.cookie);
    expect((await call('POST', `/api/v1/users/${owner.user.id}/two-factor/reset`, admin.cookie)).statusCode).toBe(403);
    expect((await call('POST', `/api/v1/users/${owner.user.id}/two-factor/reset`, owner.cookie)).statusCode).toBe(409);
    expect((await call('POST', `/api/v1/users/${target.user.id}/two-factor/reset`, owner.cookie)).statusCode).toBe(409);
  });
});

describe('reset from the CLI', () => {
  it('resets a user (the only owner who lost device and codes) and ends their sessions, audited as the CLI', async () => {
    const owner = await user('owner');
    await enrol(owner.cookie);
    await expect(resetTwoFactorForCli({ db: db(), clock: t.clock }, 'nobody@example.test')).rejects.toThrow(/no user/);
    const r = await resetTwoFactorForCli({ db: db(), clock: t.clock }, owner.user.email);
    expect(r.sessionsEnded).toBeGreaterThan(0);
    expect((await call('GET', '/api/v1/me', owner.cookie)).statusCode).toBe(401);
    expect((await passwordStep(owner.user.email)).res.json().stage).toBeUndefined();
    const audit = await db().execute<{ actor_type: string }>(sql`SELECT actor_type FROM audit_events WHERE target_id = ${owner.user.id} AND action = 'two_factor.reset'`);
    expect(audit.rows.map((x) => x.actor_type)).toEqual(['cli']);
    await expect(resetTwoFactorForCli({ db: db(), clock: t.clock }, owner.user.email)).rejects.toThrow(/no two-factor/);
  });
});

describe('policy', () => {
  it('gives a grace period after the requirement is switched on, then allows only enrolment', async () => {
    const owner = await user('owner');
    const admin = await user('admin');
    expect((await call('GET', '/api/v1/settings/two-factor', admin.cookie)).statusCode).toBe(403);
    expect((await call('PUT', '/api/v1/settings/two-factor/admin', admin.cookie, { required: true, graceDays: 7 })).statusCode).toBe(403);
    const set = await call('PUT', '/api/v1/settings/two-factor/admin', owner.cookie, { required: true, graceDays: 7 });
    expect(set.statusCode).toBe(200);
    expect(set.json().roles.find((r: { role: string }) => r.role === 'admin')).toMatchObject({ required: true, graceDays: 7 });
    expect(set.json().roles.find((r: { role: string }) => r.role === 'operator')).toMatchObject({ required: false });

    // inside the grace period: a normal sign-in and a deadline to show
    const during = await passwordStep(admin.user.email);
    expect(during.res.json().stage).toBeUndefined();
    const status = (await call('GET', '/api/v1/me/two-factor', during.cookie)).json();
    expect(status).toMatchObject({ required: true, enrolled: false });
    expect(new Date(status.graceEndsAt).getTime()).toBe(t.clock.now().getTime() + 7 * 24 * 3600_000);
    // another role is not affected
    const operator = await createUser(tdb.current.database, 'operator');

    t.clock.advance(7 * 24 * 3600_000 + 1000);
    const after = await passwordStep(admin.user.email);
    expect(after.res.statusCode).toBe(200);
    expect(after.res.json().stage).toBe('enrol');
    const blocked = await call('GET', '/api/v1/users', after.cookie);
    expect(blocked.statusCode).toBe(401);
    expect(blocked.json().code).toBe('enrolment_required');
    expect((await passwordStep(operator.email)).res.json().stage).toBeUndefined();

    const { secret } = await enrol(after.cookie!);
    expect((await call('GET', '/api/v1/users', after.cookie)).statusCode).toBe(200);
    // while required, removing is refused
    nextStep();
    expect((await call('POST', '/api/v1/me/two-factor/remove', after.cookie, { password: TEST_PASSWORD, code: code(secret) })).statusCode).toBe(409);
    // from now on the admin signs in with a code
    expect((await passwordStep(admin.user.email)).res.json().stage).toBe('second_factor');
  });
});

describe('step-up', () => {
  it('asks for a fresh password or code before a sensitive action, then lets it through', async () => {
    const owner = await user('owner');
    const viewer = await createUser(tdb.current.database, 'viewer');
    const change = () => call('PATCH', `/api/v1/users/${viewer.id}/role`, owner.cookie, { role: 'operator' });
    t.clock.advance(STEP_UP_MS + 1000);
    const refused = await change();
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('step_up_required');
    // ordinary actions are unaffected
    expect((await call('GET', '/api/v1/users', owner.cookie)).statusCode).toBe(200);

    const wrong = await call('POST', '/api/v1/me/step-up', owner.cookie, { password: 'not the password at all' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().errors[0].path).toBe('password');
    expect((await call('GET', '/api/v1/me/step-up', owner.cookie)).json()).toMatchObject({ windowMs: STEP_UP_MS, remainingMs: 0 });
    expect((await call('POST', '/api/v1/me/step-up', owner.cookie, { password: TEST_PASSWORD })).statusCode).toBe(200);
    expect((await call('GET', '/api/v1/me/step-up', owner.cookie)).json().remainingMs).toBe(STEP_UP_MS);
    expect((await change()).statusCode).toBe(200);

    // with a code, for an enrolled user
    const { secret } = await enrol(owner.cookie);
    t.clock.advance(STEP_UP_MS + 1000);
    expect((await change()).statusCode).toBe(403);
    expect((await call('POST', '/api/v1/me/step-up', owner.cookie, { code: '000000' })).statusCode).toBe(400);
    expect((await call('POST', '/api/v1/me/step-up', owner.cookie, { code: code(secret) })).statusCode).toBe(200);
    expect((await change()).statusCode).toBe(200);
  });

  it('lists only routes that exist', () => {
    const registered = new Set(t.app.routeActions.map((r) => `${r.method} ${r.url}`));
    for (const route of STEP_UP_ROUTES) expect(registered, route).toContain(route);
  });
});
