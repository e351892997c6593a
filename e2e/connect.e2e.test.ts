/**
 * The staff connect journey in a real browser against the built server in sandbox mode: the owner
 * signs in, opens /connect, and Embedded Signup runs through the simulator's popup on its own
 * origin. A finished flow ends `connected` with Meta's example number shown; a cancel at
 * PHONE_NUMBER_SETUP ends `abandoned` with that step; a WA_EMBEDDED_SIGNUP message from an origin
 * outside the allow-list (here the app's own) never reaches the session endpoint.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { checkA11y, openPage } from './support/browser.js';
import { useConsoleWithOwner } from './support/console-fixture.js';
import { clickAndWaitForClose, submitSignIn } from './support/journey.js';

const OWNER = { email: 'owner@connect-e2e.test', password: 'owner passphrase for connect 1', name: 'Olga Owner' };
/** The simulator's default business (Lucky Shrub) and its first number: Meta's example display number. */
const LUCKY_SHRUB = { wabaId: '102290129340398', phone: '+1 555-078-3881' };

const app = useConsoleWithOwner(OWNER);

async function signIn(page: Page) {
  await submitSignIn(page, app.server.url, OWNER.email, OWNER.password);
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
}

/** Clicks Connect (enabled once the SDK is ready) and returns the popup, its default choices loaded. */
async function openPopup(context: BrowserContext, page: Page): Promise<Page> {
  await page.locator('#connect:enabled').waitFor();
  const popupEvent = context.waitForEvent('page');
  await page.getByRole('button', { name: 'Connect' }).click();
  const popup = await popupEvent;
  await popup.getByRole('heading', { level: 1 }).waitFor();
  await popup.getByLabel('Phone number').locator('option').first().waitFor({ state: 'attached' });
  return popup;
}

describe('connect journey', () => {
  it('redirects a signed-out browser to sign-in, and answers API clients with problem+json', async () => {
    const ctx = await app.browser.browser.newContext();
    const { page } = await openPage(ctx);
    await page.goto(`${app.server.url}/connect`);
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe('/sign-in?next=%2Fconnect');
    const api = await fetch(`${app.server.url}/connect`, { redirect: 'manual' });
    expect(api.status).toBe(401);
    expect(api.headers.get('content-type')).toContain('application/problem+json');
    await ctx.close();
  });

  it('connects through the sandbox popup, then a cancel ends abandoned, and a foreign-origin message is ignored', async () => {
    const context = await app.browser.browser.newContext();
    const { page, problems } = await openPage(context);
    const sessionPosts: string[] = [];
    page.on('request', (r) => r.method() === 'POST' && r.url().endsWith('/session') && sessionPosts.push(r.postData() ?? ''));
    await signIn(page);

    const res = await page.goto(`${app.server.url}/connect`);
    const headers = res!.headers();
    expect(headers['cross-origin-opener-policy']).toBe('same-origin-allow-popups');
    expect(headers['content-security-policy']).toContain("script-src 'self'");
    expect(headers['content-security-policy']).not.toContain('facebook'); // sandbox: no Meta origins
    await page.getByRole('heading', { name: 'Connect a WhatsApp Business Account', level: 1 }).waitFor();
    const a11y = await checkA11y(page);

    // 1. finish with the defaults: connected, with the phone number and the WABA shown
    const popup = await openPopup(context, page);
    expect(new URL(popup.url()).origin).not.toBe(new URL(app.server.url).origin);
    await clickAndWaitForClose(popup, 'Finish');
    const status = page.getByRole('status');
    await status.getByText(/^Connected: /).waitFor({ timeout: 30_000 });
    expect(await status.textContent()).toContain(LUCKY_SHRUB.phone);
    expect(await status.textContent()).toContain(LUCKY_SHRUB.wabaId);
    await expect.poll(() => sessionPosts.length).toBe(1);
    expect(JSON.parse(sessionPosts[0]!)).toMatchObject({ type: 'WA_EMBEDDED_SIGNUP', event: 'FINISH' });
    a11y.push(...(await checkA11y(page)));

    // 2. a wrong origin: the page's own window posts a FINISH; the allow-list holds only the dialog
    await page.evaluate(() => {
      window.postMessage(JSON.stringify({ type: 'WA_EMBEDDED_SIGNUP', event: 'FINISH', data: { waba_id: '524126980791429' } }), '*');
      window.postMessage({ type: 'WA_EMBEDDED_SIGNUP', event: 'CANCEL', data: { current_step: 'PERMISSIONS' } }, '*');
    });
    await page.waitForTimeout(500);
    expect(sessionPosts).toHaveLength(1);

    // 3. a new attempt cancelled at PHONE_NUMBER_SETUP: abandoned with that step, and Try again offered
    await page.reload();
    const second = await openPopup(context, page);
    await second.getByLabel('Step the person leaves at').selectOption('PHONE_NUMBER_SETUP');
    await clickAndWaitForClose(second, 'Cancel at step');
    await status.getByText(/abandoned/).waitFor({ timeout: 30_000 });
    expect(await status.textContent()).toContain('PHONE_NUMBER_SETUP');
    await expect.poll(() => sessionPosts.length).toBe(2);
    expect(JSON.parse(sessionPosts[1]!)).toMatchObject({ event: 'CANCEL', data: { current_step: 'PHONE_NUMBER_SETUP' } });
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.locator('#connect:enabled').waitFor();
    a11y.push(...(await checkA11y(page)));

    expect(a11y).toEqual([]);
    expect(problems.filter((p) => !/status of 40[134]/.test(p))).toEqual([]);
    await context.close();
  });
});
