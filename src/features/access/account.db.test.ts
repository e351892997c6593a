import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, cookiesOf, createUser, sameOrigin, signInCookie, TEST_PASSWORD, type TestApp } from '../../test-support/test-app.js';
import { useTestDatabase } from '../../test-support/test-db.js';
import { createSetupLink, firstStartSetupLink, SETUP_LINK_TTL_MS } from './setup.service.js';

const tdb = useTestDatabase();
let t: TestApp;

beforeAll(async () => {
  t = await buildTestApp(tdb.current.database);
});
afterAll(async () => {
  await t.app.close();
});

const db = () => tdb.current.database.db;
async function auditRows() {
  const r = await db().execute<{ action: string; actor_id: string | null; target_id: string | null; details: Record<string, unknown>; changed_fields: string[] }>(
    sql`SELECT action, actor_id, target_id, details, changed_fields FROM audit_events ORDER BY id`,
  );
  return r.rows;
}

describe('first-owner setup', () => {
  it('creates the owner through a one-time link, signs them in, audits it, and the link dies', async () => {
    const token = (await firstStartSetupLink({ db: db(), clock: t.clock }))!;
    expect(token).toBeTruthy();
    const status = await t.app.inject({ url: `/api/v1/setup/status?token=${token}` });
    expect(status.json()).toEqual({ valid: true, email: null, displayName: null });

    const weak = await t.app.inject({ method: 'POST', url: '/api/v1/setup', headers: sameOrigin, payload: { token, email: 'owner@example.test', displayName: 'Olive Owner', password: 'password1234' } });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().errors).toEqual([{ path: 'password', message: 'is too common; choose another' }]);
    const short = await t.app.inject({ method: 'POST', url: '/api/v1/setup', headers: sameOrigin, payload: { token, email: 'owner@example.test', displayName: 'Olive Owner', password: 'short' } });
    expect(short.json().errors[0]).toMatchObject({ path: 'password' });

    const res = await t.app.inject({ method: 'POST', url: '/api/v1/setup', headers: sameOrigin, payload: { token, email: ' Owner@Example.TEST ', displayName: 'Olive Owner', password: TEST_PASSWORD } });
    expect(res.statusCode).toBe(201);
    expect(res.json().user).toMatchObject({ email: 'owner@example.test', role: 'owner', status: 'active' });
    const cookie = `crm_session=${cookiesOf(res).crm_session}`;
    expect((await t.app.inject({ url: '/api/v1/me', headers: { cookie } })).json().user.role).toBe('owner');

    const again = await t.app.inject({ method: 'POST', url: '/api/v1/setup', headers: sameOrigin, payload: { token, email: 'second@example.test', displayName: 'Second', password: TEST_PASSWORD } });
    expect(again.statusCode).toBe(410);
    expect((await t.app.inject({ url: `/api/v1/setup/status?token=${token}` })).json().valid).toBe(false);
    expect(await firstStartSetupLink({ db: db(), clock: t.clock })).toBeNull();

    const audit = await auditRows();
    expect(audit.map((a) => a.action)).toEqual(['setup.link_created', 'setup.completed']);
    // the trail holds no personal data; the side table does, per subject
    expect(JSON.stringify(audit)).not.toContain('owner@example.test');
    const personal = await db().execute<{ field: string; subject_id: string; value: string }>(sql`SELECT field, subject_id, value FROM audit_personal_values ORDER BY id`);
    expect(personal.rows).toEqual([
      { field: 'email', subject_id: res.json().user.id, value: 'owner@example.test' },
      { field: 'displayName', subject_id: res.json().user.id, value: 'Olive Owner' },
    ]);
  });

  it('expires setup links after one hour and stores only their hash', async () => {
    const token = await createSetupLink({ db: db(), clock: t.clock }, { via: 'cli', email: 'cli-owner@example.test', displayName: 'Cli Owner' });
    const stored = await db().execute<{ token_hash: string }>(sql`SELECT token_hash FROM setup_tokens`);
    expect(stored.rows.map((r) => r.token_hash)).not.toContain(token);
    expect((await t.app.inject({ url: `/api/v1/setup/status?token=${token}` })).json()).toEqual({ valid: true, email: 'cli-owner@example.test', displayName: 'Cli Owner' });
    t.clock.advance(SETUP_LINK_TTL_MS + 1);
    expect((await t.app.inject({ url: `/api/v1/setup/status?token=${token}` })).json().valid).toBe(false);
  });
});

describe('sessions', () => {
  it('ends a session after the idle timeout and after the absolute limit', async () => {
    const u = await createUser(tdb.current.database, 'viewer');
    const cookie = await signInCookie(t, u.email);
    t.clock.advance(t.config.sessionIdleMs - 120_000);
    expect((await t.app.inject({ url: '/api/v1/me', headers: { cookie } })).statusCode).toBe(200);
    t.clock.advance(t.config.sessionIdleMs + 1);
    expect((await t.app.inject({ url: '/api/v1/me', headers: { cookie } })).statusCode).toBe(401);

    const cookie2 = await signInCookie(t, u.email);
    // keep it busy every 20 minutes until the 12-hour absolute limit passes
    let last = 200;
    for (let elapsed = 0; elapsed <= t.config.sessionMaxMs; elapsed += 20 * 60_000) {
      t.clock.advance(20 * 60_000);
      last = (await t.app.inject({ url: '/api/v1/me', headers: { cookie: cookie2 } })).statusCode;
      if (last === 401) break;
    }
    expect(last).toBe(401);
  });

  it('lists own sessions, ends one, ends all others, and signs out server-side', async () => {
    const u = await createUser(tdb.current.database, 'operator');
    const a = await signInCookie(t, u.email);
    const b = await signInCookie(t, u.email);
    const c = await signInCookie(t, u.email);
    const list = (await t.app.inject({ url: '/api/v1/me/sessions', headers: { cookie: a } })).json().items;
    expect(list).toHaveLength(3);
    expect(list.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    expect(JSON.stringify(list)).not.toMatch(/token|hash/i);
    const other = list.find((s: { current: boolean }) => !s.current);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/me/sessions/${other.id}`, headers: { ...sameOrigin, cookie: a } })).statusCode).toBe(204);
    const ended = await t.app.inject({ method: 'POST', url: '/api/v1/me/sessions/end-others', headers: { ...sameOrigin, cookie: a } });
    expect(ended.json()).toEqual({ ended: 1 });
    expect((await t.app.inject({ url: '/api/v1/me', headers: { cookie: b } })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/api/v1/me', headers: { cookie: c } })).statusCode).toBe(401);
    // someone else's session id is not found
    const stranger = await createUser(tdb.current.database, 'owner');
    const sc = await signInCookie(t, stranger.email);
    const mine = (await t.app.inject({ url: '/api/v1/me/sessions', headers: { cookie: a } })).json().items[0].id;
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/me/sessions/${mine}`, headers: { ...sameOrigin, cookie: sc } })).statusCode).toBe(404);
    const out = await t.app.inject({ method: 'POST', url: '/api/v1/auth/sign-out', headers: { ...sameOrigin, cookie: a } });
    expect(out.statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/v1/me', headers: { cookie: a } })).statusCode).toBe(401);
  });

  it('changes the password: rotates this session, ends the others, audits without the secret', async () => {
    const u = await createUser(tdb.current.database, 'admin');
    const a = await signInCookie(t, u.email);
    const b = await signInCookie(t, u.email);
    const wrong = await t.app.inject({ method: 'POST', url: '/api/v1/me/password', headers: { ...sameOrigin, cookie: a }, payload: { currentPassword: 'not it at all', newPassword: 'a brand new passphrase 9' } });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().errors).toEqual([{ path: 'currentPassword', message: 'is not your current password' }]);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/me/password', headers: { ...sameOrigin, cookie: a }, payload: { currentPassword: TEST_PASSWORD, newPassword: 'a brand new passphrase 9' } });
    expect(res.statusCode).toBe(204);
    const rotated = `crm_session=${cookiesOf(res).crm_session}`;
    expect(rotated).not.toBe(a);
    expect((await t.app.inject({ url: '/api/v1/me', headers: { cookie: a } })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/api/v1/me', headers: { cookie: b } })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/api/v1/me', headers: { cookie: rotated } })).statusCode).toBe(200);
    await signInCookie(t, u.email, 'a brand new passphrase 9');
    const audit = (await auditRows()).filter((r) => r.actor_id === u.id);
    expect(audit.find((r) => r.action === 'password.changed')).toMatchObject({ details: { otherSessionsEnded: 1 }, changed_fields: ['password'] });
    expect(JSON.stringify(await auditRows())).not.toContain('brand new passphrase');
    expect(t.logs.join('')).not.toContain('brand new passphrase');
  });

  it('updates the display name with before/after kept in the personal side table', async () => {
    const u = await createUser(tdb.current.database, 'viewer');
    const cookie = await signInCookie(t, u.email);
    const res = await t.app.inject({ method: 'PATCH', url: '/api/v1/me', headers: { ...sameOrigin, cookie }, payload: { displayName: '  Vera Viewer ' } });
    expect(res.json().user.displayName).toBe('Vera Viewer');
    const blank = await t.app.inject({ method: 'PATCH', url: '/api/v1/me', headers: { ...sameOrigin, cookie }, payload: { displayName: '   ' } });
    expect(blank.statusCode).toBe(400);
    expect(blank.json().errors[0].path).toBe('displayName');
    const long = await t.app.inject({ method: 'PATCH', url: '/api/v1/me', headers: { ...sameOrigin, cookie }, payload: { displayName: 'x'.repeat(101) } });
    expect(long.json().errors[0].path).toBe('displayName');
    const pv = await db().execute<{ kind: string; value: string }>(sql`SELECT kind, value FROM audit_personal_values WHERE subject_id = ${u.id} ORDER BY id`);
    expect(pv.rows).toEqual([
      { kind: 'before', value: u.displayName },
      { kind: 'after', value: 'Vera Viewer' },
    ]);
  });

  it('pages own sign-in activity newest first', async () => {
    const u = await createUser(tdb.current.database, 'viewer');
    for (let i = 0; i < 3; i++) await t.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', headers: sameOrigin, payload: { email: u.email, password: 'wrong wrong wrong' } });
    const cookie = await signInCookie(t, u.email);
    const p1 = (await t.app.inject({ url: '/api/v1/me/login-activity?limit=2', headers: { cookie } })).json();
    expect(p1.items.map((i: { result: string }) => i.result)).toEqual(['success', 'failure']);
    expect(p1.nextCursor).toBeTruthy();
    const p2 = (await t.app.inject({ url: `/api/v1/me/login-activity?limit=2&cursor=${p1.nextCursor}`, headers: { cookie } })).json();
    expect(p2.items).toHaveLength(2);
    expect(p2.nextCursor).toBeNull();
    const bad = await t.app.inject({ url: '/api/v1/me/login-activity?limit=5000', headers: { cookie } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('limit');
  });
});
