/**
 * `npm run cli -- demo` against a fresh sandbox server, then the overview in a real browser as the
 * demo owner: every panel shows the demo's activity (connected, abandoned and failed onboardings,
 * sign-in failures, webhook traffic, open privacy requests); the abandoned count opens the records
 * list filtered to abandoned attempts, and a bar of the accounts chart the list of its state.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkA11y, launchBrowser, openPage, type BrowserHandle } from './support/browser.js';
import { signInToConsole } from './support/journey.js';
import { startServer, type RunningServer } from './support/server.js';

const run = promisify(execFile);
let server: RunningServer;
let browser: BrowserHandle;
let output = '';

beforeAll(async () => {
  browser = await launchBrowser();
  server = await startServer();
  const env = { ...process.env, DATA_DIR: server.dataDir, PORT: String(server.port), DATABASE_URL: '', TEST_DATABASE_URL: '', LOG_LEVEL: 'warn' };
  ({ stdout: output } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'demo'], { env, timeout: 120_000 }));
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('cli demo', () => {
  it('fills the console; the overview shows every panel with the demo activity', async () => {
    expect(output).toMatch(/Onboarding: 8 attempts \(3 connected, 4 abandoned, 1 failed\)/);
    const password = /owner@demo\.example\.com {2}(demo [0-9a-f]+ passphrase)/.exec(output)?.[1];
    expect(password).toBeTruthy();

    const ctx = await browser.browser.newContext();
    const { page, problems } = await openPage(ctx);
    await signInToConsole(page, server.url, { email: 'owner@demo.example.com', password: password! });
    await page.getByRole('heading', { name: 'Privacy', level: 2, exact: true }).waitFor();
    await expect.poll(() => page.locator('[data-chart] .recharts-wrapper > svg.recharts-surface').count()).toBe(9);

    const abandoned = page.getByRole('figure', { name: "Abandoned, by Meta's current step" });
    await abandoned.getByRole('button', { name: 'Show table' }).click();
    const rows = abandoned.getByRole('table', { name: "Abandoned, by Meta's current step" });
    await rows.getByRole('rowheader', { name: 'Phone number verification' }).waitFor();
    expect(await rows.getByRole('row', { name: /Phone number verification/ }).getByRole('link').textContent()).toBe('2');
    const states = page.getByRole('figure', { name: 'Accounts by state' });
    await states.getByRole('button', { name: 'Show table' }).click();
    expect(await states.getByRole('row', { name: /Connected/ }).getByRole('link').textContent()).toBe('3');
    expect(await page.getByText('Failed:').first().getByRole('link').textContent()).not.toBe('0');
    const a11y = await checkA11y(page);

    await rows.getByRole('row', { name: /Phone number verification/ }).getByRole('link').click();
    await page.getByRole('heading', { name: 'WhatsApp accounts', level: 1 }).waitFor();
    expect(new URL(page.url()).searchParams.get('state')).toBe('abandoned');
    await page.getByRole('cell', { name: /Abandoned/ }).first().waitFor();

    // a bar is a link too (for the mouse; the table view carries the same links for keyboards)
    await page.goBack();
    const chart = page.getByRole('figure', { name: 'Accounts by state' });
    await chart.locator('.recharts-bar-rectangle path').last().click();
    await page.getByRole('heading', { name: 'WhatsApp accounts', level: 1 }).waitFor();
    expect(new URL(page.url()).searchParams.get('state')).toMatch(/^(failed|abandoned|connected)$/);

    expect(a11y).toEqual([]);
    expect(problems).toEqual([]);
    await ctx.close();
  });
});
