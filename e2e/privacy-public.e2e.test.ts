/**
 * The public privacy pages in a real browser against the built server, with no console cookies:
 * the privacy policy page; the data deletion form (a validation error names the field, then a
 * valid request); the confirmation link taken from the outbox (read over the API as the owner);
 * the link's page, where "Confirm my request" confirms; and the status page it leads to.
 * No console errors (so nothing broke the CSP), and axe-core finds no serious or critical issue.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkA11y, launchBrowser, openPage, type BrowserHandle } from './support/browser.js';
import { createOwnerViaSetup, outboxMailTo } from './support/journey.js';
import { startServer, type RunningServer } from './support/server.js';

const OWNER = { email: 'owner@privacy-public-e2e.test', password: 'owner passphrase for privacy 1', name: 'Pia Owner' };
const REQUESTER = 'someone.public@privacy-public-e2e.test';

let server: RunningServer;
let browser: BrowserHandle;
let context: BrowserContext;
let page: Page;
let problems: string[];

beforeAll(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startServer({ CONTACT_EMAIL: 'privacy@privacy-public-e2e.test' })]);
  await createOwnerViaSetup(server, OWNER);
  context = await browser.browser.newContext();
  ({ page, problems } = await openPage(context));
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('public privacy pages', () => {
  it('shows the privacy policy with the contact email', async () => {
    await page.goto(`${server.url}/privacy`);
    await page.getByRole('heading', { level: 1, name: 'Privacy policy' }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Your rights and how to use them' }).waitFor();
    expect(await page.getByRole('link', { name: 'privacy@privacy-public-e2e.test' }).getAttribute('href')).toBe('mailto:privacy@privacy-public-e2e.test');
    expect(await checkA11y(page)).toEqual([]);
  });

  it('takes a deletion request through the form, the mailed link and the status page', async () => {
    await page.getByRole('link', { name: 'Delete your data' }).click();
    await page.getByRole('heading', { level: 1, name: 'Delete your data' }).waitFor();
    expect(await checkA11y(page)).toEqual([]);

    // a mistake first: the page comes back naming the field, keeping what was typed
    await page.getByLabel('My sign-in history').check();
    await page.getByLabel('Message (optional)').fill('Please remove my sign-in records.');
    await page.getByRole('button', { name: 'Send deletion request' }).click();
    await page.getByRole('heading', { name: 'Please correct the form' }).waitFor();
    expect(await page.getByText('Login email: Enter the email address you sign in with.').count()).toBe(1);
    expect(await page.getByLabel('Message (optional)').inputValue()).toBe('Please remove my sign-in records.');
    expect(await page.getByLabel('My sign-in history').isChecked()).toBe(true);
    expect(await checkA11y(page)).toEqual([]);

    await page.getByLabel('Login email').fill(REQUESTER);
    await page.getByRole('button', { name: 'Send deletion request' }).click();
    await page.getByRole('heading', { level: 1, name: 'Check your email' }).waitFor();

    const mail = await outboxMailTo(server, OWNER, REQUESTER);
    expect(mail.subject).toBe('Confirm your data deletion request');
    const link = /(http:\/\/\S+\/data-deletion\/verify\?token=[A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
    expect(link).toBeDefined();

    await page.goto(link!);
    await page.getByRole('heading', { level: 1, name: 'Confirm your data deletion request' }).waitFor();
    expect(await checkA11y(page)).toEqual([]);
    await page.getByRole('button', { name: 'Confirm my request' }).click();
    await page.getByRole('heading', { level: 1, name: 'Request confirmed' }).waitFor();

    await page.locator('#status-link').click();
    await page.getByRole('heading', { level: 1, name: 'Your data deletion request' }).waitFor();
    expect(await page.locator('#state-text').textContent()).toContain('Your request is confirmed and we are working on it.');
    expect(page.url()).toMatch(/\/data-deletion\/status\/[A-Za-z0-9]{20}$/);

    // the link is single use
    await page.goto(link!);
    await page.getByRole('heading', { level: 1, name: 'This link cannot be used' }).waitFor();

    // 400: the form re-rendered with the error; 410: the used link. Nothing else (no CSP report, no script error).
    expect(problems.filter((p) => !/status of (400|410)/.test(p))).toEqual([]);
  });
});
