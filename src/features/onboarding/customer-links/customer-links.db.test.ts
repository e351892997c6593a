/**
 * Customer onboarding links over HTTP: the staff side (create with the URL shown once and only its
 * hash stored, list by status, revoke, validation, roles) and the customer side (/onboard/:token →
 * cookie → /onboard → /onboard/api/...) against a standalone Meta simulator over real HTTP: a link is
 * used up only by a connect, a customer sees only their own link's attempts, a cancel leaves the
 * link usable, expired/revoked/used links answer 410, and the audit trail keeps prefill out of details.
 */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../config.js';
import { SEED, startMetaSimulator, type RunningSimulator } from '../../../meta-simulator/index.js';
import { buildTestApp, createUser, sameOrigin, signInCookie, TEST_ORIGIN, type TestApp } from '../../../test-support/test-app.js';
import { useTestDatabase } from '../../../test-support/test-db.js';
import { metaAppOf } from '../../sandbox/sandbox-meta.js';
import { loadKeyRing } from '../../vault/keyring.js';

const LS = SEED.luckyShrub;
const JM = SEED.jaspersMarket;
const KEY = Buffer.alloc(32, 7).toString('base64');
const DAY_MS = 86_400_000;

const tdb = useTestDatabase();
let t: TestApp;
let sim: RunningSimulator;
const cookies = {} as Record<'owner' | 'admin' | 'operator' | 'viewer', string>;
const emails = {} as Record<keyof typeof cookies, string>;

beforeAll(async () => {
  const config = loadConfig({ DATA_DIR: '/nonexistent-test-data', ENCRYPTION_KEY: KEY });
  const meta = metaAppOf(config, loadKeyRing({ key: KEY, dataDir: config.dataDir, embedded: false }));
  sim = await startMetaSimulator({ appId: meta.appId, appSecret: meta.appSecret });
  t = await buildTestApp(tdb.current.database, { env: { META_GRAPH_URL: sim.url } });
  for (const role of ['owner', 'admin', 'operator', 'viewer'] as const) {
    emails[role] = (await createUser(tdb.current.database, role)).email;
    cookies[role] = await signInCookie(t, emails[role]);
  }
});
afterAll(async () => {
  await t?.app.close();
  await sim?.close();
});

type Role = keyof typeof cookies;
const db = () => tdb.current.database.db;
const staff = (method: 'GET' | 'POST', url: string, role: Role = 'admin', payload?: Record<string, unknown>) =>
  t.app.inject({ method, url, headers: { ...(method === 'POST' ? sameOrigin : {}), cookie: cookies[role] }, ...(payload ? { payload } : {}) });

interface CreatedLink {
  id: string;
  url: string;
  token: string;
  body: Record<string, unknown> & { link: Record<string, unknown> };
}
async function createLink(payload: Record<string, unknown>, role: Role = 'admin'): Promise<CreatedLink> {
  const res = await staff('POST', '/api/v1/onboarding-links', role, payload);
  expect(res.statusCode, res.body).toBe(201);
  const body = res.json();
  const m = /\/onboard\/([A-Za-z0-9_-]+)$/.exec(body.url);
  expect(m).not.toBeNull();
  return { id: body.link.id, url: body.url, token: m![1]!, body };
}

/** What a browser does with the link: GET /onboard/<token>; returns the `crm_onboard=...` cookie. */
async function openLink(token: string): Promise<{ res: LightMyRequestResponse; cookie: string }> {
  const res = await t.app.inject({ method: 'GET', url: `/onboard/${token}`, headers: { accept: 'text/html,application/xhtml+xml' } });
  const c = (res.cookies as { name: string; value: string }[]).find((x) => x.name === 'crm_onboard');
  return { res, cookie: c ? `crm_onboard=${c.value}` : '' };
}

/** A request of the customer page's script (cookie + same-origin headers on writes). */
const customer = (method: 'GET' | 'POST', url: string, cookie: string, payload?: Record<string, unknown>) =>
  t.app.inject({ method, url, headers: { ...(method === 'POST' ? sameOrigin : {}), cookie }, ...(payload ? { payload } : {}) });

/** Runs the customer's Embedded Signup for one WABA through the link cookie; returns the outcome. */
async function customerConnect(cookie: string, a: { businessId: string; wabaId: string; phoneNumberId: string }) {
  const start = await customer('POST', '/onboard/api/attempts', cookie);
  expect(start.statusCode, start.body).toBe(201);
  const { attemptId, recordId } = start.json();
  const session = await customer('POST', `/onboard/api/attempts/${attemptId}/session`, cookie, {
    type: 'WA_EMBEDDED_SIGNUP',
    event: 'FINISH',
    data: { waba_id: a.wabaId, phone_number_id: a.phoneNumberId, business_id: a.businessId },
  });
  expect(session.statusCode, session.body).toBe(200);
  const { code } = sim.simulator.mintCode(a);
  const res = await customer('POST', `/onboard/api/attempts/${attemptId}/code`, cookie, { code });
  expect(res.statusCode, res.body).toBe(200);
  return { attemptId, recordId, code, outcome: res.json() as { recordId: string; state: string; reason: string | null } };
}

async function linkListed(id: string, status?: string): Promise<Record<string, unknown> | undefined> {
  const res = await staff('GET', `/api/v1/onboarding-links${status ? `?status=${status}` : ''}`, 'viewer');
  expect(res.statusCode).toBe(200);
  return (res.json().items as { id: string }[]).find((l) => l.id === id);
}

async function count(table: 'onboarding_links' | 'audit_events' | 'audit_personal_values'): Promise<number> {
  const r = await db().execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM ${sql.identifier(table)}`);
  return r.rows[0]!.n;
}

async function auditOf(targetId: string): Promise<string[]> {
  const r = await db().execute<{ action: string }>(sql`SELECT action FROM audit_events WHERE target_id = ${targetId} ORDER BY id`);
  return r.rows.map((x) => x.action);
}

describe('onboarding links: staff side', () => {
  it('an admin or owner creates a link: 201, the URL once, only its SHA-256 hash in the database', async () => {
    const before = t.clock.now().getTime();
    const a = await createLink({ label: 'Acme plants', businessName: 'Acme Plants Ltd', email: 'buyer@acme.example', phone: '+44 20 7946 0000', expiresInDays: 14 });
    expect(a.url.startsWith(`${TEST_ORIGIN}/onboard/`)).toBe(true);
    expect(a.token.length).toBeGreaterThanOrEqual(40);
    expect(a.body.link).toMatchObject({
      label: 'Acme plants',
      businessName: 'Acme Plants Ltd',
      email: 'buyer@acme.example',
      phone: '+44 20 7946 0000',
      status: 'active',
      usedAt: null,
      revokedAt: null,
      recordId: null,
      createdBy: { displayName: expect.stringMatching(/^admin /) },
    });
    expect(new Date(a.body.link.expiresAt as string).getTime()).toBe(before + 14 * DAY_MS);

    const row = await db().execute<{ row: string; token_hash: string }>(sql`SELECT t::text AS row, t.token_hash FROM onboarding_links t WHERE id = ${a.id}`);
    expect(row.rows).toHaveLength(1);
    expect(row.rows[0]!.row).not.toContain(a.token);
    expect(row.rows[0]!.token_hash).toBe(createHash('sha256').update(a.token).digest('hex'));

    // the default lifetime is ONBOARDING_LINK_TTL_DAYS (7); owners may create links too
    t.clock.advance(1000);
    const o = await createLink({ label: 'Owner link' }, 'owner');
    expect(new Date(o.body.link.expiresAt as string).getTime()).toBe(t.clock.now().getTime() + 7 * DAY_MS);
    expect(o.body.link).toMatchObject({ businessName: null, email: null, phone: null, createdBy: { displayName: expect.stringMatching(/^owner /) } });

    // the URL is never shown again: not in the list, not in any table
    const list = await staff('GET', '/api/v1/onboarding-links', 'viewer');
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(a.token);
    expect(list.body).not.toContain(o.token);
    expect(list.json().items.map((l: { id: string }) => l.id).slice(0, 2)).toEqual([o.id, a.id]);
    const all = await db().execute<{ row: string }>(sql`SELECT t::text AS row FROM audit_events t`);
    expect(all.rows.map((r) => r.row).join('\n')).not.toContain(a.token);
  });

  it('validation errors name the field and write nothing', async () => {
    const before = await Promise.all([count('onboarding_links'), count('audit_events'), count('audit_personal_values')]);
    const cases: [Record<string, unknown>, string][] = [
      [{ businessName: 'No label Ltd' }, 'label'],
      [{ label: '   ' }, 'label'],
      [{ label: 'Bad mail', email: 'not-an-email' }, 'email'],
      [{ label: 'Too long', expiresInDays: 31 }, 'expiresInDays'],
      [{ label: 'Too short', expiresInDays: 0 }, 'expiresInDays'],
      [{ label: 'Bad phone', phone: 'call me' }, 'phone'],
    ];
    for (const [payload, field] of cases) {
      const res = await staff('POST', '/api/v1/onboarding-links', 'admin', payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      const body = res.json();
      expect(body.code).toBe('validation_failed');
      expect(body.errors.map((e: { path: string }) => e.path)).toContain(field);
    }
    expect(await Promise.all([count('onboarding_links'), count('audit_events'), count('audit_personal_values')])).toEqual(before);
  });

  it('operators and viewers may list but get 403 on create and revoke', async () => {
    const link = await createLink({ label: 'Role check' });
    const before = await count('onboarding_links');
    for (const role of ['operator', 'viewer'] as const) {
      const create = await staff('POST', '/api/v1/onboarding-links', role, { label: `by ${role}` });
      expect(create.statusCode).toBe(403);
      const revoke = await staff('POST', `/api/v1/onboarding-links/${link.id}/revoke`, role);
      expect(revoke.statusCode).toBe(403);
      expect((await staff('GET', '/api/v1/onboarding-links', role)).statusCode).toBe(200);
    }
    expect(await count('onboarding_links')).toBe(before);
    expect((await linkListed(link.id))?.status).toBe('active');
  });

  it('revoke: the link becomes revoked (list filter follows), a second revoke is 409, the customer gets 410', async () => {
    const link = await createLink({ label: 'To revoke' });
    const opened = await openLink(link.token);
    expect(opened.res.statusCode).toBe(303);
    expect(await linkListed(link.id, 'active')).toBeDefined();

    const res = await staff('POST', `/api/v1/onboarding-links/${link.id}/revoke`);
    expect(res.statusCode).toBe(200);
    expect(res.json().link).toMatchObject({ id: link.id, status: 'revoked', revokedAt: t.clock.now().toISOString() });
    const again = await staff('POST', `/api/v1/onboarding-links/${link.id}/revoke`);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('conflict');
    expect((await staff('POST', '/api/v1/onboarding-links/00000000-0000-4000-8000-000000000000/revoke')).statusCode).toBe(404);

    expect(await linkListed(link.id, 'active')).toBeUndefined();
    expect(await linkListed(link.id, 'revoked')).toMatchObject({ status: 'revoked' });
    expect(await linkListed(link.id, 'used')).toBeUndefined();

    // the customer: the link page and the API both refuse it now
    const page = await openLink(link.token);
    expect(page.res.statusCode).toBe(410);
    expect(page.res.headers['content-type']).toMatch(/text\/html/);
    expect(page.res.body).toContain('This link cannot be used');
    expect(page.cookie).toBe('');
    const api = await customer('POST', '/onboard/api/attempts', opened.cookie);
    expect(api.statusCode).toBe(410);
    expect(api.json().code).toBe('setup_token_invalid');
    const connectPage = await t.app.inject({ method: 'GET', url: '/onboard', headers: { accept: 'text/html', cookie: opened.cookie } });
    expect(connectPage.statusCode).toBe(410);
    expect(await auditOf(link.id)).toEqual(['onboarding_link.created', 'onboarding_link.opened', 'onboarding_link.revoked']);
  });
});

describe('onboarding links: the customer side', () => {
  let flow: { link: CreatedLink; recordId: string; attemptId: string; cookie: string };

  it('link → cookie → connect page → attempt → FINISH + code → connected; the link is then used', async () => {
    const link = await createLink({ label: 'Lucky Shrub onboarding', businessName: 'Lucky Shrub', email: 'owner@luckyshrub.example' });

    // 1. the link sets the cookie and redirects to /onboard (token out of the address)
    const { res: open, cookie } = await openLink(link.token);
    expect(open.statusCode).toBe(303);
    expect(open.headers.location).toBe('/onboard');
    expect(open.headers['cache-control']).toBe('no-store');
    const setCookie = ([] as string[]).concat(open.headers['set-cookie'] ?? []).find((c) => c.startsWith('crm_onboard='));
    expect(setCookie).toBeDefined();
    expect(setCookie).toMatch(/;\s*HttpOnly/i);
    expect(setCookie).toMatch(/;\s*Path=\/onboard(;|$)/);
    expect(setCookie).toMatch(/;\s*SameSite=Lax/i);
    expect(cookie).toBe(`crm_onboard=${link.token}`);

    // 2. the connect page: the business's name, a CSP that allows only what it needs, COOP for the popup
    const page = await t.app.inject({ method: 'GET', url: '/onboard', headers: { accept: 'text/html', cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('Connect Lucky Shrub to the WhatsApp Business Platform');
    expect(page.body).not.toContain(link.token);
    expect(page.headers['cross-origin-opener-policy']).toBe('same-origin-allow-popups');
    expect(page.headers['cache-control']).toBe('no-store');
    const cspHeader = page.headers['content-security-policy'];
    expect(typeof cspHeader).toBe('string');
    const csp = new Map(
      String(cspHeader)
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .filter((d) => d[0])
        .map(([k, ...v]) => [k!, v]),
    );
    // sandbox mode: no Meta origin at all; the script is served by the app itself
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(csp.get('frame-src')).toEqual(["'none'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('form-action')).toEqual(["'self'"]);
    expect(String(cspHeader)).not.toMatch(/unsafe-eval|\*|http:|https:/);
    expect(csp.get('script-src')).not.toContain("'unsafe-inline'");

    // 3. without the page's same-origin headers the API refuses; with them an attempt starts
    const csrf = await t.app.inject({ method: 'POST', url: '/onboard/api/attempts', headers: { cookie } });
    expect(csrf.statusCode).toBe(403);
    const noCookie = await customer('POST', '/onboard/api/attempts', '');
    expect(noCookie.statusCode).toBe(410);
    expect(noCookie.json().code).toBe('setup_token_invalid');

    const { attemptId, recordId, outcome } = await customerConnect(cookie, { businessId: LS.businessId, wabaId: LS.wabaId, phoneNumberId: LS.phoneNumberId });
    expect(outcome).toEqual({ recordId, state: 'connected', reason: null });

    // 4. the page polls the attempt
    const status = await customer('GET', `/onboard/api/attempts/${attemptId}`, cookie);
    expect(status.statusCode).toBe(200);
    expect(status.json()).toMatchObject({ recordId, state: 'connected', reason: null, wabaId: LS.wabaId, wabaName: 'Lucky Shrub', displayPhoneNumber: '+1 555-078-3881' });

    // 5. the link is used up
    const listed = await linkListed(link.id);
    expect(listed).toMatchObject({ status: 'used', recordId, usedAt: t.clock.now().toISOString() });
    expect(await linkListed(link.id, 'used')).toBeDefined();
    expect(await linkListed(link.id, 'active')).toBeUndefined();
    const another = await customer('POST', '/onboard/api/attempts', cookie);
    expect(another.statusCode).toBe(410);
    expect(another.json().code).toBe('setup_token_invalid');
    const reopen = await openLink(link.token);
    expect(reopen.res.statusCode).toBe(410);
    expect(reopen.res.body).toContain('This link cannot be used');
    const reopenApi = await t.app.inject({ method: 'GET', url: `/onboard/${link.token}`, headers: { accept: 'application/json' } });
    expect(reopenApi.statusCode).toBe(410);
    expect(reopenApi.json().code).toBe('setup_token_invalid');
    // ...but the page can still read its result
    expect((await customer('GET', `/onboard/api/attempts/${attemptId}`, cookie)).json().state).toBe('connected');

    // 6. staff see the record as made through the link
    const records = await staff('GET', '/api/v1/onboarding', 'viewer');
    const item = (records.json().items as { id: string }[]).find((i) => i.id === recordId);
    expect(item).toMatchObject({ via: 'link', link: { id: link.id, label: 'Lucky Shrub onboarding' }, startedBy: null, state: 'connected', wabaId: LS.wabaId });
    flow = { link, recordId, attemptId, cookie };
  });

  it('a customer cannot read or post to an attempt of another link (404)', async () => {
    const other = await createLink({ label: 'Other customer' });
    const { cookie: otherCookie } = await openLink(other.token);
    const mine = await createLink({ label: 'My customer' });
    const { cookie } = await openLink(mine.token);
    const started = await customer('POST', '/onboard/api/attempts', otherCookie);
    expect(started.statusCode).toBe(201);
    const { attemptId, recordId } = started.json();

    const read = await customer('GET', `/onboard/api/attempts/${attemptId}`, cookie);
    expect(read.statusCode).toBe(404);
    const session = await customer('POST', `/onboard/api/attempts/${attemptId}/session`, cookie, { event: 'CANCEL', data: { current_step: 'BUSINESS_ACCOUNT_SELECTION' } });
    expect(session.statusCode).toBe(404);
    const code = await customer('POST', `/onboard/api/attempts/${attemptId}/code`, cookie, { code: 'AQnot-a-real-code' });
    expect(code.statusCode).toBe(404);
    // a staff attempt is no customer's either, nor is the used link's attempt of the first flow
    expect((await customer('GET', `/onboard/api/attempts/${flow.attemptId}`, cookie)).statusCode).toBe(404);
    const staffAttempt = (await staff('POST', '/api/v1/onboarding/attempts')).json();
    expect((await customer('GET', `/onboard/api/attempts/${staffAttempt.attemptId}`, cookie)).statusCode).toBe(404);

    // nothing happened to the other customer's attempt
    expect((await customer('GET', `/onboard/api/attempts/${attemptId}`, otherCookie)).json()).toMatchObject({ recordId, state: 'started' });
  });

  it('a cancelled attempt leaves the link active, and the customer can retry and connect', async () => {
    const link = await createLink({ label: "Jasper's retry", businessName: "Jasper's Market" });
    const { cookie } = await openLink(link.token);
    const first = (await customer('POST', '/onboard/api/attempts', cookie)).json();
    const cancel = await customer('POST', `/onboard/api/attempts/${first.attemptId}/session`, cookie, { type: 'WA_EMBEDDED_SIGNUP', event: 'CANCEL', data: { current_step: 'PHONE_NUMBER_SETUP' } });
    expect(cancel.statusCode).toBe(200);
    expect(cancel.json()).toMatchObject({ recordId: first.recordId, state: 'abandoned' });
    expect((await customer('GET', `/onboard/api/attempts/${first.attemptId}`, cookie)).json()).toMatchObject({ state: 'abandoned', abandonedStep: 'PHONE_NUMBER_SETUP' });

    expect(await linkListed(link.id, 'active')).toMatchObject({ status: 'active', recordId: first.recordId, usedAt: null });
    const page = await t.app.inject({ method: 'GET', url: '/onboard', headers: { accept: 'text/html', cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Connect Jasper&#39;s Market to the WhatsApp Business Platform');

    const retry = await customerConnect(cookie, { businessId: JM.businessId, wabaId: JM.usWabaId, phoneNumberId: JM.usPhoneNumberIds[0] });
    expect(retry.outcome.state).toBe('connected');
    expect(retry.recordId).not.toBe(first.recordId);
    expect(await linkListed(link.id)).toMatchObject({ status: 'used', recordId: retry.recordId });
    expect(await auditOf(link.id)).toEqual(['onboarding_link.created', 'onboarding_link.opened', 'onboarding_link.completed']);
  });

  it('audits created, opened (once), completed and revoked; the prefill email is only in audit_personal_values', async () => {
    const id = flow.link.id;
    // opening twice audits once
    expect(await auditOf(id)).toEqual(['onboarding_link.created', 'onboarding_link.opened', 'onboarding_link.completed']);
    const created = await db().execute<{ id: number; actor_type: string; details: { prefill: string[] } }>(
      sql`SELECT id, actor_type, details FROM audit_events WHERE target_id = ${id} AND action = 'onboarding_link.created'`,
    );
    expect(created.rows[0]!.actor_type).toBe('user');
    expect(created.rows[0]!.details.prefill.sort()).toEqual(['businessName', 'email']);
    const completed = await db().execute<{ details: { recordId: string }; actor_type: string }>(
      sql`SELECT details, actor_type FROM audit_events WHERE target_id = ${id} AND action = 'onboarding_link.completed'`,
    );
    expect(completed.rows[0]).toMatchObject({ actor_type: 'customer', details: { recordId: flow.recordId } });

    const details = await db().execute<{ d: string }>(sql`SELECT details::text AS d FROM audit_events`);
    expect(details.rows.map((r) => r.d).join('\n')).not.toContain('owner@luckyshrub.example');
    const everyEvent = await db().execute<{ row: string }>(sql`SELECT t::text AS row FROM audit_events t`);
    expect(everyEvent.rows.map((r) => r.row).join('\n')).not.toContain('owner@luckyshrub.example');
    const personal = await db().execute<{ field: string; value: string; subject_id: string }>(
      sql`SELECT field, value, subject_id FROM audit_personal_values WHERE event_id = ${created.rows[0]!.id} ORDER BY field`,
    );
    expect(personal.rows).toEqual([
      { field: 'businessName', value: 'Lucky Shrub', subject_id: id },
      { field: 'email', value: 'owner@luckyshrub.example', subject_id: id },
    ]);

    const revoked = await db().execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM audit_events WHERE action = 'onboarding_link.revoked'`);
    expect(revoked.rows[0]!.n).toBeGreaterThanOrEqual(1);
  });

  it('an expired link answers 410 (page and API) and lists as expired', async () => {
    const link = await createLink({ label: 'Short-lived', expiresInDays: 1 });
    const { cookie } = await openLink(link.token);
    const page = await t.app.inject({ method: 'GET', url: '/onboard', headers: { accept: 'text/html', cookie } });
    expect(page.statusCode).toBe(200);

    t.clock.advance(DAY_MS + 1000);
    const reopened = await openLink(link.token);
    expect(reopened.res.statusCode).toBe(410);
    expect(reopened.res.body).toContain('This link cannot be used');
    expect((await t.app.inject({ method: 'GET', url: '/onboard', headers: { accept: 'text/html', cookie } })).statusCode).toBe(410);
    const api = await customer('POST', '/onboard/api/attempts', cookie);
    expect(api.statusCode).toBe(410);
    expect(api.json().code).toBe('setup_token_invalid');

    // staff sessions idled out while the clock moved: sign in again
    cookies.viewer = await signInCookie(t, emails.viewer);
    cookies.admin = await signInCookie(t, emails.admin);
    expect(await linkListed(link.id, 'expired')).toMatchObject({ status: 'expired' });
    expect(await linkListed(link.id, 'active')).toBeUndefined();
    const revoke = await staff('POST', `/api/v1/onboarding-links/${link.id}/revoke`);
    expect(revoke.statusCode).toBe(409);
  });
});
