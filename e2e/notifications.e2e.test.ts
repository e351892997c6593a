/**
 * Notifications in a real browser against the built server in sandbox mode, with the real job
 * queue (the `notifications.deliver` cron job fires once a minute, so each wait is bounded at a
 * little over one cron cycle):
 * 1. the owner connects a WABA whose business token expires in 3 days (simulator scenario
 *    token_expires_in_3_days): the header's bell shows one unread notification; its popover links
 *    "WhatsApp token expires on ..." to the record, which opens and the notification is read; the
 *    development outbox holds the mail, which names the record page and carries no sign-in link;
 * 2. "Customer removed the app" on the record's sandbox panel: a "WhatsApp connection removed on
 *    Meta" notification appears on the notifications page, linking to the record, and is mailed;
 * 3. My account shows the mail preferences, with security notices locked on.
 * axe-core (serious/critical) with the bell's popover open, on the notifications page and the account page.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../src/meta-simulator/world.js';
import { checkA11y, launchBrowser, openPage, type BrowserHandle } from './support/browser.js';
import { clickAndWaitForClose, createOwnerViaSetup, openSignupPopup, signInToConsole } from './support/journey.js';
import { startServer, type RunningServer } from './support/server.js';

const OWNER = { email: 'owner@notifications-e2e.test', password: 'owner passphrase for notices 1', name: 'Nora Owner' };
const PICK = { businessId: SEED.luckyShrub.businessId, wabaId: SEED.luckyShrub.wabaId, phoneNumberId: SEED.luckyShrub.phoneNumberId };
/** Bound on the delivery job (every 10 s; the minute cron is the fallback) and its polling. */
const CYCLE_MS = 120_000;

let server: RunningServer;
let browser: BrowserHandle;
let owner: { context: BrowserContext; page: Page; problems: string[] };
let recordPath: string;

beforeAll(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startServer()]);
  await createOwnerViaSetup(server, OWNER);
  const context = await browser.browser.newContext();
  const { page, problems } = await openPage(context);
  await signInToConsole(page, server.url, OWNER);
  owner = { context, page, problems };
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const unexpected = (problems: string[]) => problems.filter((p) => !/status of 40[134]/.test(p));

async function unreadCount(page: Page): Promise<number> {
  const res = await page.request.get(`${server.url}/api/v1/notifications/unread-count`);
  return ((await res.json()) as { unreadCount: number }).unreadCount;
}

/** The outbox's mail subjects (sandbox on http: mail goes to the outbox). */
async function outbox(page: Page): Promise<{ to: string; subject: string; text: string }[]> {
  const res = await page.request.get(`${server.url}/api/v1/outbox`);
  return ((await res.json()) as { items: { to: string; subject: string; text: string }[] }).items;
}

describe('notifications in the sandbox', () => {
  it('an expiring token: the bell counts it, its link opens the record and reads it; the mail is in the outbox', { timeout: CYCLE_MS + 60_000 }, async () => {
    const { page } = owner;
    await page.goto(`${server.url}/connect`);
    const popup = await openSignupPopup(page);
    await popup.getByLabel('Business portfolio').selectOption(PICK.businessId);
    await popup.getByLabel('WhatsApp Business Account').selectOption(PICK.wabaId);
    await popup.getByLabel('Phone number').selectOption(PICK.phoneNumberId);
    await popup.getByLabel('Scenario (optional)').selectOption('token_expires_in_3_days');
    await popup.getByLabel('Event to send').selectOption('FINISH');
    await clickAndWaitForClose(popup, 'Finish');
    await page.getByRole('status').getByText(/^Connected: /).waitFor({ timeout: 30_000 });
    await page.getByRole('link', { name: 'Open the record' }).click();
    await page.waitForURL(/\/onboarding\/[0-9a-f-]{36}$/);
    recordPath = new URL(page.url()).pathname;

    await expect.poll(() => unreadCount(page), { timeout: CYCLE_MS, interval: 1_000 }).toBe(1);
    await page.goto(`${server.url}/`);
    const bell = page.getByRole('button', { name: 'Notifications, 1 unread' });
    await bell.click();
    const link = page.getByRole('link', { name: /^WhatsApp token expires on \d{4}-\d{2}-\d{2}$/ });
    await link.waitFor();
    expect(await checkA11y(page)).toEqual([]);
    await link.click();
    await page.waitForURL((u) => u.pathname === recordPath);
    await page.getByRole('heading', { name: 'Lucky Shrub', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Notifications, none unread' }).waitFor();

    const mails = (await outbox(page)).filter((m) => m.subject.startsWith('WhatsApp token expires on'));
    expect(mails.map((m) => m.to)).toEqual([OWNER.email]);
    expect(mails[0]!.text).toContain(`${server.url}${recordPath}`);
    expect(mails[0]!.text).not.toMatch(/token=|#token/);
    expect(unexpected(owner.problems)).toEqual([]);
  });

  it('the app removed on Meta: a notification on the notifications page links to the record; mailed', { timeout: CYCLE_MS + 60_000 }, async () => {
    const { page } = owner;
    await page.goto(`${server.url}${recordPath}`);
    const section = page.getByRole('region', { name: 'Sandbox: simulate Meta' });
    const answered = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/sandbox/meta/events');
    await section.getByRole('button', { name: 'Customer removed the app' }).click();
    expect((await answered).status()).toBe(202);

    await expect.poll(() => unreadCount(page), { timeout: CYCLE_MS, interval: 1_000 }).toBe(1);
    await page.goto(`${server.url}/notifications`);
    await page.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor();
    const link = page.getByRole('link', { name: 'WhatsApp connection removed on Meta' });
    await link.waitFor();
    expect(await page.getByRole('link', { name: /^WhatsApp token expires on/ }).count()).toBe(1);
    expect(await checkA11y(page)).toEqual([]);
    await link.click();
    await page.waitForURL((u) => u.pathname === recordPath);
    await expect.poll(() => unreadCount(page)).toBe(0);
    expect((await outbox(page)).filter((m) => m.subject === 'WhatsApp connection removed on Meta').map((m) => m.to)).toEqual([OWNER.email]);
    expect(unexpected(owner.problems)).toEqual([]);
  });

  it('My account: mail preferences per category, security notices locked on', async () => {
    const { page } = owner;
    await page.goto(`${server.url}/account`);
    const section = page.getByRole('region', { name: 'Notification mail' });
    await section.getByRole('switch', { name: 'WhatsApp connections' }).waitFor();
    expect(await section.getByRole('switch', { name: 'Security of my account' }).isDisabled()).toBe(true);
    expect(await section.getByRole('switch', { name: 'Security of my account' }).isChecked()).toBe(true);
    const saved = page.waitForResponse((r) => r.request().method() === 'PUT' && new URL(r.url()).pathname === '/api/v1/me/notification-preferences');
    await section.getByRole('switch', { name: 'Privacy requests' }).click({ force: true });
    expect((await saved).status()).toBe(200);
    await page.reload();
    await expect.poll(() => page.getByRole('region', { name: 'Notification mail' }).getByRole('switch', { name: 'Privacy requests' }).isChecked()).toBe(false);
    expect(await checkA11y(page)).toEqual([]);
    expect(unexpected(owner.problems)).toEqual([]);
  });
});
