/**
 * What Meta tells the app after onboarding, in a real browser against the built server in sandbox
 * mode (the record page's "Sandbox: simulate Meta" section makes the simulator send signed webhooks
 * and callbacks to this app's own listener):
 * 1. the owner connects a WABA, opens the record and presses "Customer removed the app": within a
 *    bounded wait the record is Disconnected with a reason naming the removal, its token is gone
 *    (Token health: Stored No), the Meta status section shows the "Removed on Meta" alert and the
 *    History table a line saying the state went from Connected to Disconnected;
 * 2. "Quality dropped to red": once processed, the phone's quality badge is Red and the History
 *    table says the quality was flagged;
 * 3. the Webhook events page lists those events as Processed;
 * 4. its Meta callbacks tab lists the deauthorize callback with the record it matched;
 * 5. "WABA disabled": the Meta status section shows the ban badge "Disabled" and a history line;
 * 5b. "Inbound message": the phone number's row counts it, with the last event's time;
 * 5c. a PARTNER_ADDED for a WABA nobody onboarded: the "Shared accounts" tab of WhatsApp accounts lists it;
 * 6. a data deletion callback for a Meta user with no records: its status page (opened with no CRM
 *    cookies) says the request is complete and nothing was linked.
 * axe-core (serious/critical) on the record page with the sandbox, Meta status and History sections,
 * the Webhook events page (both tabs), the Shared accounts tab and the deletion status page.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../src/meta-simulator/world.js';
import { checkA11y, launchBrowser, openPage, type BrowserHandle } from './support/browser.js';
import { createOwnerViaSetup, finishSignup, openSignupPopup, signInToConsole } from './support/journey.js';
import { startServer, type RunningServer } from './support/server.js';

const OWNER = { email: 'owner@meta-lifecycle-e2e.test', password: 'owner passphrase for lifecycle 1', name: 'Olga Owner' };
const PICK = { businessId: SEED.luckyShrub.businessId, wabaId: SEED.luckyShrub.wabaId, phoneNumberId: SEED.luckyShrub.phoneNumberId };
const NUMBER = '+1 555-078-3881';
/** A Meta user with no onboarding records. */
const UNLINKED_META_USER = '999999999999';
/** The bounded wait for a webhook's effect (the app processes it within seconds of its 200). */
const EFFECT_WAIT_MS = 20_000;

let server: RunningServer;
let browser: BrowserHandle;
let owner: { context: BrowserContext; page: Page; problems: string[] };
/** The connected record's page, set by the first test. */
let recordUrl: string;

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

const unexpected = (problems: string[], allowed: RegExp = /status of 40[134]/) => problems.filter((p) => !allowed.test(p));

/** The value of a fact (`<dt>label</dt><dd>value</dd>`) inside a section of the record page. */
function fact(page: Page, section: string, label: string) {
  return page.getByRole('region', { name: section }).locator('dt', { hasText: new RegExp(`^${label}$`) }).locator('xpath=following-sibling::dd[1]');
}

/** Reloads the record page until `check` holds (or the bounded wait ends); returns how long it took. */
async function reloadUntil(page: Page, check: () => Promise<boolean>, timeoutMs = EFFECT_WAIT_MS): Promise<number> {
  const started = Date.now();
  for (;;) {
    await page.reload();
    await page.getByRole('region', { name: 'Token health' }).waitFor();
    if (await check()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await page.waitForTimeout(500);
  }
}

/** Presses a button of the sandbox section and waits for the simulator's report of what it sent. */
async function simulate(page: Page, label: string): Promise<string> {
  const section = page.getByRole('region', { name: 'Sandbox: simulate Meta' });
  const answered = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/sandbox/meta/events');
  await section.getByRole('button', { name: label }).click();
  expect((await answered).status()).toBe(202);
  const report = section.getByRole('status').filter({ hasText: `Sent: ${label}` });
  await report.waitFor();
  return (await report.textContent()) ?? '';
}

/** Same-origin API call as the signed-in owner (the app's CSRF rule: Origin and X-CSRF-Protection). */
const sameOrigin = () => ({ origin: server.url, 'x-csrf-protection': '1' });

describe('Meta lifecycle in the sandbox', () => {
  it('customer removed the app: the record ends Disconnected with the removal as its reason, and no token', async () => {
    const { page } = owner;
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'WhatsApp accounts' }).click();
    await page.getByRole('heading', { name: 'WhatsApp accounts', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Connect WhatsApp account' }).click();
    await page.waitForURL((u) => u.pathname === '/connect');
    const popup = await openSignupPopup(page);
    await finishSignup(popup, PICK);
    await page.getByRole('status').getByText(/^Connected: /).waitFor({ timeout: 30_000 });
    await page.getByRole('link', { name: 'Open the record' }).click();
    await page.waitForURL(/\/onboarding\/[0-9a-f-]{36}$/);
    recordUrl = page.url();
    await page.getByRole('heading', { name: 'Lucky Shrub', level: 1 }).waitFor();
    await expect.poll(() => page.locator('[data-state]').first().getAttribute('data-state')).toBe('connected');
    expect(await fact(page, 'Token health', 'Stored').textContent()).toBe('Yes');

    const report = await simulate(page, 'Customer removed the app');
    expect(report).toContain('Webhook: HTTP 200');
    expect(report).toContain('Deauthorize callback: HTTP 200');

    const tookMs = await reloadUntil(page, async () => (await page.locator('[data-state]').first().getAttribute('data-state')) === 'disconnected');
    expect(tookMs).toBeLessThan(EFFECT_WAIT_MS);
    expect(await page.locator('[data-state]').first().textContent()).toBe('Disconnected');
    expect(await page.getByTestId('record-reason').textContent()).toMatch(/removed/i);
    expect(await fact(page, 'Token health', 'Stored').textContent()).toBe('No');
    // What Meta reported, in words: the alert and the history line of the state change
    const removed = page.getByRole('region', { name: 'Meta status' }).getByRole('alert');
    expect(await removed.count()).toBe(1);
    expect(await removed.textContent()).toMatch(/^Removed on Meta.*disconnected.*token and registration PIN were erased/);
    const history = page.getByRole('table', { name: 'History' });
    const stateLine = history.getByRole('row').filter({ hasText: /Record state: Connected\s*→?\s*changed to\s*Disconnected/ });
    expect(await stateLine.count()).toBe(1);

    // The webhook itself is processed promptly (the deauthorize callback alone would disconnect).
    const recordId = new URL(recordUrl).pathname.split('/').pop()!;
    await expect
      .poll(
        async () => {
          const res = await page.request.get(`${server.url}/api/v1/webhooks/events?field=account_update&limit=10`);
          const { items } = (await res.json()) as { items: { state: string; summary: Record<string, unknown> }[] };
          return items.map((i) => i.state);
        },
        { timeout: 10_000, interval: 250 },
      )
      .toEqual(['processed']);
    const detail = (await (await page.request.get(`${server.url}/api/v1/onboarding/${recordId}`)).json()) as { record: { state: string; token: { stored: boolean } } };
    expect(detail.record).toMatchObject({ state: 'disconnected', token: { stored: false } });
    expect(unexpected(owner.problems)).toEqual([]);
  });

  it('quality dropped to red: after processing, the phone number shows a Red quality badge', async () => {
    const { page } = owner;
    await page.goto(recordUrl);
    const phoneRow = page.getByRole('table', { name: 'Phone numbers' }).getByRole('row').filter({ hasText: NUMBER });
    await phoneRow.waitFor();
    expect(await phoneRow.getByTitle(/^Quality rating: /).textContent()).not.toContain('Red');

    expect(await simulate(page, 'Quality dropped to red')).toContain('Webhook: HTTP 200');
    await reloadUntil(page, async () => ((await phoneRow.getByTitle(/^Quality rating: /).textContent()) ?? '').endsWith('Red'));
    expect(await phoneRow.getByTitle(/^Quality rating: /).textContent()).toBe('Quality rating: Red');
    const qualityLine = page.getByRole('table', { name: 'History' }).getByRole('row').filter({ hasText: 'Phone number quality' });
    expect(await qualityLine.count()).toBe(1);
    expect(await qualityLine.textContent()).toMatch(/Quality and messaging limit \(\+1 555-078-3881\):.*changed to\s*Quality flagged as low/);

    // axe: the record page with the sandbox section (and its report) on it
    await page.getByRole('region', { name: 'Sandbox: simulate Meta' }).waitFor();
    expect(await checkA11y(page)).toEqual([]);
    expect(unexpected(owner.problems)).toEqual([]);
  });

  it('the Webhook events page lists the received events as Processed', async () => {
    const { page } = owner;
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Webhook events' }).click();
    await page.getByRole('heading', { name: 'Webhook events', level: 1 }).waitFor();
    const table = page.getByRole('table', { name: 'Webhook events' });
    await table.waitFor();
    const rows = table.getByRole('row').filter({ has: page.locator('[data-state]') });
    await expect.poll(() => rows.count()).toBe(2);
    for (const field of ['account_update', 'phone_number_quality_update']) {
      const row = rows.filter({ hasText: field });
      expect(await row.count()).toBe(1);
      expect(await row.locator('[data-state]').textContent()).toBe('Processed');
      expect(await row.textContent()).toContain(PICK.wabaId);
    }
    expect(await checkA11y(page)).toEqual([]);
    expect(unexpected(owner.problems)).toEqual([]);
  });

  it('the Meta callbacks tab lists the deauthorize callback with the record it matched', async () => {
    const { page } = owner;
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Webhook events' }).click();
    await page.getByRole('heading', { name: 'Webhook events', level: 1 }).waitFor();
    await page.getByRole('tab', { name: 'Meta callbacks' }).click();
    await page.waitForURL((u) => u.searchParams.get('tab') === 'callbacks');
    const table = page.getByRole('table', { name: 'Meta callbacks' });
    await table.waitFor();
    const rows = table.getByRole('row').filter({ has: page.locator('[data-result]') });
    expect(await rows.count()).toBe(1);
    const row = rows.first();
    expect(await row.textContent()).toContain('Deauthorize');
    expect(await row.locator('[data-result]').textContent()).toBe('Matched');
    // the webhook or the callback disconnected it first: either way the row names the record
    const link = row.getByRole('link', { name: 'Lucky Shrub' });
    expect(new URL((await link.getAttribute('href')) ?? '', server.url).pathname).toBe(new URL(recordUrl).pathname);
    expect(await row.textContent()).toMatch(/Lucky Shrub (already disconnected|disconnected: Meta no longer honours its token)/);
    expect(await checkA11y(page)).toEqual([]);
    expect(unexpected(owner.problems)).toEqual([]);
  });

  it('WABA disabled: the Meta status section shows the ban badge and the history says so', async () => {
    const { page } = owner;
    await page.goto(recordUrl);
    const status = page.getByRole('region', { name: 'Meta status' });
    await status.waitFor();
    expect(await status.getByTitle(/^Ban state: /).count()).toBe(0);

    expect(await simulate(page, 'WABA disabled')).toContain('Webhook: HTTP 200');
    await reloadUntil(page, async () => (await status.getByTitle('Ban state: Disabled').count()) === 1);
    expect(await status.getByTitle('Ban state: Disabled').textContent()).toBe('Ban state: Disabled');
    expect(await fact(page, 'Meta status', 'Ban state').textContent()).toMatch(/^Disabled since /);
    const banLine = page.getByRole('table', { name: 'History' }).getByRole('row').filter({ hasText: 'Ban state:' });
    expect(await banLine.count()).toBe(1);
    expect(await banLine.textContent()).toMatch(/Ban state:\s*nothing reported\s*→?\s*changed to\s*Disabled/);
    // still disconnected: the removal alert stays
    expect(await status.getByRole('alert').textContent()).toMatch(/^Removed on Meta/);
    expect(await checkA11y(page)).toEqual([]);
    expect(unexpected(owner.problems)).toEqual([]);
  });

  it('inbound message: the phone number row counts it and shows when the last message event was', async () => {
    const { page } = owner;
    const phoneRow = page.getByRole('table', { name: 'Phone numbers' }).getByRole('row').filter({ hasText: NUMBER });
    const counters = phoneRow.getByRole('list', { name: `Message events for ${NUMBER}` });
    expect(await phoneRow.textContent()).toContain('None yet');
    expect(await simulate(page, 'Inbound message')).toContain('Webhook: HTTP 200');
    await reloadUntil(page, async () => (await counters.count()) === 1);
    expect(await counters.getByRole('listitem').allTextContents()).toEqual(['Inbound 1']);
    expect(await phoneRow.getByTestId('last-message-event').locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(unexpected(owner.problems)).toEqual([]);
  });

  it('a WABA shared with the app but never onboarded shows on the Shared accounts tab', async () => {
    const { page } = owner;
    const jm = SEED.jaspersMarket;
    const sent = await page.request.post(`${server.url}/sandbox/meta/events`, { headers: sameOrigin(), data: { kind: 'webhook', field: 'account_update', event: 'PARTNER_ADDED', wabaId: jm.usWabaId } });
    expect(sent.status()).toBe(202);
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'WhatsApp accounts' }).click();
    await page.getByRole('heading', { name: 'WhatsApp accounts', level: 1 }).waitFor();
    await page.getByRole('tab', { name: 'Shared accounts' }).click();
    await page.waitForURL((u) => u.searchParams.get('tab') === 'shared');
    // processed within seconds of its 200: reload until the row is there
    const started = Date.now();
    const row = () => page.getByRole('table', { name: 'Shared accounts' }).getByRole('row').filter({ hasText: jm.usWabaId });
    while ((await row().count()) === 0) {
      if (Date.now() - started > EFFECT_WAIT_MS) throw new Error('the shared account did not show');
      await page.waitForTimeout(500);
      await page.reload();
      await page.getByRole('tab', { name: 'Shared accounts', selected: true }).waitFor();
    }
    expect(await row().textContent()).toContain(jm.businessId);
    expect(await row().textContent()).toMatch(/Still shared\s*Shared with the app/);
    // the onboarded WABA (shared too, then removed) is not a "shared account": it has a record
    expect(await page.getByRole('table', { name: 'Shared accounts' }).getByRole('row').filter({ hasText: PICK.wabaId }).count()).toBe(0);
    expect(await checkA11y(page)).toEqual([]);
    expect(unexpected(owner.problems)).toEqual([]);
  });

  it('data deletion for a Meta user with no records: the status page says complete, nothing linked', async () => {
    const { page } = owner;
    const sent = await page.request.post(`${server.url}/sandbox/meta/events`, { headers: sameOrigin(), data: { kind: 'data_deletion', metaUserId: UNLINKED_META_USER } });
    expect(sent.status()).toBe(202);
    const [delivery] = ((await sent.json()) as { deliveries: { id: string; kind: string; status: number | null }[] }).deliveries;
    expect(delivery).toMatchObject({ kind: 'data_deletion', status: 200 });

    const log = await page.request.get(`${server.url}/sandbox/meta/events`);
    expect(log.status()).toBe(200);
    const entry = ((await log.json()) as { deliveries: { id: string; answer: { url: string; confirmation_code: string } | null }[] }).deliveries.find((d) => d.id === delivery!.id);
    const answer = entry?.answer;
    expect(answer?.confirmation_code).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(answer?.url).toBe(`${server.url}/data-deletion/status/${answer!.confirmation_code}`);

    // The person who asked: no CRM cookies.
    const fresh = await browser.browser.newContext();
    try {
      const visitor = await openPage(fresh);
      const res = await visitor.page.goto(answer!.url);
      expect(res?.status()).toBe(200);
      await visitor.page.getByRole('heading', { name: 'Your data deletion request', level: 1 }).waitFor();
      expect(await visitor.page.locator('#state-text').textContent()).toBe('Your request is complete.');
      expect(await visitor.page.locator('#note').textContent()).toMatch(/no data linked/i);
      expect(await visitor.page.locator('dt', { hasText: 'Completed' }).count()).toBe(1);
      expect(await visitor.page.getByRole('navigation').count()).toBe(0);
      expect(await checkA11y(visitor.page)).toEqual([]);
      expect(visitor.problems).toEqual([]);
    } finally {
      await fresh.close();
    }
  });
});
