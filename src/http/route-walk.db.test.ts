/**
 * Every registered route x every role (and no session), read from the permission table: a route
 * registered without an action cannot exist (registration throws), and each one refuses exactly
 * the callers the table refuses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSIONS, ROLES, isPublic, roleMay, type Role } from '../features/access/permissions.js';
import { createSession } from '../features/access/sessions.service.js';
import { buildTestApp, createUser, sameOrigin, type TestApp } from '../test-support/test-app.js';
import { useTestDatabase } from '../test-support/test-db.js';

const tdb = useTestDatabase();
let t: TestApp;
const users = {} as Record<Role, string>;

beforeAll(async () => {
  t = await buildTestApp(tdb.current.database);
  for (const role of ROLES) users[role] = (await createUser(tdb.current.database, role)).id;
});
afterAll(async () => {
  await t.app.close();
});

const fill = (url: string) => url.replace(/:[a-zA-Z]+/g, '00000000-0000-4000-8000-000000000000').replace('*', 'some/page');

async function call(method: string, url: string, role: Role | null) {
  const headers: Record<string, string> = { ...sameOrigin };
  if (role) {
    const { token } = await createSession(t.database.db, { clock: t.clock, sessionMaxMs: t.config.sessionMaxMs }, users[role], {
      ip: null,
      userAgent: null,
      requestId: null,
    });
    headers.cookie = `crm_session=${token}`;
  }
  return t.app.inject({ method: method as 'GET', url: fill(url), headers, ...(method === 'GET' || method === 'DELETE' ? {} : { payload: {} }) });
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
        if (isPublic(action)) {
          if (res.statusCode === 401 || res.statusCode === 403) failures.push(`${label} (public route refused)`);
        } else if (role === null) {
          if (res.statusCode !== 401) failures.push(`${label} (expected 401)`);
        } else if (!roleMay(role, action)) {
          if (res.statusCode !== 403) failures.push(`${label} (expected 403)`);
        } else if (res.statusCode === 401 || res.statusCode === 403 || res.statusCode >= 500) {
          failures.push(`${label} (allowed role refused or failed)`);
        }
        if (res.statusCode >= 400) expect(res.headers['content-type'], label).toContain('application/problem+json');
      }
    }
    expect(failures).toEqual([]);
  });
});
