/**
 * Every registered route x every role (and no session), read from the permission table: a route
 * registered without an action cannot exist (registration throws), and each one refuses exactly
 * the callers the table refuses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET_AUTHENTICATED_ACTIONS, PERMISSIONS, ROLES, isPublic, loopbackMay, roleMay, tokenMay, type Role } from '../features/access/permissions.js';
import { insertApiToken } from '../features/access/api-tokens/api-tokens.repo.js';
import { TOKEN_PREFIX } from '../features/access/api-tokens/api-tokens.service.js';
import { needsStepUp } from '../features/access/two-factor/step-up.js';
import { createSession } from '../features/access/sessions.service.js';
import { hashToken, newToken } from '../lib/tokens.js';
import { buildTestApp, createUser, sameOrigin, type TestApp } from '../test-support/test-app.js';
import { useTestDatabase } from '../test-support/test-db.js';

const tdb = useTestDatabase();
let t: TestApp;
const users = {} as Record<Role, string>;
/** A personal API token per role, each minted by an owner (so the token's role, not the user's, decides). */
const tokens = {} as Record<Role, string>;

beforeAll(async () => {
  t = await buildTestApp(tdb.current.database);
  for (const role of ROLES) users[role] = (await createUser(tdb.current.database, role)).id;
  for (const role of ROLES) {
    tokens[role] = TOKEN_PREFIX + newToken();
    const at = t.clock.now();
    await insertApiToken(t.database.db, { userId: users.owner, name: `walk ${role}`, role, tokenHash: hashToken(tokens[role]), prefix: tokens[role].slice(0, 12), at, expiresAt: new Date(at.getTime() + 86_400_000) });
  }
});
afterAll(async () => {
  await t.app.close();
});

const fill = (url: string) => url.replace(/:[a-zA-Z]+/g, '00000000-0000-4000-8000-000000000000').replace('*', 'some/page');

/** A client that is not on this machine: the walk's default, so loopback privileges do not apply. */
const REMOTE = '203.0.113.9';

async function call(method: string, url: string, role: Role | null, remoteAddress = REMOTE) {
  const headers: Record<string, string> = { ...sameOrigin };
  if (role) {
    const { token } = await createSession(t.database.db, { clock: t.clock, sessionMaxMs: t.config.sessionMaxMs }, users[role], {
      ip: null,
      userAgent: null,
      requestId: null,
    });
    headers.cookie = `crm_session=${token}`;
  }
  return t.app.inject({ method: method as 'GET', url: fill(url), headers, remoteAddress, ...(method === 'GET' || method === 'DELETE' ? {} : { payload: {} }) });
}

describe('role x route walk', () => {
  it('has routes, each with an action from the table', () => {
    expect(t.app.routeActions.length).toBeGreaterThan(5);
    for (const r of t.app.routeActions) expect(PERMISSIONS[r.action], `${r.method} ${r.url}`).toBeDefined();
  });

  it('refuses a route registered without an action', async () => {
    const app = (await import('fastify')).default();
    const { registerGuard } = await import('./guard.js');
    registerGuard(app, {} as never);
    expect(() => app.get('/x', async () => 'x')).toThrow(/declares no permission action/);
  });

  it('answers every route as the table says, for every role and for no session', async () => {
    const failures: string[] = [];
    for (const { method, url, action } of t.app.routeActions) {
      for (const role of [null, ...ROLES] as const) {
        const res = await call(method, url, role);
        const label = `${method} ${url} as ${role ?? 'anonymous'} -> ${res.statusCode}`;
        if (SECRET_AUTHENTICATED_ACTIONS.includes(action)) {
          // Authenticated by a secret (Meta's verify token or signature, the metrics token), not by a
          // session: the walk sends none, so every remote caller, signed in or not, is refused alike.
          if (res.statusCode !== 401 && res.statusCode !== 403) failures.push(`${label} (expected refusal without the secret)`);
        } else if (isPublic(action)) {
          if (res.statusCode === 401 || res.statusCode === 403) failures.push(`${label} (public route refused)`);
        } else if (role === null) {
          if (res.statusCode !== 401) failures.push(`${label} (expected 401)`);
        } else if (!roleMay(role, action)) {
          if (res.statusCode !== 403) failures.push(`${label} (expected 403)`);
        } else if (res.statusCode === 401 || res.statusCode === 403 || res.statusCode >= 500) {
          failures.push(`${label} (allowed role refused or failed)`);
        }
        // the simulator answers in Meta's error envelope, like graph.facebook.com; everything else in ours
        if (res.statusCode >= 400 && !url.startsWith('/sandbox/meta/graph')) expect(res.headers['content-type'], label).toContain('application/problem+json');
      }
      if (loopbackMay(action)) {
        for (const peer of ['127.0.0.1', '::1']) {
          const res = await call(method, url, null, peer);
          if (res.statusCode === 401 || res.statusCode === 403) failures.push(`${method} ${url} from loopback ${peer} -> ${res.statusCode} (expected allowed)`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('answers every route to an API token as the table says for the token role, without CSRF headers', async () => {
    const failures: string[] = [];
    for (const { method, url, action } of t.app.routeActions) {
      for (const role of ROLES) {
        const res = await t.app.inject({
          method: method as 'GET',
          url: fill(url),
          headers: { authorization: `Bearer ${tokens[role]}` },
          remoteAddress: REMOTE,
          ...(method === 'GET' || method === 'DELETE' ? {} : { payload: {} }),
        });
        const label = `${method} ${url} with a ${role} token -> ${res.statusCode}`;
        if (SECRET_AUTHENTICATED_ACTIONS.includes(action)) {
          if (res.statusCode !== 401 && res.statusCode !== 403) failures.push(`${label} (expected refusal without the secret)`);
        } else if (isPublic(action)) {
          // public routes ignore the bearer; CSRF still applies to their unsafe methods (403 csrf_failed), so only 401 is wrong
          if (res.statusCode === 401) failures.push(`${label} (public route refused)`);
        } else if (!tokenMay(role, action) || needsStepUp(method, url)) {
          if (res.statusCode !== 403) failures.push(`${label} (expected 403)`);
        } else if (res.statusCode === 401 || res.statusCode === 403 || res.statusCode >= 500) {
          failures.push(`${label} (allowed token refused or failed)`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('treats a forwarded client as remote when a trusted proxy relays it', async () => {
    const proxied = await buildTestApp(tdb.current.database, { env: { TRUST_PROXY: '127.0.0.1' } });
    try {
      const viaProxy = await proxied.app.inject({ method: 'POST', url: '/sandbox/meta/codes', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '198.51.100.4', ...sameOrigin }, payload: {} });
      expect(viaProxy.statusCode).toBe(401);
      const local = await proxied.app.inject({ method: 'POST', url: '/sandbox/meta/codes', remoteAddress: '127.0.0.1', payload: {} });
      expect(local.statusCode).toBe(400);
    } finally {
      await proxied.app.close();
    }
  });
});
