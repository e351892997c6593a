/**
 * The sandbox Embedded Signup popup in a real browser, without the CRM: a tiny "opener" page on its
 * own origin loads the FB shim and calls FB.login; the dialog runs on a second origin, as
 * facebook.com does. Checks the opener messaging Meta's popup does, that the minted code is a real
 * simulator code, the cancel path, and that the shim ignores a look-alike from a third origin.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED, startMetaSimulator, type RunningSimulator } from '../src/meta-simulator/index.js';
import { startSignupDialog, type RunningSignupDialog } from '../src/meta-simulator/dialog/dialog-server.js';
import { renderSandboxSdk } from '../src/meta-simulator/dialog/sandbox-sdk.js';
import { checkA11y, launchBrowser, openPage, type BrowserHandle } from './support/browser.js';
import { clickAndWaitForClose } from './support/journey.js';

const APP_ID = '1234567890123456';
const APP_SECRET = 'sandbox-dialog-test-secret';

interface Recorded {
  messages: { origin: string; data: unknown }[];
  login: { status: string; authResponse?: { code: string; userID: string } | null } | null;
}

// The opener page's own script, the way the app's connect page would use Meta's SDK: fbAsyncInit
// is defined before the (async) SDK script loads, as Meta's snippet requires.
const OPENER_JS = `
window.__messages = [];
window.__login = null;
window.addEventListener('message', function (e) { window.__messages.push({ origin: e.origin, data: e.data }); });
window.fbAsyncInit = function () {
  FB.init({ appId: '${APP_ID}', version: 'v25.0', xfbml: false, autoLogAppEvents: false });
  document.getElementById('connect').disabled = false;
};
document.getElementById('connect').addEventListener('click', function () {
  FB.login(function (r) { window.__login = r; }, {
    config_id: '998877', response_type: 'code', override_default_response_type: true,
    extras: { setup: {}, sessionInfoVersion: '3', version: 'v3' },
  });
});`;

const OPENER_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Opener</title>
</head>
<body><main><h1>Connect</h1><button id="connect" type="button" disabled>Connect</button></main>
<script src="/page.js"></script><script src="/sdk.js" async></script></body></html>`;

// A third origin that knows the state (worst case) and forges a successful login response.
const FORGER_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Forger</title></head><body><script>
var state = new URLSearchParams(location.search).get('state');
window.opener.postMessage(JSON.stringify({ type: 'SANDBOX_FB_LOGIN_RESPONSE', state: state,
  response: { status: 'connected', authResponse: { code: 'FORGED', userID: '1' } } }), '*');
window.opener.postMessage(JSON.stringify({ type: 'WA_EMBEDDED_SIGNUP', event: 'FINISH', data: { waba_id: '1' } }), '*');
document.title = 'sent';
</script></body></html>`;

function serve(routes: Record<string, { type: string; body: () => string; headers?: Record<string, string> }>): Promise<{ origin: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/favicon.ico') return void res.writeHead(204).end(); // keeps the console clean
    const route = routes[path];
    if (!route) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': route.type, ...route.headers }).end(route.body());
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ origin: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

let browser: BrowserHandle;
let graph: RunningSimulator;
let dialog: RunningSignupDialog;
let opener: Awaited<ReturnType<typeof serve>>;
let forger: Awaited<ReturnType<typeof serve>>;

beforeAll(async () => {
  browser = await launchBrowser();
  graph = await startMetaSimulator({ appId: APP_ID, appSecret: APP_SECRET });
  // The opener's port must be known before the dialog starts (its exact targetOrigin), and the
  // shim needs the dialog's origin: resolve the cycle by reading `dialog` lazily when serving.
  opener = await serve({
    '/': { type: 'text/html; charset=utf-8', body: () => OPENER_HTML, headers: { 'cross-origin-opener-policy': 'same-origin-allow-popups' } },
    '/sdk.js': { type: 'text/javascript', body: () => renderSandboxSdk(dialog.origin) },
    '/page.js': { type: 'text/javascript', body: () => OPENER_JS },
  });
  dialog = await startSignupDialog({ simulator: graph.simulator, appOrigin: opener.origin, host: '127.0.0.1', port: 0 });
  forger = await serve({ '/': { type: 'text/html; charset=utf-8', body: () => FORGER_HTML } });
});
afterAll(async () => {
  await browser?.close();
  await Promise.all([dialog?.close(), graph?.close(), opener?.close(), forger?.close()]);
});

const recorded = (page: Page) => page.evaluate(() => ({ messages: (window as any).__messages, login: (window as any).__login }) as Recorded);
const parse = (data: unknown) => (typeof data === 'string' ? (JSON.parse(data) as Record<string, any>) : (data as Record<string, any>));

/** Opens the opener page and clicks Connect; returns it with the popup on the dialog origin. */
async function connect(context: BrowserContext) {
  const { page, problems } = await openPage(context);
  await page.goto(`${opener.origin}/`);
  await page.locator('#connect:enabled').waitFor();
  const popupEvent = context.waitForEvent('page');
  await page.getByRole('button', { name: 'Connect' }).click();
  const popup = await popupEvent;
  const popupProblems: string[] = [];
  popup.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && popupProblems.push(m.text()));
  popup.on('pageerror', (e) => popupProblems.push(e.message));
  await popup.getByRole('heading', { level: 1 }).waitFor();
  await popup.getByLabel('WhatsApp Business Account').locator('option').first().waitFor({ state: 'attached' });
  return { page, problems, popup, popupProblems };
}

describe('sandbox Embedded Signup dialog', () => {
  it('finishes: the opener gets FINISH from the dialog origin and a code the Graph API exchanges', async () => {
    const context = await browser.browser.newContext();
    const { page, problems, popup, popupProblems } = await connect(context);
    const url = new URL(popup.url());
    expect(url.origin).toBe(dialog.origin);
    expect(url.origin).not.toBe(opener.origin);
    expect(url.searchParams.get('app_id')).toBe(APP_ID);
    expect(url.searchParams.get('config_id')).toBe('998877');
    expect(JSON.parse(url.searchParams.get('extras')!)).toMatchObject({ sessionInfoVersion: '3' });
    expect(await checkA11y(popup)).toEqual([]);

    const jm = SEED.jaspersMarket;
    await popup.getByLabel('Business portfolio').selectOption(jm.businessId);
    await popup.getByLabel('WhatsApp Business Account').selectOption(jm.euWabaId); // 17 digits: must stay a string
    await popup.getByLabel('Phone number').selectOption(jm.euPhoneNumberId);
    await popup.getByLabel('Event to send').selectOption('FINISH');
    await clickAndWaitForClose(popup, 'Finish');

    await page.waitForFunction(() => (window as any).__login !== null);
    const { messages, login } = await recorded(page);
    expect(login?.status).toBe('connected');
    const code = login?.authResponse?.code;
    expect(code).toMatch(/^AQ/);
    expect(login?.authResponse?.userID).toMatch(/^\d{16}$/);

    const wa = messages.filter((m) => parse(m.data)?.type === 'WA_EMBEDDED_SIGNUP');
    expect(wa).toHaveLength(1);
    expect(wa[0]!.origin).toBe(dialog.origin);
    expect(typeof wa[0]!.data).toBe('string'); // Meta posts JSON strings
    expect(parse(wa[0]!.data)).toEqual({
      type: 'WA_EMBEDDED_SIGNUP',
      event: 'FINISH',
      data: { waba_id: jm.euWabaId, phone_number_id: jm.euPhoneNumberId, business_id: jm.businessId },
      version: 3,
    });

    // The code is real: the simulator's Graph API exchanges it once for a token covering the WABA.
    const q = new URLSearchParams({ client_id: APP_ID, client_secret: APP_SECRET, code: code! });
    const exchanged = await fetch(`${graph.url}/v25.0/oauth/access_token?${q}`);
    expect(exchanged.status).toBe(200);
    const { access_token: token } = (await exchanged.json()) as { access_token: string };
    const wabaRes = await fetch(`${graph.url}/v25.0/${jm.euWabaId}?fields=id,name`, { headers: { authorization: `Bearer ${token}` } });
    expect(await wabaRes.json()).toMatchObject({ id: jm.euWabaId, name: "Jasper's Market EU" });
    expect((await fetch(`${graph.url}/v25.0/oauth/access_token?${q}`)).status).toBe(400); // single use

    expect(problems).toEqual([]);
    expect(popupProblems).toEqual([]);
    await context.close();
  });

  it('cancels at PHONE_NUMBER_SETUP, and ignores a forged response from a third origin', async () => {
    const context = await browser.browser.newContext();
    const { page, problems, popup } = await connect(context);
    const state = new URL(popup.url()).searchParams.get('state');
    expect(state).toMatch(/^[0-9a-f]{32}$/);

    // A third origin with a handle on the opener posts a well-formed success with the right state.
    const forgerPage = context.waitForEvent('page');
    await page.evaluate((u) => void window.open(u, 'forger'), `${forger.origin}/?state=${state}`);
    await (await forgerPage).waitForFunction(() => document.title === 'sent');
    await page.waitForFunction((o) => (window as any).__messages.filter((m: { origin: string }) => m.origin === o).length === 2, forger.origin);
    expect((await recorded(page)).login).toBeNull();

    await popup.getByLabel('Step the person leaves at').selectOption('PHONE_NUMBER_SETUP');
    await clickAndWaitForClose(popup, 'Cancel at step');
    await page.waitForFunction(() => (window as any).__login !== null);
    const { messages, login } = await recorded(page);
    expect(login).toEqual({ status: 'unknown', authResponse: null });
    const fromDialog = messages.filter((m) => m.origin === dialog.origin).map((m) => parse(m.data));
    expect(fromDialog[0]).toEqual({ type: 'WA_EMBEDDED_SIGNUP', event: 'CANCEL', data: { current_step: 'PHONE_NUMBER_SETUP' }, version: 3 });
    expect(fromDialog[1]).toMatchObject({ type: 'SANDBOX_FB_LOGIN_RESPONSE', state, response: { status: 'unknown' } });
    expect(fromDialog[1]!.response.authResponse).toBeUndefined();
    expect(problems).toEqual([]);
    await context.close();
  });

  it('reports an error as CANCEL with the four error fields, and sends ERROR events', async () => {
    const context = await browser.browser.newContext();
    for (const [button, event] of [['Report an error', 'CANCEL'], ['Error event', 'ERROR']] as const) {
      const { page, popup } = await connect(context);
      await popup.getByLabel('Error id').fill('2388093');
      await clickAndWaitForClose(popup, button);
      await page.waitForFunction(() => (window as any).__login !== null);
      const { messages, login } = await recorded(page);
      expect(login?.status).toBe('unknown');
      const wa = parse(messages.find((m) => m.origin === dialog.origin)!.data);
      expect(wa.event).toBe(event);
      expect(wa.data).toEqual({ error_message: expect.any(String), error_id: '2388093', session_id: expect.stringMatching(/^[0-9a-f]{15}$/), timestamp: expect.stringMatching(/^\d{10}$/) });
      await page.close();
    }
    await context.close();
  });

  it('refuses a wrong app id, and code minting from another origin', async () => {
    const bad = await fetch(`${dialog.url}?app_id=42&state=abcdefgh12345678`);
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-security-policy')).toContain("script-src 'self'");
    const body = JSON.stringify({ businessId: SEED.luckyShrub.businessId, wabaId: SEED.luckyShrub.wabaId, variant: 'FINISH' });
    const foreign = await fetch(`${dialog.origin}/dialog/code`, { method: 'POST', headers: { 'content-type': 'application/json', origin: opener.origin }, body });
    expect(foreign.status).toBe(403);
    const own = await fetch(`${dialog.origin}/dialog/code`, { method: 'POST', headers: { 'content-type': 'application/json', origin: dialog.origin }, body });
    expect(own.status).toBe(200);
  });
});
