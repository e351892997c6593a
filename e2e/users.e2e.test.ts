/**
 * The user-access journey in a real browser with real mail: the owner invites a colleague, the
 * invitation arrives at a local SMTP server, the colleague accepts in a second browser and signs in,
 * the owner deactivates them (their open page falls back to sign-in; sign-in is refused), reactivates,
 * then removes them and the list shows the pseudonym. Then a password reset through mail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkIn, startTestSmtp, type TestSmtp } from '../src/test-support/smtp.js';
import { checkA11y, launchBrowser, openPage, type BrowserHandle } from './support/browser.js';
import { createOwnerViaSetup, submitSignIn } from './support/journey.js';
import { startServer, type RunningServer } from './support/server.js';

let server: RunningServer;
let browser: BrowserHandle;
let smtp: TestSmtp;

const OWNER = { email: 'owner@users-e2e.test', password: 'owner passphrase for e2e 1', name: 'Olga Owner' };
const COLLEAGUE = { email: 'colleague@users-e2e.test', password: 'colleague passphrase 22', name: 'Carl Colleague' };

beforeAll(async () => {
  smtp = await startTestSmtp();
  browser = await launchBrowser();
  server = await startServer({ SMTP_URL: smtp.url });
  // the owner is created through the setup API (the foundation journey covers the setup page)
  await createOwnerViaSetup(server, OWNER);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await smtp?.close();
});

const signIn = (page: import('playwright-core').Page, email: string, password: string) => submitSignIn(page, server.url, email, password);

async function confirm(page: import('playwright-core').Page, action: string) {
  await page.getByRole('button', { name: action, exact: true }).click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  if (action === 'Remove user') await dialog.getByRole('textbox').fill(COLLEAGUE.email);
  await dialog.getByRole('button', { name: action, exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
}

describe('user access journey', () => {
  it('invite -> accept -> deactivate (open page falls back, sign-in refused) -> reactivate -> remove', async () => {
    const a11y: string[] = [];
    const ownerCtx = await browser.browser.newContext();
    const { page, problems } = await openPage(ownerCtx);
    await signIn(page, OWNER.email, OWNER.password);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();

    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    a11y.push(...(await checkA11y(page)));
    await page.getByRole('button', { name: 'Invite user' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Email').fill(COLLEAGUE.email);
    await dialog.getByLabel('Display name').fill(COLLEAGUE.name);
    await dialog.getByLabel('Role').selectOption('operator');
    a11y.push(...(await checkA11y(page)));
    await dialog.getByRole('button', { name: 'Send invitation' }).click();
    await dialog.waitFor({ state: 'detached' });

    await expect.poll(() => smtp.mails.filter((m) => m.to.includes(COLLEAGUE.email)).length, { timeout: 10_000 }).toBe(1);
    const link = linkIn(smtp.mails.find((m) => m.to.includes(COLLEAGUE.email))!.raw);

    // the colleague accepts in another browser
    const colleagueCtx = await browser.browser.newContext();
    const c = await openPage(colleagueCtx);
    await c.page.goto(link);
    await c.page.getByLabel('Password', { exact: true }).fill(COLLEAGUE.password);
    a11y.push(...(await checkA11y(c.page)));
    await c.page.getByLabel('Confirm password').fill(COLLEAGUE.password);
    await c.page.getByRole('button', { name: /accept|create|continue|set password/i }).click();
    await c.page.getByRole('heading', { name: 'Overview' }).waitFor();

    // the whole sign-in log (owners and admins)
    await page.getByRole('link', { name: 'Sign-in activity' }).click();
    await page.getByRole('heading', { name: 'Sign-in activity', level: 1 }).waitFor();
    await page.getByRole('table').getByText(COLLEAGUE.name).first().waitFor();
    a11y.push(...(await checkA11y(page)));

    // the owner deactivates the colleague
    await page.goto(`${server.url}/users`);
    await page.getByRole('link', { name: COLLEAGUE.name }).click();
    await page.getByRole('heading', { name: COLLEAGUE.name, level: 1 }).waitFor();
    a11y.push(...(await checkA11y(page)));
    await confirm(page, 'Deactivate');
    await page.getByText(/deactivated/i).first().waitFor();

    // the colleague's open page falls back to sign-in at their next action, and sign-in is refused
    await c.page.getByRole('link', { name: 'My account' }).first().click();
    await c.page.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: 15_000 });
    await signIn(c.page, COLLEAGUE.email, COLLEAGUE.password);
    await c.page.getByRole('alert').waitFor();

    // reactivate: the colleague can sign in again
    await confirm(page, 'Reactivate');
    await signIn(c.page, COLLEAGUE.email, COLLEAGUE.password);
    await c.page.getByRole('heading', { name: 'Overview' }).waitFor();

    // remove: irreversible; the list shows the pseudonym
    await confirm(page, 'Remove user');
    await page.goto(`${server.url}/users`);
    await page.getByRole('link', { name: /^removed-user-[0-9a-f]{12}$/ }).waitFor();
    expect(await page.getByText(COLLEAGUE.email).count()).toBe(0);
    await signIn(c.page, COLLEAGUE.email, COLLEAGUE.password);
    await c.page.getByRole('alert').waitFor();

    expect(a11y).toEqual([]);
    expect([...problems, ...c.problems].filter((p) => !/status of 40[13]/.test(p))).toEqual([]);
    await ownerCtx.close();
    await colleagueCtx.close();
  });

  it('resets a forgotten password through the mailed link', async () => {
    const ctx = await browser.browser.newContext();
    const { page, problems } = await openPage(ctx);
    await page.goto(`${server.url}/sign-in`);
    await page.getByRole('link', { name: /forgot/i }).click();
    await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
    const a11y = await checkA11y(page);
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByRole('button', { name: /send|reset/i }).click();
    await page.getByText(/if an account exists/i).waitFor();
    await expect.poll(() => smtp.mails.filter((m) => m.to.includes(OWNER.email)).length, { timeout: 10_000 }).toBe(1);
    const link = linkIn(smtp.mails.find((m) => m.to.includes(OWNER.email))!.raw);
    await page.goto(link);
    await page.getByLabel('New password', { exact: true }).waitFor();
    a11y.push(...(await checkA11y(page)));
    await page.getByLabel('New password', { exact: true }).fill('owner passphrase after reset 3');
    await page.getByLabel('Confirm new password').fill('owner passphrase after reset 3');
    await page.getByRole('button', { name: /set|change|reset|save/i }).click();
    await page.getByRole('link', { name: /sign in/i }).click();
    await signIn(page, OWNER.email, 'owner passphrase after reset 3');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(a11y).toEqual([]);
    expect(problems.filter((p) => !/status of 40[13]/.test(p))).toEqual([]);
    await ctx.close();
  });
});
