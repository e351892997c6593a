/**
 * Attacks a browser can make, with two real origins in chromium: the app, and an attacker's page on
 * another port of the same host. Same host means same *site*, so SameSite=Lax does not hold the
 * session cookie back — the browser sends it — and only the app's own CSRF defence (Origin check and
 * the custom header a cross-origin page cannot send without a CORS preflight) stands in the way.
 *
 * Proven: a cross-site form POST and a cross-site fetch with credentials to every state-changing
 * /api/v1 route are refused (the answers chromium saw, and nothing changed); the app cannot be framed;
 * the session cookie is not readable from script; `next` after sign-in never leaves the app.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, type BrowserHandle } from './support/browser.js';
import { createOwnerViaSetup, signInToConsole } from './support/journey.js';
import { startServer, type RunningServer } from './support/server.js';

let server: RunningServer;
let browser: BrowserHandle;
let attacker: http.Server;
let attackerUrl: string;
const OWNER = { email: 'owner@cross-site.test', password: 'owner passphrase against cross-site attacks', name: 'Otto Owner' };

beforeAll(async () => {
  browser = await launchBrowser();
  server = await startServer();
  await createOwnerViaSetup(server, OWNER);
  // The attacker's origin: serves whatever page the test hands it at /page
  let html = '<!doctype html><title>attacker</title>';
  attacker = http.createServer((req, res) => {
    if (req.url === '/set' && req.method === 'POST') {
      let body = '';
      req.on('data', (c) => (body += String(c)));
      req.on('end', () => {
        html = body;
        res.end('ok');
      });
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
  (globalThis as { setAttackerPage?: (h: string) => Promise<void> }).setAttackerPage = async (h: string) => {
    await fetch(`${attackerUrl}/set`, { method: 'POST', body: h });
  };
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise<void>((resolve) => (attacker ? attacker.close(() => resolve()) : resolve()));
});

const setAttackerPage = (h: string) => (globalThis as unknown as { setAttackerPage: (h: string) => Promise<void> }).setAttackerPage(h);

/** The state-changing /api/v1 routes, from the public OpenAPI document, with placeholder ids. */
async function stateChangingRoutes(): Promise<{ method: string; path: string }[]> {
  const doc = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  const out: { method: string; path: string }[] = [];
  for (const [p, ops] of Object.entries(doc.paths)) {
    if (!p.startsWith('/api/v1/')) continue;
    for (const m of Object.keys(ops)) {
      if (['post', 'put', 'patch', 'delete'].includes(m)) out.push({ method: m.toUpperCase(), path: p.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000') });
    }
  }
  return out;
}

describe('cross-site attacks in a real browser', () => {
  it('refuses cross-site form posts and credentialed fetches to every state-changing route', async () => {
    const ctx = await browser.browser.newContext();
    const { page } = await openPage(ctx);
    await signInToConsole(page, server.url, OWNER);
    const cookies = await ctx.cookies(server.url);
    expect(cookies.find((c) => c.name === 'crm_session')?.httpOnly).toBe(true);

    const routes = await stateChangingRoutes();
    expect(routes.length).toBeGreaterThan(20);
    const seen = new Map<string, number>();
    const attack = await ctx.newPage();
    // The app answers cross-origin reads with Cross-Origin-Resource-Policy: same-origin, so chromium
    // hides even the status of a no-cors answer from the page and from playwright's response events.
    // The DevTools protocol still sees the status line the app sent: read it there.
    const cdp = await ctx.newCDPSession(attack);
    await cdp.send('Network.enable');
    const requests = new Map<string, string>();
    cdp.on('Network.requestWillBeSent', (e) => {
      const u = new URL(e.request.url);
      if (u.origin === server.url && u.pathname.startsWith('/api/v1/') && e.request.method !== 'OPTIONS') requests.set(e.requestId, `${e.request.method} ${u.pathname}`);
    });
    const statusById = new Map<string, number>();
    // the two events may come in either order: join them when both are there
    cdp.on('Network.responseReceivedExtraInfo', (e) => statusById.set(e.requestId, e.statusCode));
    const join = () => {
      for (const [id, key] of requests) if (statusById.has(id)) seen.set(key, statusById.get(id)!);
    };

    // 1. A fetch with credentials from the attacker's origin for every route. POST goes out as a
    //    "simple" request (text/plain, no preflight) carrying the cookie; PUT/PATCH/DELETE need a
    //    preflight the app never grants, so chromium must not send them at all.
    await setAttackerPage('<!doctype html><title>attacker</title><h1>Win a prize</h1>');
    await attack.goto(`${attackerUrl}/page`);
    const outcomes = await attack.evaluate(async ({ app, list }) => {
      const results: { key: string; sent: boolean }[] = [];
      for (const r of list) {
        try {
          await fetch(app + r.path, {
            method: r.method,
            credentials: 'include',
            mode: r.method === 'POST' ? 'no-cors' : 'cors',
            headers: { 'content-type': 'text/plain' },
            body: JSON.stringify({ role: 'owner', email: 'attacker@evil.test', displayName: 'Mallory', password: 'x'.repeat(20) }),
          });
          results.push({ key: `${r.method} ${r.path}`, sent: true });
        } catch {
          // POST: the answer was withheld from the page (CORP), which is fine; other methods: never sent
          results.push({ key: `${r.method} ${r.path}`, sent: r.method === 'POST' });
        }
      }
      return results;
    }, { app: server.url, list: routes });
    const unanswered = () => join() ?? routes.filter((r) => r.method === 'POST' && !seen.has(`POST ${r.path}`)).map((r) => r.path);
    await expect.poll(unanswered, { timeout: 15_000 }).toEqual([]);
    const accepted = [...seen].filter(([, status]) => status < 400).map(([k, s]) => `${k} -> ${s}`);
    expect(accepted).toEqual([]);
    // preflighted methods never reached a handler: chromium refused them for want of CORS approval
    for (const o of outcomes.filter((x) => !x.key.startsWith('POST '))) {
      expect(o.sent, `${o.key} was sent cross-origin`).toBe(false);
      expect(seen.has(o.key), `${o.key} reached the app`).toBe(false);
    }

    // 2. A classic form POST (urlencoded, top-level navigation) to invite a user
    seen.clear();
    requests.clear();
    statusById.clear();
    await setAttackerPage(
      `<!doctype html><title>attacker</title><form id="f" method="post" action="${server.url}/api/v1/users/invitations"><input name="email" value="attacker@evil.test"><input name="role" value="admin"><input name="displayName" value="Mallory"></form><script>document.getElementById('f').submit()</script>`,
    );
    await attack.goto(`${attackerUrl}/page`);
    await expect.poll(() => seen.get('POST /api/v1/users/invitations') ?? join(), { timeout: 10_000 }).toBeDefined();
    expect(seen.get('POST /api/v1/users/invitations')).toBeGreaterThanOrEqual(400);

    // nothing changed: still one user, no invitation
    const users = await page.evaluate(async () => (await (await fetch('/api/v1/users?limit=50')).json()) as { users?: { email: string }[]; items?: { email: string }[] });
    const emails = (users.users ?? users.items ?? []).map((u) => u.email);
    expect(emails).toEqual([OWNER.email]);
    await ctx.close();
  });

  it('cannot be framed, and keeps the session cookie away from script', async () => {
    const ctx = await browser.browser.newContext();
    const { page } = await openPage(ctx);
    await signInToConsole(page, server.url, OWNER);
    expect(await page.evaluate(() => document.cookie)).not.toContain('crm_session');

    await setAttackerPage(`<!doctype html><title>attacker</title><iframe id="victim" src="${server.url}/users" width="800" height="600"></iframe>`);
    const attack = await ctx.newPage();
    const framed = attack.waitForEvent('response', (r) => r.url() === `${server.url}/users`);
    await attack.goto(`${attackerUrl}/page`);
    const res = await framed;
    expect(res.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers()['x-frame-options']).toBe('DENY');
    await attack.waitForTimeout(500);
    // the frame was blocked: chromium shows its error page, never the app's document
    const frame = attack.frames().find((f) => f !== attack.mainFrame());
    const content = frame ? await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '') : '';
    expect(content).not.toContain('Users');
    expect(frame?.url().startsWith(server.url) ? await frame.evaluate(() => document.title).catch(() => 'blocked') : 'blocked').not.toMatch(/console/i);
    await ctx.close();
  });

  it('never follows next= off the app after sign-in', async () => {
    for (const next of ['https://evil.example/phish', '//evil.example/phish', '/\\evil.example/phish', 'javascript:alert(1)', `${attackerUrl}/page`]) {
      const ctx = await browser.browser.newContext();
      const { page } = await openPage(ctx);
      await page.goto(`${server.url}/sign-in?next=${encodeURIComponent(next)}`);
      await page.getByLabel('Email').fill(OWNER.email);
      await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
      expect(new URL(page.url()).origin, next).toBe(server.url);
      await ctx.close();
    }
  });
});
