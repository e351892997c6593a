/**
 * `npm run cli -- demo`: fills a sandbox installation with realistic activity by driving the real
 * flows over HTTP against the running server and its Meta simulator — users invited, accepting and
 * signing in (and mistyping), staff connects and customer links that connect, cancel at various
 * steps or fail, webhook traffic sent by the simulator, a few privacy requests — so a newcomer sees
 * a living console. Refuses outside sandbox mode: it would drive real flows against Meta.
 */
import { randomBytes } from 'node:crypto';
import type { Command, CommandContext } from '../../../cli/commands.js';
import { SEED } from '../../../meta-simulator/world.js';
import { systemClock } from '../../../lib/clock.js';
import { createResetLinkForCli } from '../../access/password-reset.service.js';
import { createSetupLink } from '../../access/setup.service.js';
import { findUserByEmail } from '../../access/users.repo.js';
import { DemoClient } from './demo-http.js';

const DOMAIN = 'demo.example.com';
const newPassword = () => `demo ${randomBytes(8).toString('hex')} passphrase`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Attempt {
  recordId: string;
  attemptId: string;
}

/** Polls an attempt until it settles (not started or in progress), at most ~20 s. */
async function settle(client: DemoClient, path: string): Promise<string> {
  for (let i = 0; i < 80; i++) {
    const s = await client.ok<{ state: string }>('GET', path);
    if (s.state !== 'started' && s.state !== 'in_progress') return s.state;
    await sleep(250);
  }
  return 'in_progress';
}

type Plan =
  | { kind: 'finish'; asset: { businessId: string; wabaId: string; phoneNumberId: string }; scenario?: string }
  | { kind: 'cancel'; step: string };

/** One Embedded Signup attempt as the connect page drives it: start, hand in the code, then the session info. */
async function onboard(client: DemoClient, prefix: '/api/v1/onboarding' | '/onboard/api', plan: Plan, sim: DemoClient): Promise<string> {
  const a = await client.ok<Attempt>('POST', `${prefix}/attempts`, {});
  if (plan.kind === 'cancel') {
    await client.ok('POST', `${prefix}/attempts/${a.attemptId}/session`, { event: 'CANCEL', data: { current_step: plan.step } });
  } else {
    const { code } = await sim.ok<{ code: string }>('POST', '/sandbox/meta/codes', { ...plan.asset, ...(plan.scenario ? { scenario: plan.scenario } : {}) });
    await client.ok('POST', `${prefix}/attempts/${a.attemptId}/code`, { code });
    await client.ok('POST', `${prefix}/attempts/${a.attemptId}/session`, {
      event: 'FINISH',
      data: { business_id: plan.asset.businessId, waba_id: plan.asset.wabaId, phone_number_id: plan.asset.phoneNumberId },
    });
  }
  return settle(client, `${prefix}/attempts/${a.attemptId}`);
}

/** The owner the demo acts as: created through a CLI setup link, or given a new password on a re-run. */
async function demoOwner(ctx: CommandContext, client: DemoClient): Promise<{ email: string; password: string }> {
  const deps = { db: ctx.runtime.database.db, clock: systemClock };
  const email = `owner@${DOMAIN}`;
  const password = newPassword();
  if (await findUserByEmail(deps.db, email)) {
    const token = await createResetLinkForCli(deps, email);
    await client.ok('POST', '/api/v1/auth/password-reset/complete', { token, newPassword: password });
  } else {
    const token = await createSetupLink(deps, { via: 'cli', email, displayName: 'Demo Owner' });
    await client.ok('POST', '/api/v1/setup', { token, email, displayName: 'Demo Owner', password });
  }
  return { email, password };
}

/** Invites a colleague, reads the invitation from the development outbox and accepts it. */
async function inviteAndAccept(owner: DemoClient, base: string, origin: string, who: { email: string; name: string; role: string; password: string }): Promise<boolean> {
  await owner.ok('POST', '/api/v1/users/invitations', { email: who.email, displayName: who.name, role: who.role });
  const outbox = await owner.request('GET', '/api/v1/outbox');
  if (outbox.status !== 200) return false;
  const text = JSON.stringify(outbox.body);
  const mails = (outbox.body as { items: unknown[] }).items.map((m) => JSON.stringify(m)).filter((m) => m.includes(who.email));
  const token = /invite#token=([A-Za-z0-9_-]+)/.exec(mails[0] ?? text)?.[1];
  if (!token) return false;
  await new DemoClient(base, origin).ok('POST', '/api/v1/invitations/accept', { token, displayName: who.name, password: who.password });
  return true;
}

/** Runs the demo against the server at `base`; returns the exit code. */
export async function runDemo(ctx: CommandContext): Promise<number> {
  const { config, values, out } = ctx;
  if (!config.meta.sandbox) {
    throw new Error('demo runs only in sandbox mode (META_APP_ID unset): it drives real onboarding flows and would reach Meta');
  }
  const base = typeof values.url === 'string' ? values.url : `http://127.0.0.1:${config.port}`;
  const origin = config.publicUrl.origin;
  const ready = await fetch(new URL('/readyz', base)).catch(() => null);
  if (ready?.status !== 200) throw new Error(`no ready server at ${base}: start it first (npm start), or pass --url`);

  const owner = new DemoClient(base, origin);
  const sim = new DemoClient(base, origin); // loopback: the simulator's code minting and events need no session
  const creds = await demoOwner(ctx, owner);
  await owner.ok('POST', '/api/v1/auth/sign-in', { email: creds.email, password: creds.password });
  out(`Signed in as ${creds.email}`);

  // --- people: invitations, sign-ins, mistakes (under the sign-in rate limit of 20 a minute) ---
  const run = Date.now().toString(36);
  const people = [
    { role: 'admin', name: 'Ada Admin' },
    { role: 'operator', name: 'Otto Operator' },
    { role: 'viewer', name: 'Vera Viewer' },
  ].map((p) => ({ ...p, email: `${p.role}-${run}@${DOMAIN}`, password: newPassword() }));
  const accepted: typeof people = [];
  for (const p of people) if (await inviteAndAccept(owner, base, origin, p)) accepted.push(p);
  if (accepted.length < people.length) out('The development outbox is not in use (SMTP_URL set?): invitations were sent but not accepted.');
  for (const p of accepted) {
    const c = new DemoClient(base, origin);
    await c.request('POST', '/api/v1/auth/sign-in', { email: p.email, password: 'not the right password' });
    await c.ok('POST', '/api/v1/auth/sign-in', { email: p.email, password: p.password });
  }
  for (const guess of ['root', 'admin']) await sim.request('POST', '/api/v1/auth/sign-in', { email: `${guess}@${DOMAIN}`, password: 'guessing 123456' });
  out(`Users: ${accepted.length} invited and signed in, with a few failed attempts`);

  // --- onboarding: staff connects and customer links ---
  const ls = SEED.luckyShrub;
  const jm = SEED.jaspersMarket;
  const gg = SEED.greenGrocer;
  const outcomes: string[] = [];
  const staff: Plan[] = [
    { kind: 'finish', asset: { businessId: ls.businessId, wabaId: ls.wabaId, phoneNumberId: ls.phoneNumberId } },
    { kind: 'cancel', step: 'BUSINESS_ACCOUNT_SELECTION' },
    { kind: 'finish', asset: { businessId: jm.businessId, wabaId: jm.usWabaId, phoneNumberId: jm.usPhoneNumberIds[0] }, scenario: 'token_expires_in_3_days' },
    { kind: 'cancel', step: 'PHONE_NUMBER_VERIFICATION' },
    { kind: 'finish', asset: { businessId: gg.businessId, wabaId: gg.wabaId, phoneNumberId: gg.coexistencePhoneNumberId }, scenario: 'subscribe_fails_100' },
    { kind: 'cancel', step: 'PHONE_NUMBER_VERIFICATION' },
  ];
  for (const plan of staff) outcomes.push(await onboard(owner, '/api/v1/onboarding', plan, sim));
  const links: Plan[] = [
    { kind: 'finish', asset: { businessId: jm.businessId, wabaId: jm.euWabaId, phoneNumberId: jm.euPhoneNumberId } },
    { kind: 'cancel', step: 'WABA_PHONE_PROFILE_PICKER' },
  ];
  for (const [i, plan] of links.entries()) {
    const { url } = await owner.ok<{ url: string }>('POST', '/api/v1/onboarding-links', { label: `Demo customer ${i + 1}`, businessName: i === 0 ? "Jasper's Markt" : 'Corner Shop' });
    const customer = new DemoClient(base, origin);
    await customer.request('GET', new URL(url).pathname);
    outcomes.push(await onboard(customer, '/onboard/api', plan, sim));
  }
  const tally = outcomes.reduce<Record<string, number>>((m, s) => ({ ...m, [s]: (m[s] ?? 0) + 1 }), {});
  out(`Onboarding: ${outcomes.length} attempts (${Object.entries(tally).map(([s, n]) => `${n} ${s}`).join(', ')})`);

  // --- webhook traffic from the simulator, signed as Meta signs it ---
  const connected = await owner.ok<{ items: { id: string; wabaId: string | null; phoneNumbers: { phoneNumberId: string }[] }[] }>('GET', '/api/v1/onboarding?state=connected');
  let sent = 0;
  for (const r of connected.items) {
    if (!r.wabaId) continue;
    await sim.ok('POST', '/sandbox/meta/events', { kind: 'webhook', field: 'messages', wabaId: r.wabaId, ...(r.phoneNumbers[0] ? { phoneNumberId: r.phoneNumbers[0].phoneNumberId } : {}), count: 40 });
    await sim.ok('POST', '/sandbox/meta/events', { scenario: 'inbound_message', recordId: r.id });
    sent += 41;
  }
  const first = connected.items[0];
  if (first) {
    await sim.ok('POST', '/sandbox/meta/events', { scenario: 'quality_dropped', recordId: first.id });
    sent += 1;
  }
  out(`Webhooks: about ${sent} events delivered by the simulator`);

  // --- privacy requests ---
  const viewer = accepted.find((p) => p.role === 'viewer');
  const users = await owner.ok<{ items: { id: string; email: string }[] }>('GET', `/api/v1/users?q=${encodeURIComponent(viewer?.email ?? DOMAIN)}`);
  const subject = users.items[0];
  let filed = 0;
  if (subject) {
    await owner.ok('POST', '/api/v1/privacy-requests', { kind: 'access', subjectUserId: subject.id, message: 'Asked by phone for a copy of their data.' });
    filed++;
  }
  await owner.ok('POST', '/api/v1/privacy-requests', { kind: 'deletion', email: `former-customer-${run}@${DOMAIN}`, verifyReason: 'Identity checked by a call back to the number on file.' });
  filed++;
  out(`Privacy: ${filed} requests filed`);

  out('\nSign in to see the overview:');
  out(`  ${creds.email}  ${creds.password}  (owner)`);
  for (const p of accepted) out(`  ${p.email}  ${p.password}  (${p.role})`);
  return 0;
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'sandbox only: fill this installation with realistic activity through the running server (users, sign-ins, onboarding, webhooks, privacy requests)',
  usage: '[--url http://127.0.0.1:3000]  (the running server; default: 127.0.0.1 and PORT)',
  options: { url: { type: 'string' } },
  run: runDemo,
};
