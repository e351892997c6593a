/**
 * The foundation journey in a real browser: setup link -> create owner -> sign out -> sign in ->
 * change password -> the session in another browser is gone. axe-core on each page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkA11y, launchBrowser, openPage, type BrowserHandle } from './support/browser.js';
import { startServer, type RunningServer } from './support/server.js';
import { waitForSetupLink } from './support/journey.js';

let server: RunningServer;
let browser: BrowserHandle;

beforeAll(async () => {
  browser = await launchBrowser();
  server = await startServer();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const EMAIL = 'olivia.owner@example.test';
const FIRST_PASSWORD = 'first passphrase for olivia 1';
const NEW_PASSWORD = 'second passphrase for olivia 2';

describe('foundation journey', () => {
  it('creates the owner from the setup link, signs out and in, and a password change ends the other session', async () => {
    const link = await waitForSetupLink(server);
    expect(link, 'the server prints a setup link on first start').toBeTruthy();
    const a11y: string[] = [];

    const ctxA = await browser.browser.newContext();
    const { page, problems } = await openPage(ctxA);
    await page.goto(link!);
    await page.getByRole('heading', { name: 'Set up your account' }).waitFor();
    expect(page.url()).not.toContain('token='); // the token leaves the address bar
    a11y.push(...(await checkA11y(page)));
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Display name').fill('Olivia Owner');
    await page.getByLabel('Password', { exact: true }).fill(FIRST_PASSWORD);
    await page.getByLabel('Confirm password').fill(FIRST_PASSWORD);
    await page.getByRole('button', { name: /create|set up|continue/i }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    a11y.push(...(await checkA11y(page)));

    // development outbox (no SMTP_URL, http PUBLIC_URL): visible to the owner
    await page.getByRole('link', { name: 'Outbox' }).click();
    await page.getByRole('heading', { name: 'Outbox', level: 1 }).waitFor();
    a11y.push(...(await checkA11y(page)));

    // the cookie is not readable from script
    expect(await page.evaluate(() => document.cookie)).not.toContain('crm_session');

    // sign out, then sign in again
    await page.getByRole('button', { name: /Olivia Owner/ }).click();
    await page.getByRole('menuitem', { name: /sign out/i }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    a11y.push(...(await checkA11y(page)));
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    await page.getByLabel('Password').fill(FIRST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();

    // a second browser signed in as the same owner
    const ctxB = await browser.browser.newContext();
    const b = await openPage(ctxB);
    await b.page.goto(`${server.url}/sign-in`);
    await b.page.getByLabel('Email').fill(EMAIL);
    await b.page.getByLabel('Password').fill(FIRST_PASSWORD);
    await b.page.getByRole('button', { name: 'Sign in' }).click();
    await b.page.getByRole('heading', { name: 'Overview' }).waitFor();

    // change the password in the first browser
    await page.goto(`${server.url}/account`);
    await page.getByRole('heading', { name: 'My account', level: 1 }).waitFor();
    await page.getByRole('table', { name: 'Sessions' }).waitFor();
    a11y.push(...(await checkA11y(page)));
    await page.getByLabel('Current password').fill(FIRST_PASSWORD);
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: /change password/i }).click();
    await page.getByText(/other sessions were signed out/i).waitFor();

    // the first browser stays signed in; the second is back at sign-in
    await page.reload();
    await page.getByRole('heading', { name: 'My account', level: 1 }).waitFor();
    await b.page.reload();
    await b.page.getByRole('heading', { name: 'Sign in' }).waitFor();

    // the new password works, the old one does not
    await b.page.getByLabel('Email').fill(EMAIL);
    await b.page.getByLabel('Password').fill(FIRST_PASSWORD);
    await b.page.getByRole('button', { name: 'Sign in' }).click();
    await b.page.getByRole('alert').waitFor();
    await b.page.getByLabel('Password').fill(NEW_PASSWORD);
    await b.page.getByRole('button', { name: 'Sign in' }).click();
    await b.page.getByRole('heading', { name: 'Overview' }).waitFor();

    expect(a11y).toEqual([]);
    // failed sign-ins answer 401, which the browser logs as a failed resource load: those are expected
    const unexpected = [...problems, ...b.problems].filter((p) => !/status of 401/.test(p));
    expect(unexpected).toEqual([]);
    await ctxA.close();
    await ctxB.close();
  });
});
