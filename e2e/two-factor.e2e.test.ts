/**
 * Two-factor authentication and step-up in a real browser against the built server (sandbox mode,
 * STEP_UP_SECONDS=30 so a proof goes stale within the test; the waits for staleness and for fresh
 * 30-second TOTP steps make this journey slow by design):
 * 1. the owner enrols from My account by reading the secret from the page, signs out, signs in with
 *    the password and a code computed here (otplib), then with a recovery code, which works once;
 * 2. a WhatsApp account is connected (the Connect button asks for a proof once the last one is
 *    stale), and disconnecting it after the proof went stale brings up the inline prompt; the
 *    request is refused once (403 step_up_required), then repeated and done;
 * 3. the owner requires 2FA for admins: an admin sees the grace banner with the days left; with the
 *    grace period at 0 the admin is taken to enrolment right after the password, and the users list
 *    shows the admin with 2FA on.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../src/meta-simulator/world.js';
import { STEP_MS, totpCodeAt } from '../src/features/access/two-factor/totp.js';
import { linkIn, startTestSmtp, type TestSmtp } from '../src/test-support/smtp.js';
import { checkA11y, launchBrowser, openPage, type BrowserHandle } from './support/browser.js';
import { createOwnerViaSetup, finishSignup, openSignupPopup, submitSignIn } from './support/journey.js';
import { startServer, type RunningServer } from './support/server.js';

const STEP_UP_SECONDS = 30;
const OWNER = { email: 'owner@two-factor-e2e.test', password: 'owner passphrase for 2fa e2e', name: 'Tess Owner' };
const ADMIN = { email: 'admin@two-factor-e2e.test', password: 'admin passphrase for 2fa e2e', name: 'Abe Admin' };
const PICK = { businessId: SEED.luckyShrub.businessId, wabaId: SEED.luckyShrub.wabaId, phoneNumberId: SEED.luckyShrub.phoneNumberId };

let server: RunningServer;
let browser: BrowserHandle;
let smtp: TestSmtp;
let owner: { page: Page; problems: string[] };
let ownerSecret = '';
/** When the owner's session last proved itself (sign-in or step-up), to know when it is stale. */
let ownerProvedAt = 0;

beforeAll(async () => {
  smtp = await startTestSmtp();
  [browser, server] = await Promise.all([launchBrowser(), startServer({ SMTP_URL: smtp.url, STEP_UP_SECONDS: String(STEP_UP_SECONDS) })]);
  await createOwnerViaSetup(server, OWNER);
  owner = await openPage(await browser.browser.newContext());
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await smtp?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A code for a time step not used before (the server refuses replays). The server accepts one step
 * either side of its clock (drift), so after the current step the next one is also good at once: only
 * a third code in the same 30 s waits for the clock.
 */
const lastStep = new Map<string, number>();
async function freshCode(secret: string): Promise<string> {
  const used = lastStep.get(secret) ?? -1;
  for (;;) {
    const current = Math.floor(Date.now() / STEP_MS);
    const step = used < current ? current : used < current + 1 ? current + 1 : null;
    if (step !== null) {
      lastStep.set(secret, step);
      return totpCodeAt(secret, new Date(step * STEP_MS));
    }
    await sleep(250);
  }
}

async function signOut(page: Page): Promise<void> {
  await page.locator('.user-menu-button').click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
}

/** Reads the secret from the enrolment step, confirms with a code; returns the secret and the recovery codes. */
async function enrolOnPage(page: Page): Promise<{ secret: string; codes: string[] }> {
  const secretBox = page.getByTestId('totp-secret');
  await secretBox.waitFor();
  await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
  const secret = (await secretBox.textContent())!.trim();
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await page.getByLabel('2. Enter the 6-digit code the app shows').fill(await freshCode(secret));
  await page.getByRole('button', { name: 'Confirm' }).click();
  const list = page.getByTestId('recovery-codes');
  await list.waitFor();
  const codes = (await list.locator('code').allTextContents()).map((c) => c.trim());
  expect(codes).toHaveLength(10);
  return { secret, codes };
}

/** Waits until the owner's last proof is older than the step-up window. */
async function untilStale(): Promise<void> {
  const wait = ownerProvedAt + STEP_UP_SECONDS * 1000 + 1500 - Date.now();
  if (wait > 0) await sleep(wait);
}

/** Gives a fresh proof through the API from the page (its cookies), so the next sensitive click needs no prompt. */
async function proveNow(page: Page, password: string): Promise<void> {
  const status = await page.evaluate(async (pw) => {
    const res = await fetch('/api/v1/me/step-up', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-protection': '1' }, body: JSON.stringify({ password: pw }) });
    return res.status;
  }, password);
  expect(status).toBe(200);
  ownerProvedAt = Date.now();
}

describe('two-factor journeys', () => {
  it('enrols from My account, then signs in with a code, and with a recovery code exactly once', async () => {
    const { page } = owner;
    const a11y: string[] = [];
    await submitSignIn(page, server.url, OWNER.email, OWNER.password);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();

    await page.goto(`${server.url}/account`);
    const section = page.getByRole('region', { name: 'Two-factor authentication' });
    await section.getByText(/^Recommended:/).waitFor();
    await section.getByRole('button', { name: 'Set up two-factor authentication' }).click();
    const { secret, codes } = await enrolOnPage(page);
    ownerSecret = secret;
    a11y.push(...(await checkA11y(page)));
    await section.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => section.getByTestId('two-factor-state').textContent()).toMatch(/^On since .*10 of 10 recovery codes left/);

    // password, then a code computed here
    await signOut(page);
    await submitSignIn(page, server.url, OWNER.email, OWNER.password);
    await page.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
    a11y.push(...(await checkA11y(page)));
    await page.getByLabel('Authentication code').fill(await freshCode(secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();

    // a recovery code signs in once
    await signOut(page);
    await submitSignIn(page, server.url, OWNER.email, OWNER.password);
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await page.getByLabel('Recovery code').fill(codes[0]!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();

    await signOut(page);
    await submitSignIn(page, server.url, OWNER.email, OWNER.password);
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await page.getByLabel('Recovery code').fill(codes[0]!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('alert').getByText('The code is not valid').waitFor();
    await page.getByRole('button', { name: 'Use a code from your authenticator app' }).click();
    await page.getByLabel('Authentication code').fill(await freshCode(secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    ownerProvedAt = Date.now();

    await page.goto(`${server.url}/account`);
    await expect.poll(() => section.getByTestId('two-factor-state').textContent()).toContain('9 of 10 recovery codes left');
    expect(a11y).toEqual([]);
  }, 240_000);

  it('asks for a fresh proof inline before a disconnect, then disconnects', async () => {
    const { page } = owner;
    // connect: the button asks first once the last proof is stale
    await page.goto(`${server.url}/onboarding`);
    await page.getByRole('heading', { name: 'WhatsApp accounts', level: 1 }).waitFor();
    await untilStale();
    await page.getByRole('button', { name: 'Connect WhatsApp account' }).click();
    const prompt = page.getByRole('dialog', { name: 'Confirm it is you' });
    await prompt.waitFor();
    await prompt.getByRole('textbox', { name: 'Password', exact: true }).fill(OWNER.password);
    await prompt.getByRole('button', { name: 'Confirm' }).click();
    ownerProvedAt = Date.now();
    await page.waitForURL((u) => u.pathname === '/connect');
    const popup = await openSignupPopup(page);
    await finishSignup(popup, PICK);
    await page.getByRole('status').getByText(/^Connected: /).waitFor({ timeout: 30_000 });
    await page.getByRole('link', { name: 'Open the record' }).click();
    await page.waitForURL(/\/onboarding\/[0-9a-f-]{36}$/);
    await expect.poll(() => page.locator('[data-state="connected"]').count(), { timeout: 20_000 }).toBeGreaterThan(0);

    // the proof goes stale; the disconnect is refused once, the prompt appears, and it goes through
    await untilStale();
    const statuses: number[] = [];
    page.on('response', (r) => {
      if (r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith('/disconnect')) statuses.push(r.status());
    });
    await page.getByRole('button', { name: 'Disconnect' }).click();
    const confirmDialog = page.getByRole('dialog', { name: /^Disconnect / });
    await confirmDialog.getByRole('button', { name: 'Disconnect' }).click();
    await prompt.waitFor();
    // the segmented control's radio is visually hidden: its label is what a person clicks
    await prompt.locator('label', { hasText: 'Authenticator code' }).click();
    expect(await prompt.getByRole('radio', { name: 'Authenticator code' }).isChecked()).toBe(true);
    await prompt.getByRole('textbox', { name: 'Code', exact: true }).fill(await freshCode(ownerSecret));
    expect(await checkA11y(page)).toEqual([]);
    await prompt.getByRole('button', { name: 'Confirm' }).click();
    ownerProvedAt = Date.now();
    await confirmDialog.waitFor({ state: 'detached', timeout: 20_000 });
    await expect.poll(() => page.locator('[data-state="disconnected"]').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(statuses).toEqual([403, 200]);
  }, 240_000);

  it('requires 2FA for admins: a grace banner with the days left, then enrolment right after the password', async () => {
    const { page } = owner;
    // an admin joins through an invitation
    await proveNow(page, OWNER.password);
    const invited = await page.evaluate(async (admin) => {
      const res = await fetch('/api/v1/users/invitations', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-protection': '1' },
        body: JSON.stringify({ email: admin.email, displayName: admin.name, role: 'admin' }),
      });
      return res.status;
    }, ADMIN);
    expect(invited).toBe(201);
    await expect.poll(() => smtp.mails.filter((m) => m.to.includes(ADMIN.email)).length, { timeout: 10_000 }).toBe(1);
    const admin = await openPage(await browser.browser.newContext());
    await admin.page.goto(linkIn(smtp.mails.find((m) => m.to.includes(ADMIN.email))!.raw));
    await admin.page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await admin.page.getByLabel('Confirm password').fill(ADMIN.password);
    await admin.page.getByRole('button', { name: 'Accept invitation' }).click();
    await admin.page.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(await admin.page.getByTestId('two-factor-grace-banner').count()).toBe(0);

    // the owner requires 2FA for admins (7 days' grace)
    await page.goto(`${server.url}/settings`);
    const policy = page.getByRole('region', { name: 'Two-factor authentication' });
    await policy.getByRole('table').waitFor();
    await proveNow(page, OWNER.password);
    await policy.getByRole('switch', { name: 'Require two-factor authentication for Admin' }).click({ force: true });
    await page.getByText('Admin: two-factor authentication required (7 days to enrol)').waitFor();
    expect(await checkA11y(page)).toEqual([]);

    // the admin sees the deadline on every page
    await admin.page.reload();
    const banner = admin.page.getByTestId('two-factor-grace-banner');
    await banner.waitFor();
    expect(await banner.textContent()).toContain('7 days left');

    // the grace period ends (set to 0 days): right after the password, only enrolment
    await proveNow(page, OWNER.password);
    await policy.getByLabel('Grace period in days for Admin').fill('0');
    await policy.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Admin: two-factor authentication required (0 days to enrol)').waitFor();

    await signOut(admin.page);
    await submitSignIn(admin.page, server.url, ADMIN.email, ADMIN.password);
    await admin.page.getByRole('heading', { name: 'Set up two-factor authentication' }).waitFor();
    // nothing else is reachable with this session
    const blocked = await admin.page.evaluate(async () => (await fetch('/api/v1/users')).json() as Promise<{ code: string }>);
    expect(blocked.code).toBe('enrolment_required');
    await enrolOnPage(admin.page);
    await admin.page.getByRole('button', { name: 'Continue' }).click();
    await admin.page.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(await admin.page.getByTestId('two-factor-grace-banner').count()).toBe(0);

    // the users list shows who has 2FA
    await page.goto(`${server.url}/users`);
    const row = page.getByRole('table', { name: 'Users' }).getByRole('row').filter({ hasText: ADMIN.name });
    await row.waitFor();
    expect((await row.locator('td').last().textContent())?.trim()).toBe('On');
    expect(owner.problems.filter((p) => !/status of 40[1345]/.test(p))).toEqual([]);
  }, 180_000);
});
