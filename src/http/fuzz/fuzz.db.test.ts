/**
 * Hostile input over real HTTP (issue #11): for every registered route — each /api/v1 route with the
 * schemas of /api/openapi.json, and the public ones (Meta's webhook and callbacks, the privacy pages
 * and forms) — fast-check builds path parameters, query strings, bodies and content types that fit
 * the schema or break it (wrong types, boundary and huge strings, unicode edge cases, __proto__ keys,
 * null bytes, deep nesting), and sends them as a random role or as nobody.
 *
 * Every answer must be 2xx/3xx or a 4xx; never a 5xx; API errors in the one problem shape; no stack
 * trace or source path in any body; and a 4xx leaves every table as it was (checked by a checksum of
 * all tables before and after). CI runs a fixed seed and a bounded count; `npm run fuzz` runs long
 * (FUZZ_RUNS, FUZZ_SEED).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../features/access/permissions.js';
import { createSession } from '../../features/access/sessions.service.js';
import { ERROR_STATUS } from '../errors.js';
import { buildTestApp, createUser, TEST_ORIGIN, type TestApp } from '../../test-support/test-app.js';
import { useTestDatabase } from '../../test-support/test-db.js';
import { bodyFor, hostileValue, nastyString, validFor, type JsonSchema } from './schema-arbitraries.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 500);
const SEED = Number(process.env.FUZZ_SEED ?? 20261126);

/**
 * Tables a refused request may change on purpose: a wrong password or code is recorded wherever one
 * is checked (sign-in, the second factor, step-up, password and 2FA changes, the PIN reveal: login
 * activity, and the lockout counter on the user), rate limits count refused requests, and any
 * authenticated request touches its session. Everything else must be byte-for-byte the same after a 4xx.
 */
const WRITTEN_BY_REFUSALS = new Set(['rate_limit_hits', 'login_activity', 'sessions']);
const CREDENTIAL_CHECKS = /^\/api\/v1\/(auth\/|me\/(step-up|password|two-factor)|onboarding\/[^/]+\/pin)/;

const tdb = useTestDatabase();
let t: TestApp;
let port: number;
const users = {} as Record<Role, string>;

interface Operation {
  parameters?: { in: string; name: string; schema?: JsonSchema; required?: boolean }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}
type Doc = { paths: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, JsonSchema> } };
let doc: Doc;

beforeAll(async () => {
  t = await buildTestApp(tdb.current.database);
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  port = (t.app.server.address() as AddressInfo).port;
  for (const role of ROLES) users[role] = (await createUser(tdb.current.database, role)).id;
  doc = JSON.parse((await send({ method: 'GET', path: '/api/openapi.json', headers: {} })).body) as Doc;
});
afterAll(async () => {
  await t.app.close();
});

function send(req: { method: string; path: string; headers: Record<string, string>; body?: string }): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const r = http.request({ host: '127.0.0.1', port, method: req.method, path: req.path, headers: req.headers, timeout: 20_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    r.on('timeout', () => r.destroy(new Error(`${req.method} ${req.path}: no answer in 20 s`)));
    r.on('error', reject);
    r.end(req.body);
  });
}

/** One checksum per table of the public schema (the job queue's own schema is not ours to check). */
async function snapshot(): Promise<Map<string, string>> {
  const tables = (await t.database.db.execute<{ table_name: string }>(sql`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`)).rows.map((r) => r.table_name);
  const parts = tables.map((name) => `SELECT '${name}' AS t, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM "${name}" x`);
  const rows = (await t.database.pool.query<{ t: string; h: string }>(parts.join(' UNION ALL '))).rows;
  return new Map(rows.map((r) => [r.t, r.h]));
}

const toOpenApiPath = (url: string) => url.replace(/:([a-zA-Z]+)/g, '{$1}');

interface Case {
  method: string;
  url: string;
  role: Role | null;
  params: string[];
  query: [string, string][];
  body: { text: string; contentType: string } | null;
  extraHeader: [string, string] | null;
}

function caseArbitrary(): fc.Arbitrary<Case> {
  const routes = t.app.routeActions.filter((r) => r.method !== 'HEAD' && !r.url.includes('*') && !r.url.startsWith('/sandbox/'));
  return fc.constantFrom(...routes).chain((r) => {
    const op = doc.paths[toOpenApiPath(r.url)]?.[r.method.toLowerCase()];
    const paramCount = [...r.url.matchAll(/:([a-zA-Z]+)/g)].length;
    const param = fc.oneof({ weight: 3, arbitrary: fc.uuid({ version: 4 }) }, { weight: 1, arbitrary: nastyString.map((s) => s.slice(0, 300)) });
    const queryParams = (op?.parameters ?? []).filter((p) => p.in === 'query');
    const queryValue = (p: (typeof queryParams)[number]) =>
      fc.oneof(validFor(p.schema, doc).map((v) => (typeof v === 'string' ? v : JSON.stringify(v) ?? '')), hostileValue.map((v) => (typeof v === 'string' ? v : JSON.stringify(v) ?? '')));
    const query = fc
      .tuple(...queryParams.map((p) => fc.option(queryValue(p).map((v) => [p.name, v.slice(0, 2000)] as [string, string]), { nil: undefined })), fc.option(fc.tuple(nastyString, nastyString), { nil: undefined }))
      .map((pairs) => pairs.filter((p): p is [string, string] => p !== undefined).map(([k, v]) => [k.slice(0, 200), v.slice(0, 2000)] as [string, string]));
    const takesBody = r.method !== 'GET' && r.method !== 'DELETE';
    const schema = op?.requestBody?.content?.['application/json']?.schema;
    return fc.record({
      method: fc.constant(r.method),
      url: fc.constant(r.url),
      role: fc.constantFrom<Role | null>(null, ...ROLES),
      params: fc.array(param, { minLength: paramCount, maxLength: paramCount }),
      query,
      body: takesBody ? bodyFor(schema, doc) : fc.constant(null),
      extraHeader: fc.option(
        fc.tuple(fc.constantFrom('x-forwarded-for', 'accept', 'accept-language', 'x-hub-signature-256', 'user-agent', 'range', 'if-none-match'), fc.string({ unit: fc.constantFrom(...'abc019=;,.:/- *%<>"\''.split('')), maxLength: 300 })),
        { nil: null },
      ),
    });
  });
}

/** Percent-encoding that also writes lone surrogates, as the raw (invalid UTF-8) bytes a hostile client would send. */
function encode(s: string): string {
  return [...s].map((ch) => (/^[\uD800-\uDFFF]$/.test(ch) ? '%ED%A0%80' : encodeURIComponent(ch))).join('');
}

function pathOf(c: Case): string {
  let i = 0;
  const path = c.url.replace(/:[a-zA-Z]+/g, () => encode(c.params[i++] ?? ''));
  const qs = c.query.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
  return qs ? `${path}?${qs}` : path;
}

const STACK_TRACE = /\n\s+at .+:\d+:\d+|\/src\/[\w/-]+\.ts|node_modules\//;

describe('fuzz: hostile input over HTTP', () => {
  it(`answers ${RUNS} generated requests (seed ${SEED}) with 2xx or a 4xx in the error shape, and a 4xx writes nothing`, async () => {
    const codes = new Set(Object.keys(ERROR_STATUS));
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(caseArbitrary(), async (c) => {
        const headers: Record<string, string> = { origin: TEST_ORIGIN, 'x-csrf-protection': '1' };
        if (c.role) {
          const { token } = await createSession(t.database.db, { clock: t.clock, sessionMaxMs: t.config.sessionMaxMs }, users[c.role], { ip: null, userAgent: null, requestId: null });
          headers.cookie = `crm_session=${token}`;
        }
        if (c.extraHeader) headers[c.extraHeader[0]] = c.extraHeader[1];
        if (c.body) headers['content-type'] = c.body.contentType;
        const path = pathOf(c);
        const before = await snapshot();
        const res = await send({ method: c.method, path, headers, ...(c.body ? { body: c.body.text } : {}) });
        const label = `${c.method} ${path.slice(0, 200)} as ${c.role ?? 'anonymous'} -> ${res.status}`;
        seen.set(String(res.status), (seen.get(String(res.status)) ?? 0) + 1);

        expect(res.status, `${label}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
        expect(STACK_TRACE.test(res.body), `${label}: a stack trace or source path in the body`).toBe(false);
        if (res.status >= 400) {
          if (path.startsWith('/api/')) {
            expect(res.type, label).toMatch(/^application\/problem\+json/);
            const problem = JSON.parse(res.body) as { status: number; code: string; detail: string };
            expect(problem.status, label).toBe(res.status);
            expect(codes.has(problem.code), `${label}: unknown code ${problem.code}`).toBe(true);
          }
          const after = await snapshot();
          const changed = [...after].filter(([table, h]) => before.get(table) !== h && !WRITTEN_BY_REFUSALS.has(table) && !(CREDENTIAL_CHECKS.test(path) && table === 'users'));
          expect(changed.map(([table]) => table), `${label}: a refused request changed rows`).toEqual([]);
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    console.log(`fuzz: answers by status ${JSON.stringify(Object.fromEntries([...seen].sort()))}`);
    // the generator reached past validation: a fair share of requests succeeded, and many were refused
    const count = (cls: string) => [...seen].filter(([status]) => status.startsWith(cls)).reduce((sum, [, n]) => sum + n, 0);
    expect(count('2')).toBeGreaterThan(RUNS / 20);
    expect(count('4')).toBeGreaterThan(RUNS / 4);
  }, Math.max(600_000, RUNS * 100));
});
