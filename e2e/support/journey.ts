/** Steps several journeys share: creating the owner through the setup API, and signing in through the UI. */
import type { Page } from 'playwright-core';
import type { RunningServer } from './server.js';

export interface Person {
  email: string;
  name: string;
  password: string;
}

/** The setup link the server printed on first start (it is printed just after listening, so /readyz may answer first). */
export async function waitForSetupLink(server: RunningServer, timeoutMs = 10_000): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  let link: string | undefined;
  while (!(link = /(http:\/\/\S+\/setup#token=[A-Za-z0-9_-]+)/.exec(server.stderr())?.[1]) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return link;
}

/** Uses the setup link the server printed to create the owner over the API (the setup page has its own journey). */
export async function createOwnerViaSetup(server: RunningServer, owner: Person): Promise<void> {
  const token = (await waitForSetupLink(server))?.split('#token=')[1];
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

/** Signs in through the form and waits for the console's Overview. */
export async function signInToConsole(page: Page, serverUrl: string, who: Pick<Person, 'email' | 'password'>): Promise<void> {
  await submitSignIn(page, serverUrl, who.email, who.password);
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
}

/**
 * On a connect page (/connect or /onboard): waits until Connect is enabled (SDK ready, attempt
 * started), presses it and returns the sandbox signup popup with its pickers filled.
 */
export async function openSignupPopup(page: Page): Promise<Page> {
  await page.locator('#connect:enabled').waitFor();
  const popupEvent = page.waitForEvent('popup');
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  const popup = await popupEvent;
  await popup.getByRole('heading', { level: 1 }).waitFor();
  await popup.getByLabel('Phone number').locator('option').first().waitFor({ state: 'attached' });
  return popup;
}

/**
 * Presses a button whose handler closes its own window, and waits for the close. The click can lose
 * the race with window.close() ("Target page ... has been closed") after it was delivered; that is
 * the expected outcome here, so only a click that failed while the window stayed open is an error.
 */
export async function clickAndWaitForClose(popup: Page, button: string): Promise<void> {
  const closed = popup.waitForEvent('close');
  await popup
    .getByRole('button', { name: button, exact: true })
    .click()
    .catch((err: unknown) => {
      if (!popup.isClosed()) throw err;
    });
  await closed;
}

/** In the sandbox popup: picks business, WABA and phone number, presses Finish and waits for it to close. */
export async function finishSignup(popup: Page, pick: { businessId: string; wabaId: string; phoneNumberId: string }): Promise<void> {
  await popup.getByLabel('Business portfolio').selectOption(pick.businessId);
  await popup.getByLabel('WhatsApp Business Account').selectOption(pick.wabaId);
  await popup.getByLabel('Phone number').selectOption(pick.phoneNumberId);
  await popup.getByLabel('Event to send').selectOption('FINISH');
  await clickAndWaitForClose(popup, 'Finish');
}

/** In the sandbox popup: leaves the flow at `step` (a WA_EMBEDDED_SIGNUP CANCEL) and waits for it to close. */
export async function cancelSignupAt(popup: Page, step: string): Promise<void> {
  await popup.getByLabel('Step the person leaves at').selectOption(step);
  await clickAndWaitForClose(popup, 'Cancel at step');
}

/** The newest outbox mail to `to` (development mail mode), read over the API as `reader`. */
export async function outboxMailTo(server: RunningServer, reader: Pick<Person, 'email' | 'password'>, to: string): Promise<{ subject: string; text: string }> {
  const signIn = await fetch(`${server.url}/api/v1/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: server.url, 'x-csrf-protection': '1' },
    body: JSON.stringify({ email: reader.email, password: reader.password }),
  });
  if (signIn.status !== 200) throw new Error(`outbox reader could not sign in: ${signIn.status}`);
  const cookie = signIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const res = await fetch(`${server.url}/api/v1/outbox`, { headers: { cookie } });
  if (res.status !== 200) throw new Error(`the outbox answered ${res.status}`);
  const { items } = (await res.json()) as { items: { to: string; subject: string; text: string }[] };
  const mail = items.find((m) => m.to === to);
  if (!mail) throw new Error(`no outbox mail to ${to}`);
  return mail;
}
