/**
 * The overview in a real browser: an owner sees every panel with its charts, opens a chart's table
 * view, the page passes axe, and a number opens the filtered list behind it (webhook events by
 * field, sign-ins filtered by result and day). Webhook traffic comes from the sandbox simulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkA11y, launchBrowser, openPage, type BrowserHandle } from './support/browser.js';
import { createOwnerViaSetup, signInToConsole } from './support/journey.js';
import { startServer, type RunningServer } from './support/server.js';

let server: RunningServer;
let browser: BrowserHandle;
const OWNER = { email: 'owner@overview-e2e.test', password: 'owner passphrase for overview', name: 'Olga Overview' };

beforeAll(async () => {
  browser = await launchBrowser();
  server = await startServer();
  await createOwnerViaSetup(server, OWNER);
  // five `messages` webhooks, signed and delivered by the simulator (loopback client)
  const res = await fetch(`${server.url}/sandbox/meta/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'webhook', field: 'messages', wabaId: '102290129340398', phoneNumberId: '106540352242922', count: 5 }),
  });
  if (res.status >= 300) throw new Error(`sandbox events: ${res.status} ${await res.text()}`);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('overview', () => {
  it('shows the panels with charts and tables, passes axe, and links numbers to filtered lists', async () => {
    const ctx = await browser.browser.newContext({ timezoneId: 'Europe/Berlin' });
    const { page, problems } = await openPage(ctx);
    await signInToConsole(page, server.url, OWNER);
    for (const name of ['Onboarding', 'WhatsApp accounts', 'Sign-in activity', 'Webhook flow', 'Privacy']) {
      await page.getByRole('heading', { name, level: 2, exact: true }).waitFor();
    }
    await page.getByText('Times are in your time zone (Europe/Berlin)').waitFor();
    // charts are drawn (recharts renders SVG inside each labelled figure)
    const funnel = page.getByRole('figure', { name: 'Onboarding funnel' });
    await funnel.getByRole('img').locator('svg').first().waitFor();
    const signIns = page.getByRole('figure', { name: 'Sign-ins per day' });
    await signIns.locator('svg .recharts-bar-rectangle').first().waitFor();
    // drawn: funnel, sign-ins, webhooks, privacy; the account and failure charts have no data yet and say so
    await expect.poll(() => page.locator('[data-chart] .recharts-wrapper > svg.recharts-surface').count()).toBe(4);
    await page.getByText('No accounts yet.').waitFor();
    const a11y = [...(await checkA11y(page))];

    // the funnel's table view
    await funnel.getByRole('button', { name: 'Show table' }).click();
    const table = funnel.getByRole('table', { name: 'Onboarding funnel' });
    await table.getByRole('rowheader', { name: 'Started' }).waitFor();
    expect(await table.getByRole('row').count()).toBe(7);
    await funnel.getByRole('button', { name: 'Show chart' }).waitFor();

    // webhook traffic: 5 messages events (a 30-day period is charted per day); the field's count opens the filtered event log
    const hooks = page.getByRole('figure', { name: 'Webhook events per day' });
    await hooks.getByRole('button', { name: 'Show table' }).click();
    const hookTable = hooks.getByRole('table', { name: 'Webhook events per day' });
    await hookTable.getByRole('link', { name: '5' }).waitFor();
    // the signed-in owner's own sign-in: one success today
    await signIns.getByRole('button', { name: 'Show table' }).click();
    const signInTable = signIns.getByRole('table', { name: 'Sign-ins per day' });
    // the owner signed in today (setup and the browser): today's row counts them, and links to them
    await signInTable.getByRole('row').last().getByRole('link', { name: /^[1-9]\d*$/ }).first().waitFor();
    a11y.push(...(await checkA11y(page)));

    await hookTable.getByRole('link', { name: '5' }).click();
    await page.getByRole('heading', { name: 'Webhook events', level: 1 }).waitFor();
    await expect.poll(() => new URL(page.url()).searchParams.get('field')).toBe('messages');
    await page.getByRole('cell', { name: 'messages' }).first().waitFor();

    // back on the overview, the success count of the period opens sign-in activity filtered to successes
    await page.goBack();
    await page.getByRole('heading', { name: 'Sign-in activity', level: 2 }).waitFor();
    await page.getByText('Succeeded:').getByRole('link').click();
    await page.getByRole('heading', { name: 'Sign-in activity', level: 1 }).waitFor();
    const url = new URL(page.url());
    expect(url.pathname).toBe('/activity');
    expect(url.searchParams.get('result')).toBe('success');
    expect(url.searchParams.get('from')).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    // the funnel filtered to staff connects: its count opens the records list with the same filter
    await page.goto(`${server.url}/?source=staff`);
    const staffFunnel = page.getByRole('figure', { name: 'Onboarding funnel' });
    await staffFunnel.getByRole('button', { name: 'Show table' }).click();
    await staffFunnel.getByRole('row', { name: /Started/ }).getByRole('link').click();
    await page.getByRole('heading', { name: 'WhatsApp accounts', level: 1 }).waitFor();
    expect(new URL(page.url()).searchParams.get('via')).toBe('staff');
    await expect.poll(() => page.getByLabel('Started by').inputValue()).toBe('staff');

    // the period picker: a custom period in the address
    await page.goto(`${server.url}/?period=7`);
    await page.getByRole('heading', { name: 'Webhook flow', level: 2 }).waitFor();
    await page.getByText('Custom', { exact: true }).click();
    await page.getByText('Choose the first and last day of the period.').waitFor();
    await page.getByLabel('First day').fill('2026-01-05');
    await page.getByLabel('Last day').fill('2026-01-11');
    await page.getByRole('status').getByText('2026-01-05 to 2026-01-11').waitFor();
    await page.getByRole('figure', { name: 'Webhook events per hour' }).waitFor();
    expect(new URL(page.url()).search).toBe('?period=custom&from=2026-01-05&to=2026-01-11');

    expect(a11y).toEqual([]);
    expect(problems).toEqual([]);
    await ctx.close();
  });

  it('shows each role only the panels its permissions allow', async () => {
    const headers = { 'content-type': 'application/json', origin: server.url, 'x-csrf-protection': '1' };
    const signIn = await fetch(`${server.url}/api/v1/auth/sign-in`, { method: 'POST', headers, body: JSON.stringify({ email: OWNER.email, password: OWNER.password }) });
    const cookie = signIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const expected: Record<string, string[]> = {
      admin: ['Onboarding', 'WhatsApp accounts', 'Sign-in activity', 'Webhook flow', 'Privacy'],
      operator: ['Onboarding', 'WhatsApp accounts', 'Webhook flow'],
      viewer: ['Onboarding', 'WhatsApp accounts'],
    };
    for (const role of Object.keys(expected)) {
      const who = { email: `${role}@overview-e2e.test`, password: `${role} passphrase for the overview`, name: `${role} person` };
      const invited = await fetch(`${server.url}/api/v1/users/invitations`, { method: 'POST', headers: { ...headers, cookie }, body: JSON.stringify({ email: who.email, displayName: who.name, role }) });
      expect(invited.status).toBe(201);
      const outbox = await (await fetch(`${server.url}/api/v1/outbox`, { headers: { cookie } })).json();
      const mail = JSON.stringify((outbox as { items: unknown[] }).items.find((m) => JSON.stringify(m).includes(who.email)));
      const token = /invite#token=([A-Za-z0-9_-]+)/.exec(mail)?.[1];
      const accepted = await fetch(`${server.url}/api/v1/invitations/accept`, { method: 'POST', headers, body: JSON.stringify({ token, displayName: who.name, password: who.password }) });
      expect(accepted.status, await accepted.text()).toBeLessThan(300);

      const ctx = await browser.browser.newContext();
      const { page, problems } = await openPage(ctx);
      await signInToConsole(page, server.url, who);
      await page.getByRole('heading', { name: 'WhatsApp accounts', level: 2 }).waitFor();
      const shown = await page.getByRole('heading', { level: 2 }).allTextContents();
      expect(shown.filter((h) => Object.values(expected.admin!).includes(h)), role).toEqual(expected[role]);
      expect(problems).toEqual([]);
      await ctx.close();
    }
  });
});
