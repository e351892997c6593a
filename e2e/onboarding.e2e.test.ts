/**
 * WhatsApp onboarding through the console UI, in a real browser against the built server in sandbox
 * mode (the simulator's signup dialog runs on a second loopback origin, as facebook.com does):
 * 1. staff connect from "WhatsApp accounts" -> /connect -> popup -> Connected, then the record in
 *    the console (state badge, phone number);
 * 2. a customer link created in the console, opened in a browser with no CRM cookies: /onboard
 *    without the token in the address, only the business name and one Connect button; the link is
 *    then "used", the account shows "link: <label>", and the link cannot be opened again;
 * 3. a cancel at PHONE_NUMBER_SETUP: abandoned, with the step shown on the record;
 * 4. a forged WA_EMBEDDED_SIGNUP FINISH from other origins while a popup is open never reaches the
 *    server, while the dialog's own message (same page, same attempt) does;
 * axe-core (serious/critical) on the accounts list, a record, the customer links tab and /onboard.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../src/meta-simulator/world.js';
import { checkA11y, launchBrowser, openPage, type BrowserHandle } from './support/browser.js';
import { cancelSignupAt, createOwnerViaSetup, finishSignup, openSignupPopup, signInToConsole } from './support/journey.js';
import { startServer, type RunningServer } from './support/server.js';

const OWNER = { email: 'owner@onboarding-e2e.test', password: 'owner passphrase for onboarding 1', name: 'Orla Owner' };

/** Staff connect: Lucky Shrub's verified number (registers without a PIN problem). */
const STAFF_PICK = { businessId: SEED.luckyShrub.businessId, wabaId: SEED.luckyShrub.wabaId, phoneNumberId: SEED.luckyShrub.phoneNumberId };
const STAFF_NUMBER = '+1 555-078-3881';
/** Customer link: a different WABA (the same one would merge into the staff record as a reconnect). */
const CUSTOMER_PICK = { businessId: SEED.jaspersMarket.businessId, wabaId: SEED.jaspersMarket.usWabaId, phoneNumberId: SEED.jaspersMarket.usPhoneNumberIds[0] };
const CUSTOMER_NUMBER = '+1 555-020-1001';
const LINK = { label: 'Jasper onboarding call', businessName: "Jasper's Market" };

let server: RunningServer;
let browser: BrowserHandle;
/** The owner's signed-in context, shared by the tests (they run in order). */
let owner: { context: BrowserContext; page: Page; problems: string[] };
/** A page on a third origin (neither the app nor the dialog), for forged messages. */
let foreign: { origin: string; close(): Promise<void> };

beforeAll(async () => {
  const started = Promise.all([launchBrowser(), startServer()]);
  const srv = http.createServer((req, res) => {
    if (req.url === '/favicon.ico') return void res.writeHead(204).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><html lang="en"><head><title>Elsewhere</title></head><body><main><h1>Elsewhere</h1></main></body></html>');
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  foreign = { origin: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, close: () => new Promise((r) => srv.close(() => r())) };
  [browser, server] = await started;
  await createOwnerViaSetup(server, OWNER);
  const context = await browser.browser.newContext();
  const { page, problems } = await openPage(context);
  await signInToConsole(page, server.url, OWNER);
  owner = { context, page, problems };
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await foreign?.close();
});

/** Opens the accounts list through the main navigation. */
async function openAccountsList(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'WhatsApp accounts' }).click();
  await page.getByRole('heading', { name: 'WhatsApp accounts', level: 1 }).waitFor();
  await page.getByRole('table', { name: 'WhatsApp accounts' }).or(page.getByText('No WhatsApp accounts connected yet.')).first().waitFor();
}

/** From the accounts list, /connect through the console's button. */
async function openConnectPage(page: Page): Promise<void> {
  await openAccountsList(page);
  await page.getByRole('button', { name: 'Connect WhatsApp account' }).click();
  await page.waitForURL((u) => u.pathname === '/connect');
  await page.getByRole('heading', { name: 'Connect a WhatsApp Business Account', level: 1 }).waitFor();
}

/** The attempt the page's script starts (POST .../attempts), read from its response. */
function attemptStarted(page: Page, path: string): Promise<{ recordId: string; attemptId: string }> {
  return page
    .waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === path && r.status() === 201)
    .then((r) => r.json() as Promise<{ recordId: string; attemptId: string }>);
}

const unexpected = (problems: string[], allowed: RegExp = /status of 40[134]/) => problems.filter((p) => !allowed.test(p));

describe('onboarding journeys', () => {
  it('staff connect: WhatsApp accounts -> Connect -> popup -> Connected; the record shows the state and the number', async () => {
    const { page } = owner;
    const a11y: string[] = [];
    await openConnectPage(page);

    const popup = await openSignupPopup(page);
    expect(new URL(popup.url()).origin).not.toBe(new URL(server.url).origin); // the dialog is its own origin
    await finishSignup(popup, STAFF_PICK);
    const status = page.getByRole('status');
    await status.getByText(/^Connected: /).waitFor({ timeout: 30_000 });
    expect(await status.textContent()).toContain(`Connected: ${STAFF_NUMBER}`);

    // the record in the console
    await page.getByRole('link', { name: 'Open the record' }).click();
    await page.waitForURL(/\/onboarding\/[0-9a-f-]{36}$/);
    await page.getByRole('heading', { name: 'Lucky Shrub', level: 1 }).waitFor();
    await expect.poll(() => page.locator('[data-state="connected"]').count()).toBeGreaterThan(0);
    await expect.poll(() => page.locator('[data-state]').first().textContent()).toBe('Connected');
    const numbers = page.getByRole('table', { name: 'Phone numbers' });
    await numbers.getByRole('row').filter({ hasText: STAFF_NUMBER }).waitFor();
    expect(await numbers.locator(`[data-phone-number-id="${STAFF_PICK.phoneNumberId}"]`).textContent()).toContain(STAFF_NUMBER);
    a11y.push(...(await checkA11y(page)));

    // and in the list
    await openAccountsList(page);
    const row = page.getByRole('table', { name: 'WhatsApp accounts' }).getByRole('row').filter({ hasText: 'Lucky Shrub' });
    await row.locator('[data-state="connected"]').waitFor();
    expect(await row.textContent()).toContain(STAFF_NUMBER);
    a11y.push(...(await checkA11y(page)));

    expect(a11y).toEqual([]);
    expect(unexpected(owner.problems)).toEqual([]);
  });

  it('customer link: created in the console, used once from a browser with no CRM session, then refused', async () => {
    const { page } = owner;
    const a11y: string[] = [];
    await openAccountsList(page);
    await page.getByRole('tab', { name: 'Customer links' }).click();
    await page.getByRole('button', { name: 'Create link' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create customer link' });
    await dialog.getByLabel('Label').fill(LINK.label);
    await dialog.getByLabel('Business name (optional)').fill(LINK.businessName);
    await dialog.getByRole('button', { name: 'Create link' }).click();
    const created = page.getByRole('dialog', { name: 'Customer link created' });
    const address = created.getByRole('textbox', { name: 'Link address' });
    await address.waitFor();
    expect(await address.getAttribute('readonly')).not.toBeNull();
    const url = await address.inputValue();
    expect(url).toMatch(new RegExp(`^${server.url}/onboard/[A-Za-z0-9_-]+$`));
    await created.getByRole('button', { name: 'Done' }).click();
    // Checked by axe only once the closing modal (its title back to "Create customer link") is gone.
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    const linkRow = page.getByRole('table', { name: 'Customer links' }).getByRole('row').filter({ hasText: LINK.label });
    await linkRow.locator('[data-status="active"]').waitFor();
    a11y.push(...(await checkA11y(page)));

    // the customer: a fresh browser context, no CRM cookies
    const customerCtx = await browser.browser.newContext();
    const customer = await openPage(customerCtx);
    const started = attemptStarted(customer.page, '/onboard/api/attempts');
    await customer.page.goto(url);
    expect(new URL(customer.page.url()).pathname).toBe('/onboard');
    expect(customer.page.url()).not.toContain(url.split('/onboard/')[1]!); // the token left the address bar
    await customer.page.getByRole('heading', { name: `Connect ${LINK.businessName} to the WhatsApp Business Platform`, level: 1 }).waitFor();
    await started;
    await customer.page.locator('#connect:enabled').waitFor();
    expect(await customer.page.getByRole('button').count()).toBe(1); // Connect only ("Try again" is hidden)
    expect(await customer.page.getByRole('navigation').count()).toBe(0);
    expect(await customer.page.getByRole('link').count()).toBe(0); // nothing leads into the console
    a11y.push(...(await checkA11y(customer.page)));

    const popup = await openSignupPopup(customer.page);
    await finishSignup(popup, CUSTOMER_PICK);
    const status = customer.page.getByRole('status');
    await status.getByText(/^Connected: /).waitFor({ timeout: 30_000 });
    expect(await status.textContent()).toContain(`Connected: ${CUSTOMER_NUMBER}`);
    expect(await customer.page.getByRole('link').count()).toBe(0); // no "Open the record" for a customer
    expect(customer.problems).toEqual([]);
    await customerCtx.close();

    // back in the console: the link is used, and the account came through it
    await page.reload();
    await linkRow.locator('[data-status="used"]').waitFor();
    expect(await linkRow.getByRole('link', { name: `View account of ${LINK.label}` }).count()).toBe(1);
    await page.getByRole('tab', { name: 'Accounts', exact: true }).click();
    const accountRow = page.getByRole('table', { name: 'WhatsApp accounts' }).getByRole('row').filter({ hasText: `link: ${LINK.label}` });
    await accountRow.waitFor();
    expect(await accountRow.textContent()).toContain(CUSTOMER_NUMBER);
    await accountRow.locator('[data-state="connected"]').waitFor();

    // the same link again, in another fresh context: refused
    const againCtx = await browser.browser.newContext();
    const again = await openPage(againCtx);
    const res = await again.page.goto(url);
    expect(res?.status()).toBe(410);
    await again.page.getByRole('heading', { name: 'This link cannot be used', level: 1 }).waitFor();
    expect(await again.page.getByRole('button', { name: 'Connect' }).count()).toBe(0);
    expect(unexpected(again.problems, /status of 410/)).toEqual([]);
    await againCtx.close();

    expect(a11y).toEqual([]);
    expect(unexpected(owner.problems)).toEqual([]);
  });

  it('cancel at PHONE_NUMBER_SETUP: the connect page and the record say abandoned, at that step', async () => {
    const { page } = owner;
    const a11y: string[] = [];
    await openConnectPage(page);
    const popup = await openSignupPopup(page);
    await cancelSignupAt(popup, 'PHONE_NUMBER_SETUP');
    const status = page.getByRole('status');
    await status.getByText(/State: abandoned/).waitFor({ timeout: 30_000 });
    expect(await status.textContent()).toContain('Left at step PHONE_NUMBER_SETUP');
    await page.getByRole('button', { name: 'Try again' }).waitFor();

    // list -> detail
    await page.getByRole('link', { name: 'Back to WhatsApp accounts' }).click();
    await page.getByRole('heading', { name: 'WhatsApp accounts', level: 1 }).waitFor();
    const row = page.getByRole('table', { name: 'WhatsApp accounts' }).getByRole('row').filter({ has: page.locator('[data-state="abandoned"]') });
    await row.waitFor();
    expect(await row.count()).toBe(1);
    await row.getByRole('link').first().click();
    await page.waitForURL(/\/onboarding\/[0-9a-f-]{36}$/);
    await page.getByRole('heading', { name: 'Unnamed account', level: 1 }).waitFor(); // no business was chosen
    await expect.poll(() => page.locator('[data-state]').first().getAttribute('data-state')).toBe('abandoned');
    expect(await page.locator('[data-state]').first().textContent()).toBe('Abandoned');
    const leftAt = page.locator('dt', { hasText: 'Left at step' });
    await leftAt.waitFor();
    expect(await leftAt.locator('xpath=following-sibling::dd[1]').textContent()).toBe('PHONE_NUMBER_SETUP');
    a11y.push(...(await checkA11y(page)));

    expect(a11y).toEqual([]);
    expect(unexpected(owner.problems)).toEqual([]);
  });

  it('a forged WA_EMBEDDED_SIGNUP FINISH from outside the dialog origin never reaches the server', async () => {
    const { context, page } = owner;
    const sessionPosts: string[] = [];
    const onRequest = (r: { method(): string; url(): string; postData(): string | null }) => {
      if (r.method() === 'POST' && /\/attempts\/[^/]+\/session$/.test(new URL(r.url()).pathname)) sessionPosts.push(r.postData() ?? '');
    };
    context.on('request', onRequest);
    try {
      const started = attemptStarted(page, '/api/v1/onboarding/attempts');
      await openConnectPage(page);
      const { attemptId, recordId } = await started;
      // The attempt is active once its popup is open: from here on the page listens for session info.
      const popup = await openSignupPopup(page);

      const forged = { type: 'WA_EMBEDDED_SIGNUP', event: 'FINISH', version: 3, data: { waba_id: SEED.greenGrocer.wabaId, business_id: SEED.greenGrocer.businessId } };
      // (a) the app's own origin: the connect page posts to itself
      await page.evaluate((m) => {
        window.postMessage(JSON.stringify(m), '*');
        window.postMessage(m, '*');
      }, forged);
      // (b) a third origin holding a handle on the connect page (opened by it, so window.opener is set)
      const elsewhereEvent = page.waitForEvent('popup');
      await page.evaluate((u) => void window.open(u, 'elsewhere'), `${foreign.origin}/`);
      const elsewhere = await elsewhereEvent;
      await elsewhere.getByRole('heading', { name: 'Elsewhere' }).waitFor();
      expect(new URL(elsewhere.url()).origin).not.toBe(new URL(popup.url()).origin);
      const delivered = await elsewhere.evaluate((m) => {
        if (!window.opener) return false;
        (window.opener as Window).postMessage(JSON.stringify(m), '*');
        return true;
      }, forged);
      expect(delivered).toBe(true);
      await elsewhere.close();
      await page.waitForTimeout(750);

      expect(sessionPosts).toEqual([]);
      const attempt = await page.request.get(`${server.url}/api/v1/onboarding/attempts/${attemptId}`);
      expect(attempt.status()).toBe(200);
      expect(await attempt.json()).toMatchObject({ recordId, state: 'started', abandonedStep: null, wabaId: null });
      const detail = await page.request.get(`${server.url}/api/v1/onboarding/${recordId}`);
      expect((await detail.json()).record).toMatchObject({ state: 'started', sessionEvent: null, wabaId: null });

      // Control: the same page, same attempt, accepts the dialog's own message.
      await cancelSignupAt(popup, 'PERMISSIONS');
      await page.getByRole('status').getByText(/State: abandoned/).waitFor({ timeout: 30_000 });
      expect(sessionPosts).toHaveLength(1);
      expect(JSON.parse(sessionPosts[0]!)).toMatchObject({ event: 'CANCEL', data: { current_step: 'PERMISSIONS' } });
      expect(await (await page.request.get(`${server.url}/api/v1/onboarding/attempts/${attemptId}`)).json()).toMatchObject({ state: 'abandoned', abandonedStep: 'PERMISSIONS' });
    } finally {
      context.off('request', onRequest);
    }
    expect(unexpected(owner.problems)).toEqual([]);
  });
});
