/**
 * The audit chain check in a real browser: an owner goes from the audit log to /audit/integrity,
 * signs a checkpoint and verifies, and reads that the log is intact up to the new checkpoint.
 */
import { describe, expect, it } from 'vitest';
import { checkA11y, openPage } from './support/browser.js';
import { useConsoleWithOwner } from './support/console-fixture.js';
import { signInToConsole } from './support/journey.js';

const OWNER = { email: 'owner@integrity-e2e.test', password: 'owner passphrase for the integrity check', name: 'Ida Integrity' };

const app = useConsoleWithOwner(OWNER);

describe('audit log integrity', () => {
  it('signs a checkpoint, verifies the chain and says what is covered', async () => {
    const ctx = await app.browser.browser.newContext();
    const { page, problems } = await openPage(ctx);
    await signInToConsole(page, app.server.url, OWNER);
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('link', { name: 'Verify integrity' }).click();
    await page.getByRole('heading', { name: 'Audit log integrity', level: 1 }).waitFor();
    const a11y = await checkA11y(page);

    await page.getByRole('button', { name: 'Sign a checkpoint and verify' }).click();
    const result = page.getByRole('status').filter({ hasText: 'The audit log is intact' });
    await result.waitFor();
    await expect.poll(() => result.textContent()).toMatch(/verified up to position [1-9]\d* \(anchor at .+\); \d+ newer events? not yet anchored/);
    a11y.push(...(await checkA11y(page)));

    // the check itself is recorded, and "Verify now" runs again without a new checkpoint
    await page.getByRole('button', { name: 'Verify now' }).click();
    await page.getByRole('status').filter({ hasText: 'The audit log is intact' }).waitFor();
    const api = await ctx.request.get(`${app.server.url}/api/v1/audit/verify`);
    expect(api.status()).toBe(200);
    expect((await api.json()).ok).toBe(true);

    expect(a11y).toEqual([]);
    expect(problems).toEqual([]);
    await ctx.close();
  });
});
