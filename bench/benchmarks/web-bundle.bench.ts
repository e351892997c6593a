/**
 * `web-bundle`: what a first visit downloads. A real chromium opens the sign-in page of the built app
 * (dist/web, served by the real server) and every script, style sheet and the HTML it fetched from the
 * app's origin is gzipped here at level 9 (what a compressing proxy would send), so the figure does
 * not depend on whether the server compresses. `value` = gzipped KB of the first page;
 * `baseline` = gzipped KB of every JS and CSS asset of the build (the whole app, measured in the same
 * run), so `ratio` says how much of the app the first page pulls in. Goal: first page < 300 KB.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { launchBrowser } from '../../e2e/support/browser.js';
import { insertUser } from '../../src/features/access/users.repo.js';
import { withBenchApp } from '../lib/app.js';
import { ROOT } from '../lib/build.js';
import { note, round } from '../lib/stats.js';
import type { Runtime } from '../../src/runtime.js';
import type { Benchmark, Result } from '../lib/types.js';

const GOAL_KB = 300;
const gzKb = (buf: Buffer): number => gzipSync(buf, { level: 9 }).length / 1024;

function wholeAppKb(): { kb: number; files: number } {
  const dir = path.join(ROOT, 'dist', 'web', 'assets');
  if (!existsSync(dir)) throw new Error('dist/web is missing: run `npm run build` first');
  const files = readdirSync(dir).filter((f) => /\.(js|css)$/.test(f));
  return { kb: files.reduce((sum, f) => sum + gzKb(readFileSync(path.join(dir, f))), 0), files: files.length };
}

const bench: Benchmark = {
  name: 'web-bundle',
  async run(): Promise<Result> {
    const whole = wholeAppKb();
    // one user, so the app shows its sign-in page rather than first-owner setup
    const seed = async (rt: Runtime) => {
      await insertUser(rt.database.db, { email: 'bundle@bench.test', displayName: 'Bundle', role: 'owner', status: 'active', passwordHash: 'x', at: new Date() });
    };
    return withBenchApp('web-bundle', { seed, webDir: path.join(ROOT, 'dist', 'web') }, async ({ port }) => {
      const browser = await launchBrowser();
      try {
        const page = await browser.browser.newPage();
        const origin = `http://127.0.0.1:${port}`;
        const bodies: Promise<{ url: string; type: string; kb: number }>[] = [];
        page.on('response', (res) => {
          const type = res.request().resourceType();
          if (!res.url().startsWith(origin) || !['document', 'script', 'stylesheet'].includes(type)) return;
          bodies.push(res.body().then((b) => ({ url: res.url().slice(origin.length), type, kb: gzKb(b) })));
        });
        await page.goto(`${origin}/sign-in`, { waitUntil: 'networkidle' });
        await page.getByRole('button', { name: /sign in/i }).first().waitFor({ timeout: 10_000 }).catch(async (err: Error) => {
          throw new Error(`${err.message}; page shows: ${(await page.locator('body').innerText()).slice(0, 300)}`);
        });
        const loaded = await Promise.all(bodies);
        const firstKb = loaded.reduce((s, r) => s + r.kb, 0);
        const jsKb = loaded.filter((r) => r.type === 'script').reduce((s, r) => s + r.kb, 0);
        const cssKb = loaded.filter((r) => r.type === 'stylesheet').reduce((s, r) => s + r.kb, 0);
        const largest = [...loaded].sort((a, b) => b.kb - a.kb).slice(0, 3);
        note(`web-bundle: first page ${round(firstKb, 1)} KB gz in ${loaded.length} files; whole app ${round(whole.kb, 1)} KB gz in ${whole.files} files`);
        return {
          name: 'web-bundle',
          value: round(firstKb, 1),
          unit: 'KB gzipped (sign-in page: HTML, JS, CSS)',
          baseline: round(whole.kb, 1),
          ratio: round(firstKb / whole.kb, 3),
          goal: `< ${GOAL_KB} KB`,
          met: firstKb < GOAL_KB,
          first_page_js_kb: round(jsKb, 1),
          first_page_css_kb: round(cssKb, 1),
          first_page_files: loaded.length,
          whole_app_files: whole.files,
          largest: largest.map((r) => `${r.url} ${round(r.kb, 1)} KB`).join(', '),
        };
      } finally {
        await browser.close();
      }
    });
  },
};

export default bench;
