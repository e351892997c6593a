/**
 * `lighthouse`: Lighthouse 12.2.3 (the version that runs on Node 20 here) with Debian's chromium, the
 * desktop preset, against the production build served by the real server: the sign-in page (signed
 * out), then the users, onboarding list and audit pages (signed in as an owner through the form, so
 * the session cookie is the browser's own). Median of 3 runs of each page for performance and
 * accessibility.
 *
 * value = the lowest median performance score of the four pages; baseline = the median performance
 * score of a bare static page served on the same machine in the same run (what this machine's load
 * allows at best); ratio = value / baseline. Goal: performance >= 90 and accessibility >= 95 on
 * every page.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import lighthouse from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';
import { chromium } from 'playwright-core';
import { hashPassword } from '../../src/features/access/passwords.js';
import { insertUser } from '../../src/features/access/users.repo.js';
import type { Runtime } from '../../src/runtime.js';
import { CHROMIUM } from '../../e2e/support/browser.js';
import { withBenchApp } from '../lib/app.js';
import { ROOT } from '../lib/build.js';
import { freePort } from '../lib/http.js';
import { median, note, round } from '../lib/stats.js';
import type { Benchmark, Result } from '../lib/types.js';

const RUNS = Number(process.env.BENCH_LIGHTHOUSE_RUNS ?? 3);
const OWNER = { email: 'lighthouse@bench.test', password: 'lighthouse owner passphrase 42' };

interface Scores {
  performance: number;
  accessibility: number;
}

async function audit(url: string, port: number): Promise<Scores> {
  const result = await lighthouse(url, { port, output: 'json', logLevel: 'error', onlyCategories: ['performance', 'accessibility'], disableStorageReset: true }, desktopConfig);
  const c = result?.lhr.categories;
  if (!c) throw new Error(`lighthouse gave no result for ${url}`);
  // a page behind sign-in that sent Lighthouse to the sign-in page would be measuring the wrong page
  const landed = new URL(result.lhr.finalDisplayedUrl);
  if (landed.pathname !== new URL(url).pathname) throw new Error(`${url} ended at ${landed.pathname}: not signed in?`);
  return { performance: Math.round((c.performance?.score ?? 0) * 100), accessibility: Math.round((c.accessibility?.score ?? 0) * 100) };
}

async function medianOf(url: string, port: number): Promise<Scores & { runs: string }> {
  const runs: Scores[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await audit(url, port));
  return {
    performance: median(runs.map((r) => r.performance)),
    accessibility: median(runs.map((r) => r.accessibility)),
    runs: runs.map((r) => `${r.performance}/${r.accessibility}`).join(' '),
  };
}

const bench: Benchmark = {
  name: 'lighthouse',
  async run(): Promise<Result> {
    const seed = async (rt: Runtime) => {
      await insertUser(rt.database.db, { email: OWNER.email, displayName: 'Lighthouse Owner', role: 'owner', status: 'active', passwordHash: await hashPassword(OWNER.password), at: new Date() });
    };
    // a bare page on the same machine: the best score this machine's load allows
    const bare = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><html lang="en"><head><meta name="viewport" content="width=device-width"><title>bare</title><meta name="description" content="bare"></head><body><main><h1>Bare page</h1></main></body></html>'));
    await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
    const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'crm-bench-lighthouse-'));
    try {
      // a known port, so PUBLIC_URL (the origin the CSRF check expects) is the one the browser uses
      const appPort = await freePort();
      return await withBenchApp('lighthouse', { seed, port: appPort, webDir: path.join(ROOT, 'dist', 'web') }, async ({ config }) => {
        const debugPort = await freePort();
        // a persistent context is chromium's default one: the tabs Lighthouse opens share its cookies
        const context = await chromium.launchPersistentContext(userDataDir, {
          executablePath: CHROMIUM,
          headless: true,
          args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--remote-debugging-port=${debugPort}`],
        });
        try {
          const origin = config.publicUrl.origin;
          const baseline = await medianOf(`http://127.0.0.1:${(bare.address() as AddressInfo).port}/`, debugPort);
          const pages: Record<string, Scores & { runs: string }> = {};
          pages['sign-in'] = await medianOf(`${origin}/sign-in`, debugPort);
          const page = await context.newPage();
          await page.goto(`${origin}/sign-in`);
          await page.getByLabel('Email').fill(OWNER.email);
          await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
          await page.getByRole('button', { name: 'Sign in' }).click();
          await page.getByRole('heading', { name: 'Overview' }).waitFor();
          for (const [name, p] of [['users', '/users'], ['onboarding', '/onboarding'], ['audit', '/audit']] as const) pages[name] = await medianOf(`${origin}${p}`, debugPort);
          const lowestPerf = Math.min(...Object.values(pages).map((s) => s.performance));
          const lowestA11y = Math.min(...Object.values(pages).map((s) => s.accessibility));
          note(`lighthouse: ${Object.entries(pages).map(([k, s]) => `${k} ${s.performance}/${s.accessibility} (runs ${s.runs})`).join('; ')}; bare page ${baseline.performance}`);
          return {
            name: 'lighthouse',
            value: lowestPerf,
            unit: 'lowest median performance score (desktop preset)',
            baseline: baseline.performance,
            ratio: round(lowestPerf / Math.max(1, baseline.performance), 3),
            goal: 'performance >= 90 and accessibility >= 95 on sign-in, users, onboarding and audit',
            met: lowestPerf >= 90 && lowestA11y >= 95,
            lowest_accessibility: lowestA11y,
            ...Object.fromEntries(Object.entries(pages).flatMap(([k, s]) => [[`${k}_performance`, s.performance], [`${k}_accessibility`, s.accessibility]])),
            runs_per_page: RUNS,
          };
        } finally {
          await context.close();
        }
      });
    } finally {
      bare.close();
      rmSync(userDataDir, { recursive: true, force: true });
    }
  },
};

export default bench;
