/**
 * Retention in a real browser: an owner opens Settings, is told about a period out of bounds,
 * saves a new period, places a legal hold on a user picked from the users list and lifts it, sees
 * what the next purge would delete and runs it now; the run appears in the list.
 */
import { describe, expect, it } from 'vitest';
import { checkA11y, openPage } from './support/browser.js';
import { useConsoleWithOwner } from './support/console-fixture.js';
import { signInToConsole } from './support/journey.js';

const OWNER = { email: 'owner@retention-e2e.test', password: 'owner passphrase for retention', name: 'Rita Retention' };

const app = useConsoleWithOwner(OWNER);

describe('settings: retention, legal holds, purge runs', () => {
  it('changes a period, places and lifts a hold, previews and runs the purge', async () => {
    const a11y: string[] = [];
    const ctx = await app.browser.browser.newContext();
    const { page, problems } = await openPage(ctx);
    await signInToConsole(page, app.server.url, OWNER);
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Retention' }).waitFor();
    const login = page.getByLabel('Login activity (days)');
    await expect.poll(() => login.inputValue()).toBe('180');
    a11y.push(...(await checkA11y(page)));

    await login.fill('5');
    await page.getByRole('button', { name: 'Save periods' }).click();
    await page.getByText('Must be between 30 days and 730 days').waitFor();
    await login.fill('90');
    await page.getByRole('button', { name: 'Save periods' }).click();
    await page.getByText('Retention periods saved').waitFor();
    // the saved value comes back from the server on a fresh visit
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Settings' }).click();
    await expect.poll(() => page.getByLabel('Login activity (days)').inputValue()).toBe('90');

    await page.getByRole('button', { name: 'Place a legal hold' }).click();
    const dialog = page.getByRole('dialog', { name: 'Place a legal hold' });
    const picker = dialog.getByLabel('User', { exact: true });
    await picker.click();
    await picker.fill('Rita');
    await page.getByRole('option', { name: new RegExp(OWNER.email) }).click();
    await dialog.getByRole('textbox', { name: 'Reason' }).fill('Litigation hold 2026-04');
    // scanned once the dialog's opening transition is over (mid-fade, colours read as low contrast)
    await expect.poll(() => dialog.evaluate((el) => Number(getComputedStyle(el).opacity))).toBe(1);
    a11y.push(...(await checkA11y(page)));
    await dialog.getByRole('button', { name: 'Place hold' }).click();
    await dialog.waitFor({ state: 'detached' });
    const holds = page.getByRole('table', { name: 'Legal holds' });
    await holds.getByText('Litigation hold 2026-04').waitFor();
    await holds.getByRole('button', { name: `Lift the hold on ${OWNER.name}` }).click();
    const lift = page.getByRole('dialog', { name: 'Lift the legal hold' });
    await lift.getByLabel('Reason for lifting').fill('Case settled');
    await lift.getByRole('button', { name: 'Lift hold' }).click();
    await lift.waitFor({ state: 'detached' });
    await page.getByText('No active legal holds.').waitFor();

    await page.getByRole('button', { name: 'Show what the next run would delete' }).click();
    await page.getByRole('table', { name: 'What the next run would delete' }).waitFor();
    await page.getByRole('button', { name: 'Run purge now' }).click();
    const confirm = page.getByRole('dialog', { name: 'Run the purge now?' });
    await confirm.getByRole('button', { name: 'Run purge' }).click();
    await page.getByText(/Purge run \d+ finished/).waitFor();
    // the confirmation fades out: scanned once it is gone
    await confirm.waitFor({ state: 'detached' });
    await page.getByRole('table', { name: 'Purge runs' }).getByText('Run by an owner').waitFor();
    a11y.push(...(await checkA11y(page)));

    // a deep link to the page works too
    await page.goto(`${app.server.url}/settings`);
    await expect.poll(() => page.getByLabel('Login activity (days)').inputValue(), { timeout: 20_000 }).toBe('90');

    expect(a11y).toEqual([]);
    expect(problems).toEqual([]);
    await ctx.close();
  });
});
