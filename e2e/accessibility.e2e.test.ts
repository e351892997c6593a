/**
 * Accessibility of every page, as users see it: axe-core (serious and critical rules) on each public
 * page, each server-rendered privacy page, and each page of the console an owner can open (the
 * owner sees them all); and the main journey by keyboard alone: sign in, then move through the
 * navigation, with the focus visible where it lands.
 */
import { describe, expect, it } from 'vitest';
import { checkA11y, openPage } from './support/browser.js';
import { useConsoleWithOwner } from './support/console-fixture.js';
import { signInToConsole } from './support/journey.js';

const OWNER = { email: 'owner@a11y.test', password: 'owner passphrase for accessibility', name: 'Ada Access' };

const app = useConsoleWithOwner(OWNER);

/** Waits for a page to settle: its main heading is there and nothing is loading. */
async function settle(page: import('playwright-core').Page) {
  await page.getByRole('heading', { level: 1 }).first().waitFor();
  await page.waitForLoadState('networkidle');
}

describe('accessibility', () => {
  it('has no serious or critical axe violations on any page', async () => {
    const found: string[] = [];
    const ctx = await app.browser.browser.newContext();
    const { page, problems } = await openPage(ctx);

    // public pages, signed out
    for (const path of ['/sign-in', '/forgot-password', '/privacy', '/data-deletion']) {
      await page.goto(`${app.server.url}${path}`);
      await settle(page);
      found.push(...(await checkA11y(page)).map((v) => `${path}: ${v}`));
    }

    // every page of the console, as an owner
    await signInToConsole(page, app.server.url, OWNER);
    const me = (await page.evaluate(async () => (await (await fetch('/api/v1/me')).json()) as { user: { id: string } })).user;
    const consolePages = ['/', '/account', '/notifications', '/users', `/users/${me.id}`, '/activity', '/onboarding', '/webhooks', '/outbox', '/audit', '/audit/integrity', '/settings', '/privacy-requests'];
    for (const path of consolePages) {
      await page.goto(`${app.server.url}${path}`);
      await settle(page);
      found.push(...(await checkA11y(page)).map((v) => `${path}: ${v}`));
    }
    expect(found).toEqual([]);
    expect(problems.filter((p) => !/favicon/.test(p))).toEqual([]);
    await ctx.close();
  });

  it('works by keyboard alone: sign in, then move through the navigation with a visible focus', async () => {
    const ctx = await app.browser.browser.newContext();
    const { page } = await openPage(ctx);
    await page.goto(`${app.server.url}/sign-in`);
    await page.getByLabel('Email').waitFor();
    // Tab from the top of the page reaches the email field, then the password, then submit with Enter
    const focusedLabel = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.getAttribute('aria-label') ?? (document.activeElement as HTMLInputElement | null)?.labels?.[0]?.textContent ?? document.activeElement?.textContent ?? '');
    for (let i = 0; i < 10 && !/email/i.test(await focusedLabel()); i++) await page.keyboard.press('Tab');
    expect(await focusedLabel()).toMatch(/email/i);
    await page.keyboard.type(OWNER.email);
    await page.keyboard.press('Tab');
    expect(await focusedLabel()).toMatch(/password/i);
    await page.keyboard.type(OWNER.password);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();

    // the navigation is reachable by Tab and each link opens its page with Enter
    const reach = async (name: string) => {
      for (let i = 0; i < 60; i++) {
        await page.keyboard.press('Tab');
        const here = await page.evaluate(() => ({ tag: document.activeElement?.tagName ?? '', text: (document.activeElement?.textContent ?? '').trim() }));
        if (here.tag === 'A' && here.text.startsWith(name)) return true;
      }
      return false;
    };
    for (const [link, heading] of [['Users', 'Users'], ['Audit log', 'Audit log'], ['WhatsApp accounts', 'WhatsApp accounts']] as const) {
      await page.locator('body').focus();
      expect(await reach(link), `Tab reaches the ${link} link`).toBe(true);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
    }
    // focus is visible where it lands (an outline or a box shadow, not nothing)
    const visible = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el) return false;
      const s = getComputedStyle(el);
      return (s.outlineStyle !== 'none' && s.outlineWidth !== '0px') || s.boxShadow !== 'none';
    });
    expect(visible).toBe(true);
    await ctx.close();
  });
});
