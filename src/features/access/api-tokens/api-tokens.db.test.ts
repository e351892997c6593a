/**
 * Personal API tokens over real HTTP (inject) on a real database: shown once and stored hashed,
 * role ceiling and expiry bounds, bearer authentication at the token's role without CSRF, refused at
 * once when revoked, expired, or when the creator is deactivated or lowered, audited as the token
 * acting for its creator, and rate limited per token.
 */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createUser, sameOrigin, signInCookie, type TestApp } from '../../../test-support/test-app.js';
import { useTestDatabase } from '../../../test-support/test-db.js';
import type { Role } from '../permissions.js';

const tdb = useTestDatabase();
let t: TestApp;
const db = () => t.database.db;

beforeAll(async () => {
  t = await buildTestApp(tdb.current.database);
});
afterAll(async () => {
  await t.app.close();
});

async function mint(cookie: string, body: Record<string, unknown>) {
  return t.app.inject({ method: 'POST', url: '/api/v1/me/tokens', headers: { ...sameOrigin, cookie }, payload: body });
}
async function tokenFor(role: Role, tokenRole: Role = role, app = t) {
  const user = await createUser(app.database, role);
  const cookie = await signInCookie(app, user.email);
  const res = await app.app.inject({ method: 'POST', url: '/api/v1/me/tokens', headers: { ...sameOrigin, cookie }, payload: { name: 'ci', role: tokenRole, expiresInDays: 30 } });
  expect(res.statusCode, res.body).toBe(201);
  return { user, cookie, token: res.json().token as string, id: res.json().item.id as string };
}
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const invite = (token: string, app = t) =>
  app.app.inject({
    method: 'POST',
    url: '/api/v1/users/invitations',
    headers: bearer(token),
    payload: { email: `inv-${Math.random().toString(36).slice(2)}@example.test`, displayName: 'Invited', role: 'viewer' },
  });

describe('personal API tokens', () => {
  it('shows the token once and keeps only its SHA-256', async () => {
    const { user, cookie, token, id } = await tokenFor('operator');
    expect(token).toMatch(/^crm_pat_[A-Za-z0-9_-]{43}$/);
    const rows = await db().execute<{ token_hash: string; prefix: string; role: string }>(sql`SELECT token_hash, prefix, role FROM api_tokens WHERE id = ${id}`);
    expect(rows.rows[0]!.token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(token.startsWith(rows.rows[0]!.prefix)).toBe(true);
    const everything = await db().execute(sql`SELECT row_to_json(a)::text AS j FROM api_tokens a`);
    expect(JSON.stringify(everything.rows)).not.toContain(token);
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/me/tokens', headers: { cookie } });
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(token);
    expect(list.json().items).toEqual([expect.objectContaining({ id, name: 'ci', role: 'operator', state: 'active', lastUsedAt: null })]);
    const audit = await db().execute<{ action: string; actor_id: string }>(sql`SELECT action, actor_id FROM audit_events WHERE target_id = ${id}`);
    expect(audit.rows).toEqual([{ action: 'api_token.created', actor_id: user.id }]);
    expect(t.logs.join('\n')).not.toContain(token);
  });

  it('refuses a role above the creator, a blank name and an expiry beyond a year, naming the field', async () => {
    const op = await createUser(t.database, 'operator');
    const cookie = await signInCookie(t, op.email);
    const above = await mint(cookie, { name: 'x', role: 'admin', expiresInDays: 30 });
    expect(above.statusCode).toBe(400);
    expect(above.json().errors[0].path).toBe('role');
    const long = await mint(cookie, { name: 'x', expiresInDays: 366 });
    expect(long.statusCode).toBe(400);
    expect(JSON.stringify(long.json())).toContain('expiresInDays');
    const blank = await mint(cookie, { name: '   ', expiresInDays: 1 });
    expect(blank.statusCode).toBe(400);
    expect(JSON.stringify(blank.json())).toContain('name');
    const n = await db().execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM api_tokens WHERE user_id = ${op.id}`);
    expect(n.rows[0]!.n).toBe(0);
  });

  it('authenticates a bearer at the token role, without CSRF headers, and records last use', async () => {
    const { token, id } = await tokenFor('owner', 'viewer');
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) });
    expect(me.statusCode).toBe(200);
    expect(me.json().user.role).toBe('viewer');
    expect(me.json().abilities).not.toContain('users.invite');
    const used = await db().execute<{ last_used_at: Date | null }>(sql`SELECT last_used_at FROM api_tokens WHERE id = ${id}`);
    expect(used.rows[0]!.last_used_at).not.toBeNull();
    // a viewer token of an owner is refused a write
    const write = await invite(token);
    expect(write.statusCode).toBe(403);
    expect(write.json().code).toBe('forbidden');
  });

  it('lets an owner token write, audited as the token acting for its creator', async () => {
    const { user, token, id } = await tokenFor('owner');
    const res = await invite(token);
    expect(res.statusCode, res.body).toBe(201);
    const ev = await db().execute<{ actor_type: string; actor_id: string; details: Record<string, unknown> }>(
      sql`SELECT actor_type, actor_id, details FROM audit_events WHERE action = 'user.invited' ORDER BY id DESC LIMIT 1`,
    );
    expect(ev.rows[0]).toMatchObject({ actor_type: 'user', actor_id: user.id, details: { apiCredential: id } });
    // a session's action carries no credential
    const cookie = await signInCookie(t, user.email);
    await t.app.inject({ method: 'POST', url: '/api/v1/users/invitations', headers: { ...sameOrigin, cookie }, payload: { email: 'by-session@example.test', displayName: 'S', role: 'viewer' } });
    const ev2 = await db().execute<{ details: Record<string, unknown> }>(sql`SELECT details FROM audit_events WHERE action = 'user.invited' ORDER BY id DESC LIMIT 1`);
    expect(ev2.rows[0]!.details).not.toHaveProperty('apiCredential');
  });

  it('refuses token management, session routes and step-up routes to a token', async () => {
    const { token } = await tokenFor('owner');
    const minted = await t.app.inject({ method: 'POST', url: '/api/v1/me/tokens', headers: bearer(token), payload: { name: 'more', expiresInDays: 1 } });
    expect(minted.statusCode).toBe(403);
    const sessions = await t.app.inject({ method: 'GET', url: '/api/v1/me/sessions', headers: bearer(token) });
    expect(sessions.statusCode).toBe(403);
    const stepUp = await t.app.inject({ method: 'PATCH', url: '/api/v1/users/00000000-0000-4000-8000-000000000000/role', headers: bearer(token), payload: { role: 'viewer' } });
    expect(stepUp.statusCode).toBe(403);
  });

  it('refuses a revoked token at once', async () => {
    const { cookie, token, id } = await tokenFor('admin');
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: bearer(token) })).statusCode).toBe(200);
    const del = await t.app.inject({ method: 'DELETE', url: `/api/v1/me/tokens/${id}`, headers: { ...sameOrigin, cookie } });
    expect(del.statusCode).toBe(204);
    const after = await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: bearer(token) });
    expect(after.statusCode).toBe(401);
    expect(after.body).not.toContain(token);
    const again = await t.app.inject({ method: 'DELETE', url: `/api/v1/me/tokens/${id}`, headers: { ...sameOrigin, cookie } });
    expect(again.statusCode).toBe(404);
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/me/tokens', headers: { cookie } });
    expect(list.json().items[0]).toMatchObject({ state: 'revoked', revokedReason: 'revoked' });
  });

  it('refuses another user revoking my token', async () => {
    const mine = await tokenFor('viewer');
    const other = await createUser(t.database, 'owner');
    const cookie = await signInCookie(t, other.email);
    const del = await t.app.inject({ method: 'DELETE', url: `/api/v1/me/tokens/${mine.id}`, headers: { ...sameOrigin, cookie } });
    expect(del.statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(mine.token) })).statusCode).toBe(200);
  });

  it('refuses an expired token, an unknown one and a malformed header; a bad bearer is not rescued by a cookie', async () => {
    const { cookie, token } = await tokenFor('operator');
    const unknown = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(`crm_pat_${'A'.repeat(43)}`) });
    expect(unknown.statusCode).toBe(401);
    const malformed = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: 'Bearer', cookie } });
    expect(malformed.statusCode).toBe(401);
    // another scheme (a proxy's Basic auth) leaves the cookie in charge
    const basic = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: 'Basic dXNlcjpwYXNz', cookie } });
    expect(basic.statusCode).toBe(200);
    t.clock.advance(31 * 86_400_000);
    const expired = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) });
    expect(expired.statusCode).toBe(401);
  });

  it('ends the tokens of a deactivated creator, and those above a lowered role', async () => {
    const owner = await createUser(t.database, 'owner');
    const ownerCookie = await signInCookie(t, owner.email);
    const admin = await tokenFor('admin');
    const adminViewer = await createApiTokenFor(admin.cookie, 'viewer');
    const lowered = await t.app.inject({ method: 'POST', url: '/api/v1/me/step-up', headers: { ...sameOrigin, cookie: ownerCookie }, payload: { password: 'correct horse battery staple 42' } });
    expect(lowered.statusCode).toBeLessThan(300);
    const role = await t.app.inject({ method: 'PATCH', url: `/api/v1/users/${admin.user.id}/role`, headers: { ...sameOrigin, cookie: ownerCookie }, payload: { role: 'operator' } });
    expect(role.statusCode, role.body).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(admin.token) })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(adminViewer) })).statusCode).toBe(200);
    const reasons = await db().execute<{ role: string; revoked_reason: string | null }>(sql`SELECT role, revoked_reason FROM api_tokens WHERE user_id = ${admin.user.id} ORDER BY role`);
    expect(reasons.rows).toEqual([{ role: 'admin', revoked_reason: 'role_lowered' }, { role: 'viewer', revoked_reason: null }]);

    const deact = await t.app.inject({ method: 'POST', url: `/api/v1/users/${admin.user.id}/deactivate`, headers: { ...sameOrigin, cookie: ownerCookie }, payload: {} });
    expect(deact.statusCode, deact.body).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(adminViewer) })).statusCode).toBe(401);
    // reactivation does not bring a token back
    await t.app.inject({ method: 'POST', url: `/api/v1/users/${admin.user.id}/reactivate`, headers: { ...sameOrigin, cookie: ownerCookie }, payload: {} });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(adminViewer) })).statusCode).toBe(401);
  });

  it('ends a token at its next use when its creator lost the role some other way', async () => {
    const { user, token, id } = await tokenFor('admin');
    await db().execute(sql`UPDATE users SET role = 'viewer' WHERE id = ${user.id}`);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) })).statusCode).toBe(401);
    const row = await db().execute<{ revoked_reason: string }>(sql`SELECT revoked_reason FROM api_tokens WHERE id = ${id}`);
    expect(row.rows[0]!.revoked_reason).toBe('role_lowered');
  });

  it('limits requests per token, not per client', async () => {
    const limited = await buildTestApp(tdb.current.database, { env: { API_TOKEN_RATE_LIMIT_PER_MINUTE: '3' } });
    try {
      const a = await tokenFor('viewer', 'viewer', limited);
      const b = await tokenFor('viewer', 'viewer', limited);
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) codes.push((await limited.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(a.token) })).statusCode);
      expect(codes).toEqual([200, 200, 200, 429]);
      const refused = await limited.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(a.token) });
      expect(refused.json().code).toBe('rate_limited');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect((await limited.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(b.token) })).statusCode).toBe(200);
      // the person's browser session is not counted against the token
      expect((await limited.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: a.cookie } })).statusCode).toBe(200);
    } finally {
      await limited.app.close();
    }
  });
});

async function createApiTokenFor(cookie: string, role: Role): Promise<string> {
  const res = await mint(cookie, { name: 'second', role, expiresInDays: 90 });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().token as string;
}
