/**
 * The audit log in a real browser: an owner opens it from the navigation, filters by action (kept in
 * the address), opens an event and sees what changed with its personal values, downloads the CSV
 * export of the filtered range, and finds the way to the integrity check.
 */
import { describe, expect, it } from 'vitest';
import { checkA11y, openPage } from './support/browser.js';
import { useConsoleWithOwner } from './support/console-fixture.js';
import { signInToConsole } from './support/journey.js';

const OWNER = { email: 'owner@audit-e2e.test', password: 'owner passphrase for the audit log', name: 'Aude Auditor' };

const app = useConsoleWithOwner(OWNER);

describe('audit log', () => {
  it('filters, shows an event with its personal values, exports the range and links to the integrity check', async () => {
    const a11y: string[] = [];
    const ctx = await app.browser.browser.newContext({ acceptDownloads: true });
    const { page, problems } = await openPage(ctx);
    await signInToConsole(page, app.server.url, OWNER);
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    const table = page.getByRole('table', { name: 'Audit events' });
    await table.getByText('First owner set up').waitFor();
    a11y.push(...(await checkA11y(page)));

    // filter by one action: the address carries it, the table narrows
    const actions = page.getByRole('combobox', { name: 'Actions' });
    await actions.click();
    await actions.fill('First owner');
    await page.getByRole('option', { name: 'First owner set up' }).click();
    await page.keyboard.press('Escape');
    await expect.poll(() => new URL(page.url()).searchParams.getAll('action')).toEqual(['setup.completed']);
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);

    // the detail: what changed, and the owner's email from the personal-values side table
    await table.getByRole('button', { name: /^Details of event \d+: First owner set up$/ }).click();
    const drawer = page.getByRole('dialog', { name: 'Audit event' });
    await drawer.getByRole('table', { name: 'Personal values' }).getByText(OWNER.email).waitFor();
    a11y.push(...(await checkA11y(page)));
    await drawer.getByRole('button', { name: 'Close the event details' }).click();
    await drawer.waitFor({ state: 'detached' });

    // the CSV export carries the filter
    const csvLink = page.getByRole('link', { name: 'Export CSV' });
    expect(await csvLink.getAttribute('href')).toBe('/api/v1/audit/export?format=csv&action=setup.completed');
    const downloading = page.waitForEvent('download');
    await csvLink.click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^audit-events_start_\d{8}T\d{6}Z\.csv$/);
    const csv = await (await ctx.request.get(`${app.server.url}/api/v1/audit/export?format=csv&action=setup.completed`)).text();
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^id,at,actor_type,/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('setup.completed');

    expect(await page.getByRole('link', { name: 'Verify integrity' }).getAttribute('href')).toBe('/audit/integrity');
    expect(a11y).toEqual([]);
    expect(problems).toEqual([]);
    await ctx.close();
  });
});
