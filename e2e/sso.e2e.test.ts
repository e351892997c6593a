/**
 * Single sign-on and API tokens in a real browser against the built server and a real OpenID
 * provider (oidc-provider v8 with its devInteractions login and consent pages, on loopback):
 * 1. the owner sets up single sign-on in Settings and runs "Test sign-in" through the provider's pages;
 * 2. a new person signs in with "Sign in with Acme ID": the provider's login and consent pages are
 *    filled in the browser, the account is created with the default role (viewer) and lands on Overview;
 * 3. that viewer creates an API token in My account (shown once); the token reads the API but is
 *    refused a write, and after "Revoke" it is refused at once.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestOidcProvider, type TestOidcProvider } from '../src/test-support/oidc-test-provider.js';
import { checkA11y, launchBrowser, openPage, type BrowserHandle } from './support/browser.js';
import { createOwnerViaSetup, submitSignIn } from './support/journey.js';
import { startServer, type RunningServer } from './support/server.js';

const OWNER = { email: 'owner@example.test', password: 'owner passphrase for sso e2e', name: 'Sam Owner' };

let server: RunningServer;
let browser: BrowserHandle;
let idp: TestOidcProvider;
let owner: { page: Page; problems: string[] };

beforeAll(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startServer()]);
  idp = await startTestOidcProvider({ redirectUri: `${server.url}/auth/sso/callback`, mode: 'dev' });
  await createOwnerViaSetup(server, OWNER);
  owner = await openPage(await browser.browser.newContext());
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await idp?.close();
});

/** On the provider's devInteractions pages: log in as `login`, then give consent. */
async function passProvider(page: Page, login: string): Promise<void> {
  await page.locator('input[name="login"]').waitFor();
  expect(page.url().startsWith(idp.issuer)).toBe(true);
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
}

describe('single sign-on and API tokens', () => {
  it('lets the owner set up single sign-on and test it through the provider', async () => {
    const { page } = owner;
    await submitSignIn(page, server.url, OWNER.email, OWNER.password);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.goto(`${server.url}/settings`);
    const section = page.getByRole('region', { name: 'Single sign-on' });
    await section.getByText(`${server.url}/auth/sso/callback`).waitFor();
    await section.getByLabel('Offer single sign-on on the sign-in page').check();
    await section.getByLabel('Button name').fill('Acme ID');
    await section.getByLabel('Issuer URL').fill(idp.issuer);
    await section.getByLabel('Client ID').fill(idp.clientId);
    await section.getByLabel('Client secret').fill(idp.clientSecret);
    const domains = section.getByLabel('Allowed email domains');
    await domains.fill('example.test');
    await domains.press('Enter');
    await section.getByLabel('People without an account here').click();
    await page.getByRole('option', { name: 'Create their account with the default role' }).click();
    await section.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Single sign-on saved and on').waitFor();
    expect(await section.textContent()).not.toContain(idp.clientSecret);

    await section.getByRole('button', { name: 'Test sign-in' }).click();
    await passProvider(page, 'owner');
    await page.getByText('Test sign-in worked').waitFor();
    expect(new URL(page.url()).pathname).toBe('/settings');
    expect(await checkA11y(page)).toEqual([]);
  });

  it('signs a new person in with the provider, creating their account as a viewer', async () => {
    const { page, problems } = await openPage(await browser.browser.newContext());
    await page.goto(`${server.url}/sign-in`);
    const button = page.getByRole('link', { name: 'Sign in with Acme ID' });
    await button.waitFor();
    expect(await checkA11y(page)).toEqual([]);
    await button.click();
    await passProvider(page, 'zoe');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    const me = await page.evaluate(async () => (await fetch('/api/v1/me')).json());
    expect(me.user).toMatchObject({ email: 'zoe@example.test', role: 'viewer', status: 'active' });

    // 3. an API token for an integration: shown once, read allowed, write refused, revoked at once
    await page.goto(`${server.url}/account`);
    const tokens = page.getByRole('region', { name: 'API tokens', exact: true });
    await tokens.getByLabel('Name').fill('Reporting');
    await tokens.getByRole('button', { name: 'Create token' }).click();
    const box = page.getByTestId('new-api-token');
    await box.waitFor();
    const token = (await box.textContent())!.trim();
    expect(token).toMatch(/^crm_pat_/);
    expect(await checkA11y(page)).toEqual([]);
    await page.getByRole('button', { name: 'Done' }).click();
    await tokens.getByRole('cell', { name: /Reporting/ }).waitFor();
    expect(await tokens.textContent()).not.toContain(token);

    const bearer = { authorization: `Bearer ${token}` };
    const read = await fetch(`${server.url}/api/v1/me`, { headers: bearer });
    expect(read.status).toBe(200);
    expect((await read.json()).user.role).toBe('viewer');
    const write = await fetch(`${server.url}/api/v1/users/invitations`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'someone@example.test', displayName: 'Someone', role: 'viewer' }),
    });
    expect(write.status).toBe(403);

    await tokens.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke token' }).click();
    await page.getByText('Token revoked: it no longer works').waitFor();
    expect((await fetch(`${server.url}/api/v1/me`, { headers: bearer })).status).toBe(401);
    await tokens.getByText('Revoked').waitFor();
    // the provider's devInteractions pages import a web font from the internet, which this machine cannot resolve
    expect(problems.filter((p) => !/ERR_NAME_NOT_RESOLVED/.test(p))).toEqual([]);
  });
});
