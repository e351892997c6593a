/**
 * The public privacy pages over app.inject on a real database: the pages, the deletion form
 * (validation naming the field, the same answer for known and unknown emails, rate limits per IP
 * and per email, the mail in the outbox, cross-site posts refused) and the mailed link (a GET
 * changes nothing, a POST verifies once, a second use and an expired link are refused, the token
 * never reaches the log). A separate app checks PRIVACY_POLICY_FILE and CONTACT_EMAIL.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { desc, eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../config.js';
import { auditEvents, auditPersonalValues, outboxMails, privacyRequests } from '../../../db/schema.js';
import { hashToken } from '../../../lib/tokens.js';
import { buildTestApp, createUser, TEST_ORIGIN, type TestApp } from '../../../test-support/test-app.js';
import { useTestDatabase } from '../../../test-support/test-db.js';
import { dueDateOf } from '../request-states.js';
import { FORM_EMAIL_LIMIT, FORM_IP_LIMIT } from './privacy-public.routes.js';

const tdb = useTestDatabase();
/** What a browser sends with a navigation or a form post. */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
let t: TestApp;
const db = () => tdb.current.database.db;

beforeAll(async () => {
  t = await buildTestApp(tdb.current.database);
});
afterAll(async () => {
  await t.app.close();
});

let ipSeq = 0;
/** A fresh client address per use, so the per-IP limit of one test does not leak into another. */
const freshIp = () => `10.1.${Math.floor(++ipSeq / 250)}.${(ipSeq % 250) + 1}`;

interface FormSession {
  ip: string;
  cookie: string;
  formToken: string;
}

/** Loads a form page like a browser: its cookie and hidden form_token. */
async function loadForm(url = '/data-deletion', ip = freshIp()): Promise<FormSession & { res: LightMyRequestResponse }> {
  const res = await t.app.inject({ method: 'GET', url, remoteAddress: ip, headers: { accept: BROWSER_ACCEPT } });
  const cookie = (res.cookies as { name: string; value: string }[]).find((c) => c.name === 'crm_privacy_form');
  const formToken = /name="form_token" value="([^"]+)"/.exec(res.body)?.[1];
  return { res, ip, cookie: cookie ? `crm_privacy_form=${cookie.value}` : '', formToken: formToken ?? '' };
}

const encode = (fields: [string, string][]) => fields.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');

async function postForm(s: FormSession, fields: [string, string][], over: { origin?: string | null; referer?: string; url?: string; withToken?: boolean; accept?: string } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', cookie: s.cookie, accept: over.accept ?? BROWSER_ACCEPT };
  if (over.origin !== null) headers.origin = over.origin ?? TEST_ORIGIN;
  if (over.referer) headers.referer = over.referer;
  const body = over.withToken === false ? fields : [...fields, ['form_token', s.formToken] as [string, string]];
  return t.app.inject({ method: 'POST', url: over.url ?? '/data-deletion', remoteAddress: s.ip, headers, payload: encode(body) });
}

const request = (email: string, scope: string[] = ['account'], message = '') => [['email', email], ...scope.map((s) => ['scope', s]), ['message', message]] as [string, string][];

async function submit(email: string, scope?: string[], message?: string) {
  const s = await loadForm();
  return postForm(s, request(email, scope, message));
}

const requestsFor = (email: string) => db().select().from(privacyRequests).where(eq(privacyRequests.email, email)).orderBy(desc(privacyRequests.receivedAt));
const lastMailTo = async (to: string) => (await db().select().from(outboxMails).where(eq(outboxMails.to, to)).orderBy(desc(outboxMails.id)).limit(1))[0];
const tokenInMail = (text: string) => {
  const m = /\/data-deletion\/verify\?token=([A-Za-z0-9_-]+)/.exec(text);
  if (!m) throw new Error('no verification link in the mail');
  return m[1]!;
};

/** Submits a request and returns its verification token (from the outbox mail). */
async function openRequest(email: string): Promise<string> {
  const res = await submit(email);
  expect(res.statusCode).toBe(200);
  return tokenInMail((await lastMailTo(email))!.text);
}

function expectPage(res: LightMyRequestResponse, status: number) {
  expect(res.statusCode, res.body.slice(0, 500)).toBe(status);
  expect(res.headers['content-type']).toContain('text/html');
  expect(res.body).toMatch(/^<!doctype html>\n<html lang="en">/);
  expect(res.body).not.toMatch(/<script/i);
  expect(res.headers['content-security-policy']).toContain("script-src 'self'");
}

describe('GET /privacy and /data-deletion', () => {
  it('serves the default policy as HTML with its sections and who to contact', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/privacy', remoteAddress: freshIp(), headers: { accept: BROWSER_ACCEPT } });
    expectPage(res, 200);
    expect(res.body).toContain('<h1>Privacy policy</h1>');
    expect(res.body).toContain('<h2>Audit records</h2>');
    expect(res.body).toContain('<h2>Your rights and how to use them</h2>');
    expect(res.body).toContain('contact the administrator of this console');
    expect(res.body).toContain('href="/data-deletion"');
  });

  it('serves the deletion page: the three ways, a labelled form, an anti-forgery cookie and field', async () => {
    const { res, cookie, formToken } = await loadForm();
    expectPage(res, 200);
    expect(res.body).toContain('<h1>Delete your data</h1>');
    expect(res.body).toContain('My data');
    expect(res.body).toContain("Meta's business settings");
    expect(res.body).toContain('/data-deletion/status/');
    expect(res.body).toContain('<label for="email">Login email</label>');
    expect(res.body).toContain('<legend>What to delete</legend>');
    expect(res.body).toContain('<label for="message">Message (optional)</label>');
    expect(res.body).toContain('<form method="post" action="/data-deletion"');
    expect(cookie).toMatch(/^crm_privacy_form=[A-Za-z0-9_-]{43}$/);
    expect(formToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(formToken).not.toBe(cookie.split('=')[1]);
    expect(res.headers['referrer-policy']).toBe('same-origin');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(String(res.headers['set-cookie'])).toMatch(/HttpOnly/i);
    expect(String(res.headers['set-cookie'])).toMatch(/SameSite=Strict/i);
  });
});

describe('POST /data-deletion', () => {
  it('re-renders the form naming each invalid field, keeping (escaped) values, and stores nothing', async () => {
    const s = await loadForm();
    const before = (await db().select().from(privacyRequests)).length;

    const noEmail = await postForm(s, request('', ['account'], 'keep <b>this</b>'));
    expectPage(noEmail, 400);
    expect(noEmail.body).toContain('Login email: Enter the email address you sign in with.');
    expect(noEmail.body).toMatch(/id="email"[^>]*aria-invalid="true"/);
    expect(noEmail.body).toContain('keep &#60;b&#62;this&#60;/b&#62;</textarea>');
    expect(noEmail.body).toMatch(/id="scope-account"[^>]* checked/);

    const badEmail = await postForm(s, request('not-an-email"><x', ['account']));
    expectPage(badEmail, 400);
    expect(badEmail.body).toContain('Login email: Enter a valid email address');
    expect(badEmail.body).toContain('value="not-an-email&#34;&#62;&#60;x"');
    expect(badEmail.body).not.toContain('"><x');

    const noScope = await postForm(s, request('someone@example.test', []));
    expectPage(noScope, 400);
    expect(noScope.body).toContain('What to delete: Choose at least one thing to delete.');
    expect(noScope.body).not.toContain('Login email:');

    const unknownScope = await postForm(s, request('someone@example.test', ['everything']));
    expect(unknownScope.statusCode).toBe(400);
    expect(unknownScope.body).toContain('What to delete: Choose from the listed items.');

    const longMessage = await postForm(s, request('someone@example.test', ['account'], 'x'.repeat(2001)));
    expect(longMessage.statusCode).toBe(400);
    expect(longMessage.body).toContain('Message: Use at most 2000 characters.');

    expect((await db().select().from(privacyRequests)).length).toBe(before);
  });

  it('answers the same for an email with an account and one without, opening a verifying request and mailing a link for each', async () => {
    const user = await createUser(tdb.current.database, 'viewer', { email: 'known.person@example.test' });
    const known = await submit('  Known.Person@Example.test ', ['account', 'sign_in_history'], 'please delete');
    const unknown = await submit('nobody.here@example.test', ['account', 'sign_in_history'], 'please delete');
    expectPage(known, 200);
    expect(unknown.statusCode).toBe(known.statusCode);
    expect(unknown.body).toBe(known.body);
    expect(known.body).toContain('Check your email');

    const [k] = await requestsFor('known.person@example.test');
    const [u] = await requestsFor('nobody.here@example.test');
    for (const [row, subject] of [[k, user.id], [u, null]] as const) {
      expect(row).toMatchObject({
        kind: 'deletion',
        source: 'public_form',
        state: 'verifying',
        message: 'please delete',
        details: { scope: ['account', 'sign_in_history'] },
        subjectUserId: subject,
        verifiedAt: null,
        verifiedHow: null,
      });
      expect(row!.confirmationCode).toMatch(/^[A-Za-z0-9]{20}$/);
      expect(row!.receivedAt).toEqual(t.clock.now());
      expect(row!.dueAt).toEqual(dueDateOf(t.clock.now()));
      expect(row!.verifyExpiresAt!.getTime() - row!.receivedAt.getTime()).toBe(24 * 3600_000);
      const mail = await lastMailTo(row!.email!);
      expect(mail!.subject).toBe('Confirm your data deletion request');
      expect(mail!.text).toContain(`${TEST_ORIGIN}/data-deletion/verify?token=`);
      expect(row!.verifyTokenHash).toBe(hashToken(tokenInMail(mail!.text)));
      expect(mail!.text).not.toContain(row!.confirmationCode);

      const [event] = await db().select().from(auditEvents).where(eq(auditEvents.targetId, row!.id));
      expect(event).toMatchObject({ action: 'privacy.request_received', actorType: 'customer', actorId: null, targetType: 'privacy_request', details: { kind: 'deletion', source: 'public_form' } });
      expect(JSON.stringify(event)).not.toContain('@');
      expect(await db().select().from(auditPersonalValues).where(eq(auditPersonalValues.eventId, event!.id))).toEqual([
        expect.objectContaining({ field: 'email', kind: 'value', subjectType: subject ? 'user' : 'person', subjectId: subject ?? row!.id, value: row!.email }),
      ]);
    }
  });

  it('limits requests per email address (normalised), whatever the client address', async () => {
    const email = 'flooded@example.test';
    for (let i = 0; i < FORM_EMAIL_LIMIT.max; i++) expect((await submit(i % 2 ? email.toUpperCase() : ` ${email}`)).statusCode).toBe(200);
    const refused = await submit(email);
    expectPage(refused, 429);
    expect(refused.body).toContain('Too many requests');
    expect((await requestsFor(email)).length).toBe(FORM_EMAIL_LIMIT.max);
    // another address is not affected
    expect((await submit('not-flooded@example.test')).statusCode).toBe(200);
  });

  it('limits requests per client address', async () => {
    const s = await loadForm();
    for (let i = 0; i < FORM_IP_LIMIT.max; i++) expect((await postForm(s, request(`ip-limit-${i}@example.test`))).statusCode).toBe(200);
    const refused = await postForm(s, request('ip-limit-last@example.test'));
    expectPage(refused, 429);
    expect(await requestsFor('ip-limit-last@example.test')).toEqual([]);
    // another client still gets through
    expect((await submit('ip-limit-other@example.test')).statusCode).toBe(200);
  });

  it('refuses cross-site and forged posts: foreign or missing origin, missing cookie, missing or wrong form token', async () => {
    const s = await loadForm();
    const other = await loadForm();
    const email = 'forged@example.test';
    const cases: [string, Promise<LightMyRequestResponse>][] = [
      ['foreign origin', postForm(s, request(email), { origin: 'https://evil.test' })],
      ['null origin', postForm(s, request(email), { origin: 'null' })],
      ['no origin, no referer', postForm(s, request(email), { origin: null })],
      ['foreign referer', postForm(s, request(email), { origin: null, referer: 'https://evil.test/form' })],
      ['no cookie', postForm({ ...s, cookie: '' }, request(email))],
      ['no form token', postForm(s, request(email), { withToken: false })],
      ['another browser’s form token', postForm({ ...s, formToken: other.formToken }, request(email))],
    ];
    for (const [name, pending] of cases) {
      const res = await pending;
      expect(res.statusCode, name).toBe(403);
      expect(res.headers['content-type'], name).toContain('text/html');
    }
    expect(await requestsFor(email)).toEqual([]);
    expect(await lastMailTo(email)).toBeUndefined();
    // the same browser, from the site's own page (Referer only, as some browsers send), is accepted
    expect((await postForm(s, request(email), { origin: null, referer: `${TEST_ORIGIN}/data-deletion` })).statusCode).toBe(200);
  });

  it('answers clients that do not ask for HTML with the API problem shape, naming the field', async () => {
    const s = await loadForm();
    const invalid = await postForm(s, request('', ['account']), { accept: 'application/json' });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.headers['content-type']).toContain('application/problem+json');
    expect(invalid.json()).toMatchObject({ code: 'validation_failed', errors: [{ path: 'email', message: 'Enter the email address you sign in with.' }] });
    const forged = await postForm(s, request('x@example.test'), { accept: 'application/json', origin: 'https://evil.test' });
    expect(forged.statusCode).toBe(403);
    expect(forged.json()).toMatchObject({ code: 'csrf_failed' });
    const link = await t.app.inject({ method: 'GET', url: '/data-deletion/verify?token=nope' });
    expect(link.statusCode).toBe(410);
    expect(link.headers['content-type']).toContain('application/problem+json');
  });

  it('refuses a body that is not a form or is too large, as a page', async () => {
    const s = await loadForm();
    const json = await t.app.inject({ method: 'POST', url: '/data-deletion', remoteAddress: s.ip, headers: { 'content-type': 'application/json', origin: TEST_ORIGIN, cookie: s.cookie, accept: BROWSER_ACCEPT }, payload: '{"email":"a@example.test"}' });
    expect(json.statusCode).toBe(415);
    expect(json.headers['content-type']).toContain('text/html');
    const big = await postForm(s, request('big@example.test', ['account'], 'x'.repeat(20_000)));
    expect(big.statusCode).toBe(413);
    expect(big.headers['content-type']).toContain('text/html');
  });
});

describe('the mailed verification link', () => {
  it('GET shows a confirm button and changes nothing; POST verifies once; the status page follows; the token never reaches the log', async () => {
    const email = 'verify.me@example.test';
    const token = await openRequest(email);
    const [before] = await requestsFor(email);

    const statusBefore = await t.app.inject({ method: 'GET', url: `/data-deletion/status/${before!.confirmationCode}`, headers: { accept: BROWSER_ACCEPT } });
    expect(statusBefore.body).toContain('waiting for you to confirm the request from the email we sent');

    const page = await loadForm(`/data-deletion/verify?token=${token}`);
    expectPage(page.res, 200);
    expect(page.res.body).toContain('<button type="submit">Confirm my request</button>');
    expect(page.res.body).toContain('<form method="post" action="/data-deletion/verify">');
    await loadForm(`/data-deletion/verify?token=${token}`); // a mail scanner's second fetch
    const [afterGet] = await requestsFor(email);
    expect(afterGet).toEqual(before);
    expect(await db().select().from(auditEvents).where(eq(auditEvents.action, 'privacy.request_verified'))).toEqual([]);

    t.clock.advance(60_000);
    const confirmed = await postForm(page, [['token', token]], { url: '/data-deletion/verify' });
    expectPage(confirmed, 200);
    expect(confirmed.body).toContain('Request confirmed');
    expect(confirmed.body).toContain(`href="/data-deletion/status/${before!.confirmationCode}"`);

    const [after] = await requestsFor(email);
    expect(after).toMatchObject({ state: 'in_progress', verifiedAt: t.clock.now(), verifiedHow: 'email_link', verifyTokenHash: null, verifyExpiresAt: null, updatedAt: t.clock.now() });
    expect(await db().select().from(auditEvents).where(eq(auditEvents.action, 'privacy.request_verified'))).toEqual([
      expect.objectContaining({ actorType: 'customer', targetType: 'privacy_request', targetId: after!.id, details: { how: 'email_link', from: 'verifying' } }),
    ]);

    const status = await t.app.inject({ method: 'GET', url: `/data-deletion/status/${before!.confirmationCode}`, headers: { accept: BROWSER_ACCEPT } });
    expect(status.body).toContain('Your request is confirmed and we are working on it.');

    // single use: a second POST and a later GET are refused, without any detail of the request
    const again = await postForm(page, [['token', token]], { url: '/data-deletion/verify' });
    expectPage(again, 410);
    expect(again.body).toContain('This link cannot be used');
    expect(again.body).not.toContain(before!.confirmationCode);
    expect(again.body).not.toContain(email);
    expectPage((await loadForm(`/data-deletion/verify?token=${token}`)).res, 410);
    expect((await requestsFor(email))[0]).toEqual(after);

    const logs = t.logs.join('');
    expect(logs).toContain('/data-deletion/verify');
    expect(logs).not.toContain(token);
  });

  it('refuses an expired link (GET and POST) and leaves the request waiting', async () => {
    const email = 'too.late@example.test';
    const token = await openRequest(email);
    const page = await loadForm(`/data-deletion/verify?token=${token}`);
    expect(page.res.statusCode).toBe(200);
    t.clock.advance(24 * 3600_000 + 1000);
    expectPage((await loadForm(`/data-deletion/verify?token=${token}`)).res, 410);
    const late = await postForm(page, [['token', token]], { url: '/data-deletion/verify' });
    expectPage(late, 410);
    expect((await requestsFor(email))[0]).toMatchObject({ state: 'verifying', verifiedAt: null });
  });

  it('refuses unknown and malformed tokens, and a cross-site confirmation', async () => {
    const email = 'cross.site@example.test';
    const token = await openRequest(email);
    expect((await loadForm('/data-deletion/verify?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).res.statusCode).toBe(410);
    expect((await loadForm('/data-deletion/verify?token=%3Cscript%3E')).res.statusCode).toBe(410);
    expect((await loadForm('/data-deletion/verify')).res.statusCode).toBe(410);
    const page = await loadForm(`/data-deletion/verify?token=${token}`);
    const forged = await postForm(page, [['token', token]], { url: '/data-deletion/verify', origin: 'https://evil.test' });
    expect(forged.statusCode).toBe(403);
    const noCookie = await postForm({ ...page, cookie: '' }, [['token', token]], { url: '/data-deletion/verify' });
    expect(noCookie.statusCode).toBe(403);
    expect((await requestsFor(email))[0]).toMatchObject({ state: 'verifying' });
  });
});

describe('PRIVACY_POLICY_FILE and CONTACT_EMAIL', () => {
  it('serves the operator file, rendered safely, and shows the contact email on both pages', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'crm-policy-'));
    const file = path.join(dir, 'policy.md');
    writeFileSync(file, '# Our policy\n\nWe care. <script>alert(1)</script> [x](javascript:alert(1)) [site](https://example.test)\n');
    const other = await buildTestApp(tdb.current.database, { env: { PRIVACY_POLICY_FILE: file, CONTACT_EMAIL: 'dpo@example.test' } });
    try {
      const res = await other.app.inject({ method: 'GET', url: '/privacy', headers: { accept: BROWSER_ACCEPT } });
      expectPage(res, 200);
      expect(res.body).toContain('<h1>Our policy</h1>');
      expect(res.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(res.body).not.toMatch(/href="javascript/i);
      expect(res.body).not.toContain('Audit records');
      expect(res.body).toContain('<a href="mailto:dpo@example.test">dpo@example.test</a>');
      const form = await other.app.inject({ method: 'GET', url: '/data-deletion' });
      expect(form.body).toContain('<a href="mailto:dpo@example.test">dpo@example.test</a>');
    } finally {
      await other.app.close();
    }
  });

  it('stops start-up naming PRIVACY_POLICY_FILE when the file is missing', async () => {
    const err = await buildTestApp(tdb.current.database, { env: { PRIVACY_POLICY_FILE: '/nonexistent/policy.md' } }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe('PRIVACY_POLICY_FILE: cannot read /nonexistent/policy.md (ENOENT)');
  });
});
