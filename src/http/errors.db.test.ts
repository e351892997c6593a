/** The one error shape for every kind of bad request, never a 500, never a stack trace. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createUser, sameOrigin, signInCookie, type TestApp } from '../test-support/test-app.js';
import { useTestDatabase } from '../test-support/test-db.js';

const tdb = useTestDatabase();
let t: TestApp;
let cookie: string;

beforeAll(async () => {
  t = await buildTestApp(tdb.current.database);
  cookie = await signInCookie(t, (await createUser(tdb.current.database, 'owner')).email);
});
afterAll(async () => {
  await t.app.close();
});

function expectProblem(res: { statusCode: number; headers: Record<string, unknown>; json(): any; body: string }, status: number, code: string) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toContain('application/problem+json');
  const p = res.json();
  expect(p).toMatchObject({ type: 'about:blank', status, code });
  expect(typeof p.title).toBe('string');
  expect(typeof p.requestId).toBe('string');
  expect(res.body).not.toMatch(/at .*\.(ts|js):\d+/); // no stack trace
  return p;
}

describe('error shape', () => {
  it('400 for malformed JSON, wrong types, unknown fields, and invalid params', async () => {
    expectProblem(await t.app.inject({ method: 'PATCH', url: '/api/v1/me', headers: { ...sameOrigin, cookie, 'content-type': 'application/json' }, payload: '{bad json' }), 400, 'validation_failed');
    const typed = expectProblem(await t.app.inject({ method: 'PATCH', url: '/api/v1/me', headers: { ...sameOrigin, cookie }, payload: { displayName: 42 } }), 400, 'validation_failed');
    expect(typed.errors).toEqual([{ path: 'displayName', message: expect.any(String) }]);
    const nested = expectProblem(await t.app.inject({ method: 'PATCH', url: '/api/v1/me', headers: { ...sameOrigin, cookie }, payload: { displayName: 'ok', __proto__: { admin: true }, constructor: 'x' } }), 400, 'validation_failed');
    expect(nested.errors[0].message).toBe('is not a known field');
    const arr = expectProblem(await t.app.inject({ method: 'PATCH', url: '/api/v1/me', headers: { ...sameOrigin, cookie, 'content-type': 'application/json' }, payload: '[1,2]' }), 400, 'validation_failed');
    expect(arr.errors).toHaveLength(1);
    const param = expectProblem(await t.app.inject({ method: 'DELETE', url: '/api/v1/me/sessions/not-a-uuid', headers: { ...sameOrigin, cookie } }), 400, 'validation_failed');
    expect(param.errors).toEqual([{ path: 'id', message: 'must be a session id' }]);
    const nul = expectProblem(await t.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', headers: sameOrigin, payload: { email: 'a\u0000@b.test', password: 'x' } }), 400, 'validation_failed');
    expect(nul.errors[0].path).toBe('email');
  });

  it('415 for a content type the API does not read, 413 for a body over 1 MiB', async () => {
    expectProblem(await t.app.inject({ method: 'PATCH', url: '/api/v1/me', headers: { ...sameOrigin, cookie, 'content-type': 'text/plain' }, payload: 'displayName=x' }), 415, 'unsupported_media_type');
    const huge = JSON.stringify({ displayName: 'x'.repeat(1024 * 1024 + 10) });
    expectProblem(await t.app.inject({ method: 'PATCH', url: '/api/v1/me', headers: { ...sameOrigin, cookie, 'content-type': 'application/json' }, payload: huge }), 413, 'payload_too_large');
  });

  it('404 for unknown API routes and methods, in the same shape', async () => {
    expectProblem(await t.app.inject({ url: '/api/v1/nothing-here', headers: { cookie } }), 404, 'not_found');
    expectProblem(await t.app.inject({ method: 'PUT', url: '/api/v1/me', headers: { ...sameOrigin, cookie }, payload: {} }), 404, 'not_found');
  });

  it('ends the session a browser carried when it signs in again (no fixation)', async () => {
    const u = await createUser(tdb.current.database, 'viewer');
    const before = await signInCookie(t, u.email);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', headers: { ...sameOrigin, cookie: before }, payload: { email: u.email, password: 'correct horse battery staple 42' } });
    expect(res.statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/v1/me', headers: { cookie: before } })).statusCode).toBe(401);
  });

  it('sets security headers on API answers', async () => {
    const res = await t.app.inject({ url: '/api/v1/me', headers: { cookie } });
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });
});

describe('web paths', () => {
  it('answers a malformed percent-encoded path with a 4xx problem, not a 500', async () => {
    for (const url of ['/users/%E0%A4%A', '/api/v1/users/%E0%A4%A', '/%']) {
      const res = await t.app.inject({ url, headers: { cookie } });
      expect(res.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, url).toBeLessThan(500);
      expect(res.headers['content-type'], url).toContain('application/problem+json');
    }
  });
});
