/**
 * The privacy request workflow in a real browser against the built server:
 * - a signed-in user asks for a copy of their data under "My data" on My account and downloads it
 *   (the JSON holds their account; the download is the real file the browser saves);
 * - a deletion request sent through the public form and verified through the mailed link appears
 *   in the admin queue; the owner opens it, fulfils it, sees the outcome, and the requester's
 *   status page /data-deletion/status/<code> shows what was deleted and what was kept and why;
 * - the user corrects their email under "My data" and confirms it through the link mailed to the
 *   new address (/confirm-email, token in the fragment), and the request shows completed.
 * No console errors, and axe-core finds no serious or critical issue on the new pages.
 */
import { readFile } from 'node:fs/promises';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkA11y, launchBrowser, openPage, type BrowserHandle } from './support/browser.js';
import { createOwnerViaSetup, outboxMailTo, signInToConsole } from './support/journey.js';
import { startServer, type RunningServer } from './support/server.js';

const OWNER = { email: 'owner@privacy-requests-e2e.test', password: 'owner passphrase for requests 1', name: 'Rita Owner' };
const REQUESTER = 'former.customer@privacy-requests-e2e.test';

let server: RunningServer;
let browser: BrowserHandle;
let context: BrowserContext;
let page: Page;
let problems: string[];

beforeAll(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startServer()]);
  await createOwnerViaSetup(server, OWNER);
  context = await browser.browser.newContext({ acceptDownloads: true });
  ({ page, problems } = await openPage(context));
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('privacy requests', () => {
  it('a user asks for a copy of their data under "My data" and downloads it', async () => {
    await signInToConsole(page, server.url, OWNER);
    await page.goto(`${server.url}/account`);
    const section = page.getByRole('region', { name: 'My data' });
    await section.waitFor();
    await section.getByText('You have made no requests about your data.').waitFor();
    await section.getByRole('button', { name: 'Get a copy of my data' }).click();
    const dialog = page.getByRole('dialog', { name: 'Get a copy of my data' });
    await dialog.getByRole('button', { name: 'Prepare my copy' }).click();
    const download = section.getByRole('link', { name: 'Download my data' });
    await download.waitFor();
    expect(await section.getByText('Completed').count()).toBe(1);
    expect(await checkA11y(page)).toEqual([]);

    const saving = page.waitForEvent('download');
    await download.click();
    const file = await saving;
    expect(file.suggestedFilename()).toMatch(/^my-data-\d{4}-\d{2}-\d{2}\.json$/);
    const data = JSON.parse(await readFile((await file.path())!, 'utf8')) as { account: { email: string; displayName: string }; loginActivity: unknown[]; summary: string };
    expect(data.account).toMatchObject({ email: OWNER.email, displayName: OWNER.name });
    expect(data.loginActivity.length).toBeGreaterThan(0);
    expect(data.summary).toContain(OWNER.email);
  });

  it('an admin completes a verified public deletion request and the status page shows the outcome', async () => {
    // the requester, in a browser of their own: the form, then the mailed link
    const requesterCtx = await browser.browser.newContext();
    const { page: requester } = await openPage(requesterCtx);
    await requester.goto(`${server.url}/data-deletion`);
    await requester.getByLabel('Login email').fill(REQUESTER);
    await requester.getByLabel('My account and everything linked to it').check();
    await requester.getByRole('button', { name: 'Send deletion request' }).click();
    await requester.getByRole('heading', { level: 1, name: 'Check your email' }).waitFor();
    const link = /(http:\/\/\S+\/data-deletion\/verify\?token=[A-Za-z0-9_-]+)/.exec((await outboxMailTo(server, OWNER, REQUESTER)).text)?.[1];
    expect(link).toBeDefined();
    await requester.goto(link!);
    await requester.getByRole('button', { name: 'Confirm my request' }).click();
    await requester.getByRole('heading', { level: 1, name: 'Request confirmed' }).waitFor();
    await requester.locator('#status-link').click();
    await requester.getByRole('heading', { level: 1, name: 'Your data deletion request' }).waitFor();
    const statusUrl = requester.url();
    expect(statusUrl).toMatch(/\/data-deletion\/status\/[A-Za-z0-9]{16,}$/);

    // the owner works the queue
    await page.getByRole('link', { name: 'Privacy requests' }).click();
    await page.getByRole('heading', { level: 1, name: 'Privacy requests' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: REQUESTER });
    await row.waitFor();
    expect(await row.getByText('In progress').count()).toBe(1);
    expect(await checkA11y(page)).toEqual([]);
    await row.getByRole('link', { name: REQUESTER }).click();
    await page.getByRole('heading', { level: 1, name: 'Deletion request' }).waitFor();
    expect(await checkA11y(page)).toEqual([]);
    await page.getByRole('button', { name: 'Fulfil' }).click();
    await page.getByRole('dialog', { name: 'Fulfil the request' }).getByRole('button', { name: 'Fulfil now' }).click();
    const outcome = page.getByRole('region', { name: 'Outcome' });
    await outcome.getByText('Kept, and why').waitFor();
    expect(await outcome.textContent()).toMatch(/proof that the request was handled/);
    expect(await page.getByRole('region', { name: 'History' }).getByText('Request completed').count()).toBe(1);

    // the requester's status page now shows the result
    await requester.goto(statusUrl);
    await requester.getByRole('heading', { level: 1, name: 'Your data deletion request' }).waitFor();
    const statusText = (await requester.locator('body').textContent()) ?? '';
    expect(statusText).toContain('Your request is complete.');
    expect(statusText).toMatch(/mail to you in the outbox/);
    expect(statusText).toMatch(/proof that the request was handled/);
    expect(statusText).not.toContain(REQUESTER);
    await requesterCtx.close();

    expect(problems).toEqual([]);
  });

  it('a user corrects their email: confirmed through the link mailed to the new address', async () => {
    const NEW_EMAIL = 'rita.renamed@privacy-requests-e2e.test';
    await page.goto(`${server.url}/account`);
    const section = page.getByRole('region', { name: 'My data' });
    await section.getByRole('button', { name: 'Correct my data' }).click();
    const dialog = page.getByRole('dialog', { name: 'Correct my data' });
    await dialog.getByLabel('New email').fill(NEW_EMAIL);
    await dialog.getByRole('button', { name: 'Ask for the correction' }).click();
    await section.getByText('In progress').waitFor();
    const link = /(http:\/\/\S+\/confirm-email#token=[A-Za-z0-9_-]+)/.exec((await outboxMailTo(server, OWNER, NEW_EMAIL)).text)?.[1];
    expect(link).toBeDefined();
    await page.goto(link!);
    await page.getByRole('heading', { level: 1, name: 'Confirm your new email' }).waitFor();
    await page.getByText(`Your email is now ${NEW_EMAIL}.`).waitFor();
    expect(new URL(page.url()).hash).toBe('');
    expect(await checkA11y(page)).toEqual([]);
    await page.getByRole('link', { name: 'Back to My account' }).click();
    await page.getByRole('region', { name: 'My data' }).getByText('email (confirmed at the new address)').waitFor();
    expect(problems).toEqual([]);
  });
});
