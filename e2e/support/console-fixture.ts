/**
 * The set-up most browser tests share: chromium, a fresh server (its own DATA_DIR and embedded
 * PostgreSQL) and its first owner created through the setup link; all torn down after the file.
 * Call at the top level of a test file; read `.server` and `.browser` inside tests.
 */
import { afterAll, beforeAll } from 'vitest';
import { launchBrowser, type BrowserHandle } from './browser.js';
import { createOwnerViaSetup, type Person } from './journey.js';
import { startServer, type RunningServer } from './server.js';

export interface ConsoleFixture {
  server: RunningServer;
  browser: BrowserHandle;
}

export function useConsoleWithOwner(owner: Person, env: Record<string, string> = {}): ConsoleFixture {
  const fixture = {} as ConsoleFixture;
  beforeAll(async () => {
    [fixture.browser, fixture.server] = await Promise.all([launchBrowser(), startServer(env)]);
    await createOwnerViaSetup(fixture.server, owner);
  });
  afterAll(async () => {
    await fixture.browser?.close();
    await fixture.server?.stop();
  });
  return fixture;
}
