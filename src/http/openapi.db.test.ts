/**
 * The OpenAPI document at /api/openapi.json is generated from the route schemas: every /api/v1 route
 * the app registers appears in it with its path parameters, its request body where it takes one,
 * and a described success response (a JSON schema, or 204 without a body). A route added without
 * schemas fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../test-support/test-app.js';
import { useTestDatabase } from '../test-support/test-db.js';

const tdb = useTestDatabase();
let t: TestApp;

beforeAll(async () => {
  t = await buildTestApp(tdb.current.database);
});
afterAll(async () => {
  await t.app.close();
});

interface Operation {
  parameters?: { in: string; name: string }[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { content?: Record<string, { schema?: Record<string, unknown> }> }>;
  tags?: string[];
}
type Doc = { openapi: string; paths: Record<string, Record<string, Operation>>; components?: { securitySchemes?: Record<string, unknown> } };

const toOpenApiPath = (url: string) => url.replace(/:([a-zA-Z]+)/g, '{$1}');

describe('/api/openapi.json', () => {
  it('is public OpenAPI 3.x and lists every /api/v1 route with its parameters, body and success response', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as Doc;
    expect(doc.openapi).toMatch(/^3\./);
    const problems: string[] = [];
    const routes = t.app.routeActions.filter((r) => r.url.startsWith('/api/v1/'));
    expect(routes.length).toBeGreaterThan(20);
    for (const r of routes) {
      const label = `${r.method} ${r.url}`;
      const op = doc.paths[toOpenApiPath(r.url)]?.[r.method.toLowerCase()];
      if (!op) {
        problems.push(`${label}: missing`);
        continue;
      }
      if (!op.tags?.length) problems.push(`${label}: no tag`);
      for (const name of [...r.url.matchAll(/:([a-zA-Z]+)/g)].map((m) => m[1]!)) {
        if (!op.parameters?.some((p) => p.in === 'path' && p.name === name)) problems.push(`${label}: path parameter ${name} not described`);
      }
      if (op.requestBody && !op.requestBody.content?.['application/json']?.schema) problems.push(`${label}: request body without a JSON schema`);
      const ok = Object.entries(op.responses ?? {}).filter(([code]) => /^2\d\d$/.test(code));
      if (ok.length === 0) problems.push(`${label}: no success response`);
      for (const [code, resp] of ok) {
        if (code === '204') continue;
        const schema = Object.values(resp.content ?? {})[0]?.schema;
        if (!schema) problems.push(`${label}: ${code} without a schema`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('describes bearer authentication by personal API token, and which routes take it', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as Doc & {
      paths: Record<string, Record<string, Operation & { security?: Record<string, string[]>[] }>>;
    };
    expect(doc.components?.securitySchemes?.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/api/v1/users']!.get!.security).toEqual([{ session: [] }, { bearer: [] }]);
    expect(doc.paths['/api/v1/me/tokens']!.post!.security).toEqual([{ session: [] }]);
    expect(doc.paths['/api/v1/auth/sign-in']!.post!.security).toEqual([]);
  });
});
