/** Steps several journeys share: creating the owner through the setup API, and signing in through the UI. */
import type { Page } from 'playwright-core';
import type { RunningServer } from './server.js';

export interface Person {
  email: string;
  name: string;
  password: string;
}

/** Uses the setup link the server printed to create the owner over the API (the setup page has its own journey). */
export async function createOwnerViaSetup(server: RunningServer, owner: Person): Promise<void> {
  const token = /setup#token=([A-Za-z0-9_-]+)/.exec(server.stderr())?.[1];
  if (!token) throw new Error('the server printed no setup link');
  const res = await fetch(`${server.url}/api/v1/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: server.url, 'x-csrf-protection': '1' },
    body: JSON.stringify({ token, email: owner.email, displayName: owner.name, password: owner.password }),
  });
  if (res.status !== 201) throw new Error(`setup failed: ${res.status} ${await res.text()}`);
}

/** Fills and submits the sign-in form (the caller waits for what should follow). */
export async function submitSignIn(page: Page, serverUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${serverUrl}/sign-in`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
