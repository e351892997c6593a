import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, cookiesOf, createUser, sameOrigin, TEST_PASSWORD, type TestApp } from '../../test-support/test-app.js';
import { useTestDatabase } from '../../test-support/test-db.js';
import { verifyCount } from './passwords.js';

const tdb = useTestDatabase();
let t: TestApp;

beforeAll(async () => {
  t = await buildTestApp(tdb.current.database);
});
afterAll(async () => {
  await t.app.close();
});

const signIn = (email: string, password: string, cookie?: string) =>
  t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/sign-in',
    headers: { ...sameOrigin, 'user-agent': 'vitest', ...(cookie ? { cookie } : {}) },
    payload: { email, password },
  });

async function activity(userId: string | null, email?: string) {
  const r = await tdb.current.database.db.execute<{ result: string; reason: string | null; ip: string | null; user_agent: string | null }>(
    userId
      ? sql`SELECT result, reason, ip, user_agent FROM login_activity WHERE user_id = ${userId} ORDER BY id`
      : sql`SELECT result, reason, ip, user_agent FROM login_activity WHERE attempted_email = ${email!} ORDER BY id`,
  );
  return r.rows;
}

describe('sign-in', () => {
  it('signs in, sets an HttpOnly SameSite=Lax session cookie and records the attempt', async () => {
    const u = await createUser(tdb.current.database, 'viewer');
    const res = await signIn(u.email.toUpperCase() + '  ', TEST_PASSWORD);
    expect(res.statusCode).toBe(200);
    const cookie = res.cookies.find((c) => c.name === 'crm_session')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    expect(cookie.secure).toBeFalsy();
    expect(res.json().user).toMatchObject({ id: u.id, email: u.email, role: 'viewer' });
    expect(res.body).not.toContain('passwordHash');
    // only the SHA-256 of the cookie value is stored
    const rows = await tdb.current.database.db.execute<{ token_hash: string }>(sql`SELECT token_hash FROM sessions WHERE user_id = ${u.id}`);
    expect(rows.rows[0]!.token_hash).not.toBe(cookie.value);
    expect(rows.rows[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await activity(u.id)).toEqual([{ result: 'success', reason: null, ip: '127.0.0.1', user_agent: 'vitest' }]);
    const me = await t.app.inject({ url: '/api/v1/me', headers: { cookie: `crm_session=${cookie.value}` } });
    expect(me.statusCode).toBe(200);
    expect(me.json().abilities).toContain('users.list');
    expect(me.json().abilities).not.toContain('audit.read');
  });

  it('gives one generic answer for unknown email, wrong password and deactivated, each running one argon2 verify', async () => {
    const active = await createUser(tdb.current.database, 'operator');
    const gone = await createUser(tdb.current.database, 'operator', { status: 'deactivated' });
    const answers = [];
    for (const [email, pw] of [
      ['nobody-here@example.test', TEST_PASSWORD],
      [active.email, 'wrong password 123'],
      [gone.email, TEST_PASSWORD],
    ] as const) {
      const before = verifyCount();
      const res = await signIn(email, pw);
      expect(verifyCount() - before).toBe(1);
      expect(res.statusCode).toBe(401);
      answers.push(res.json());
    }
    const strip = (a: { requestId: string }) => ({ ...a, requestId: '' });
    expect(strip(answers[0])).toEqual(strip(answers[1]));
    expect(strip(answers[1])).toEqual(strip(answers[2]));
    expect(answers[0].code).toBe('invalid_credentials');
    expect((await activity(null, 'nobody-here@example.test'))[0]).toMatchObject({ result: 'failure', reason: 'unknown_user' });
    expect((await activity(active.id))[0]).toMatchObject({ result: 'failure', reason: 'bad_password' });
    expect((await activity(gone.id))[0]).toMatchObject({ result: 'failure', reason: 'deactivated' });
  });

  it('locks after 5 failures in 15 minutes for 1, 2, 4, 8, then 15 minutes; a lock refuses even the right password', async () => {
    const u = await createUser(tdb.current.database, 'viewer');
    for (let i = 0; i < 5; i++) expect((await signIn(u.email, 'wrong password 123')).statusCode).toBe(401);
    // locked: the right password is refused and recorded as locked
    expect((await signIn(u.email, TEST_PASSWORD)).statusCode).toBe(401);
    expect((await activity(u.id)).at(-1)).toMatchObject({ reason: 'locked' });
    const lockMinutes: number[] = [];
    for (let round = 0; round < 6; round++) {
      // find how long the lock lasts, minute by minute, without counting attempts during it
      let minutes = 0;
      for (;;) {
        t.clock.advance(60_000);
        minutes++;
        const row = await tdb.current.database.db.execute<{ locked_until: string | null }>(sql`SELECT locked_until FROM users WHERE id = ${u.id}`);
        const until = row.rows[0]!.locked_until;
        if (!until || new Date(until).getTime() <= t.clock.now().getTime()) break;
      }
      lockMinutes.push(minutes);
      expect((await signIn(u.email, 'wrong password 123')).statusCode).toBe(401);
    }
    expect(lockMinutes).toEqual([1, 2, 4, 8, 15, 15]);
    // a success after the lock ends resets everything
    t.clock.advance(16 * 60_000);
    expect((await signIn(u.email, TEST_PASSWORD)).statusCode).toBe(200);
    const row = await tdb.current.database.db.execute<{ failed_count: number }>(sql`SELECT failed_count FROM users WHERE id = ${u.id}`);
    expect(row.rows[0]!.failed_count).toBe(0);
  });

  it('exempts a browser with a device cookie for that account from the account lock, and locks the device after 10 failures', async () => {
    const u = await createUser(tdb.current.database, 'owner');
    const first = await signIn(u.email, TEST_PASSWORD);
    const device = cookiesOf(first).crm_device;
    expect(device).toBeTruthy();
    const deviceCookie = `crm_device=${device}`;
    // an attacker without the cookie locks the account
    for (let i = 0; i < 6; i++) await signIn(u.email, 'attacker guess 0000');
    expect((await signIn(u.email, TEST_PASSWORD)).statusCode).toBe(401);
    // a forged device cookie does not help
    expect((await signIn(u.email, TEST_PASSWORD, `crm_device=${device!.slice(0, -3)}abc`)).statusCode).toBe(401);
    // the owner's browser still gets in (and the success resets the account's count)
    expect((await signIn(u.email, TEST_PASSWORD, deviceCookie)).statusCode).toBe(200);
    // 10 failures with the device cookie lock the device too
    for (let i = 0; i < 10; i++) await signIn(u.email, 'typo password 0000', deviceCookie);
    expect((await signIn(u.email, TEST_PASSWORD, deviceCookie)).statusCode).toBe(401);
    expect((await activity(u.id)).at(-1)).toMatchObject({ reason: 'locked' });
  });

  it('rate limits sign-in per IP and records rate_limited', async () => {
    const limited = await buildTestApp(tdb.current.database, { signInRateLimit: { max: 3, timeWindowMs: 60_000 } });
    // the counters live in the database, shared with the earlier tests' app: start this window afresh
    await tdb.current.database.pool.query('DELETE FROM rate_limit_hits');
    try {
      const u = await createUser(tdb.current.database, 'viewer');
      const codes = [];
      for (let i = 0; i < 4; i++) {
        const res = await limited.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', headers: sameOrigin, payload: { email: u.email, password: 'nope nope nope' } });
        codes.push(res.statusCode);
        if (res.statusCode === 429) expect(res.json().code).toBe('rate_limited');
      }
      expect(codes).toEqual([401, 401, 401, 429]);
      await new Promise((r) => setTimeout(r, 50));
      expect((await activity(u.id)).at(-1)).toMatchObject({ reason: 'rate_limited' });
    } finally {
      await limited.app.close();
    }
  });

  it('names the field for bad input and writes nothing', async () => {
    const before = await tdb.current.database.db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM login_activity`);
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', headers: sameOrigin, payload: { email: 'not-an-email', password: 'x' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json()).toMatchObject({ code: 'validation_failed', errors: [{ path: 'email' }] });
    const extra = await t.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', headers: sameOrigin, payload: { email: 'a@b.test', password: 'x', admin: true } });
    expect(extra.json().errors).toEqual([{ path: 'admin', message: 'is not a known field' }]);
    const malformed = await t.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', headers: { ...sameOrigin, 'content-type': 'application/json' }, payload: '{"email":' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().code).toBe('validation_failed');
    const long = await t.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', headers: sameOrigin, payload: { email: `${'a'.repeat(300)}@b.test`, password: 'x' } });
    expect(long.json().errors[0].path).toBe('email');
    const after = await tdb.current.database.db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM login_activity`);
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });

  it('refuses state-changing requests without the app origin or the CSRF header', async () => {
    const u = await createUser(tdb.current.database, 'viewer');
    const noHeader = await t.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', headers: { origin: sameOrigin.origin }, payload: { email: u.email, password: TEST_PASSWORD } });
    expect(noHeader.statusCode).toBe(403);
    expect(noHeader.json().code).toBe('csrf_failed');
    const evil = await t.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', headers: { ...sameOrigin, origin: 'https://evil.example' }, payload: { email: u.email, password: TEST_PASSWORD } });
    expect(evil.statusCode).toBe(403);
    const noOrigin = await t.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', headers: { 'x-csrf-protection': '1' }, payload: { email: u.email, password: TEST_PASSWORD } });
    expect(noOrigin.statusCode).toBe(403);
  });

  it('answers refused sign-ins no sooner than the floor, known and unknown emails alike, and never delays a success', async () => {
    const floored = await buildTestApp(tdb.current.database, { signInFailureFloorMs: 800 });
    try {
      const u = await createUser(tdb.current.database, 'viewer');
      const timed = async (email: string, password: string) => {
        const t0 = performance.now();
        const res = await floored.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', headers: { ...sameOrigin }, payload: { email, password } });
        return { status: res.statusCode, ms: performance.now() - t0 };
      };
      const known = await timed(u.email, 'a wrong password for this account');
      const unknown = await timed('nobody-at-all@example.test', 'a wrong password for this account');
      expect([known.status, unknown.status]).toEqual([401, 401]);
      expect(known.ms).toBeGreaterThanOrEqual(795);
      expect(unknown.ms).toBeGreaterThanOrEqual(795);
      const ok = await timed(u.email, TEST_PASSWORD);
      expect(ok.status).toBe(200);
      expect(ok.ms).toBeLessThan(795);
    } finally {
      await floored.app.close();
    }
  });

  it('never adopts a session id the browser brought (fixation): sign-in issues its own, and the planted one stays invalid', async () => {
    const u = await createUser(tdb.current.database, 'viewer');
    const planted = 'crm_session=AAAAattacker-chosen-session-id-AAAAAAAAAAA';
    const res = await signIn(u.email, TEST_PASSWORD, planted);
    expect(res.statusCode).toBe(200);
    const issued = cookiesOf(res).crm_session!;
    expect(`crm_session=${issued}`).not.toBe(planted);
    expect((await t.app.inject({ url: '/api/v1/me', headers: { cookie: planted } })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/api/v1/me', headers: { cookie: `crm_session=${issued}` } })).statusCode).toBe(200);
    // signing in again from the same browser replaces the session id again, and the previous one ends
    const again = await signIn(u.email, TEST_PASSWORD, `crm_session=${issued}`);
    const second = cookiesOf(again).crm_session!;
    expect(second).not.toBe(issued);
    expect((await t.app.inject({ url: '/api/v1/me', headers: { cookie: `crm_session=${issued}` } })).statusCode).toBe(401);
  });
});
