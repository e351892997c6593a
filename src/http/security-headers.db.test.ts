/**
 * Security headers on every response: each registered route, answered or refused, and the web UI
 * fallback carry a Content-Security-Policy without third parties and with frame-ancestors 'none'
 * (the connect page's policy admits Meta's SDK and nothing else), nosniff and a referrer policy;
 * HSTS exactly when PUBLIC_URL is https.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, sameOrigin, type TestApp } from '../test-support/test-app.js';
import { useTestDatabase } from '../test-support/test-db.js';

const tdb = useTestDatabase();
const fill = (url: string) => url.replace(/:[a-zA-Z]+/g, '00000000-0000-4000-8000-000000000000').replace('*', 'some/page');
/** pages that embed Meta's SDK (production connect flow) may name Meta's origins */
const META_PAGES = ['/connect', '/onboard'];

function checkHeaders(headers: Record<string, unknown>, label: string, opts: { https: boolean; url: string }): string[] {
  const problems: string[] = [];
  const csp = String(headers['content-security-policy'] ?? '');
  if (!csp) problems.push(`${label}: no Content-Security-Policy`);
  if (!/frame-ancestors 'none'/.test(csp)) problems.push(`${label}: CSP without frame-ancestors 'none'`);
  const metaPage = META_PAGES.some((p) => opts.url === p || opts.url.startsWith(`${p}/`));
  const foreign = csp.match(/https?:\/\/[^\s;']+/g) ?? [];
  if (!metaPage && foreign.length > 0) problems.push(`${label}: CSP names other origins ${foreign.join(' ')}`);
  if (headers['x-content-type-options'] !== 'nosniff') problems.push(`${label}: no nosniff`);
  if (!headers['referrer-policy']) problems.push(`${label}: no Referrer-Policy`);
  const hsts = headers['strict-transport-security'];
  if (opts.https && !hsts) problems.push(`${label}: no HSTS with an https PUBLIC_URL`);
  if (!opts.https && hsts) problems.push(`${label}: HSTS with an http PUBLIC_URL`);
  return problems;
}

for (const https of [false, true]) {
  describe(`security headers, PUBLIC_URL ${https ? 'https' : 'http'}`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await buildTestApp(tdb.current.database, https ? { env: { PUBLIC_URL: 'https://crm.example.test', SANDBOX: '1' } } : {});
    });
    afterAll(async () => {
      await t.app.close();
    });

    it('are on every route, whatever the answer, and on the web UI fallback', async () => {
      const origin = https ? { origin: 'https://crm.example.test', 'x-csrf-protection': '1' } : sameOrigin;
      const problems: string[] = [];
      const urls = [...t.app.routeActions.map((r) => ({ method: r.method, url: r.url })), { method: 'GET', url: '/some/spa/page' }, { method: 'GET', url: '/no-such-api' }];
      for (const { method, url } of urls) {
        const res = await t.app.inject({ method: method as 'GET', url: fill(url), headers: origin, remoteAddress: '203.0.113.9', ...(method === 'GET' || method === 'DELETE' ? {} : { payload: {} }) });
        problems.push(...checkHeaders(res.headers, `${method} ${url} -> ${res.statusCode}`, { https, url }));
      }
      expect(problems).toEqual([]);
    });
  });
}
