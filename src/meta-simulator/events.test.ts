/**
 * The simulator's outbound events against a tiny local HTTP receiver: the signature verifies over
 * the raw bytes received, the bytes carry Meta's escaping, non-200 answers are retried (at once,
 * then with backoff, bounded), and signed_request verifies as Meta's callbacks do.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { manualClock } from '../lib/clock.js';
import { EventBuildError, metaJson, SIM_PARTNER_BUSINESS_ID } from './event-builders.js';
import { EventSender, SimulatorEvents } from './events.js';
import { createMetaSimulator, SEED } from './index.js';

const SECRET = 'events-test-secret-0123456789';
const LS = SEED.luckyShrub;

interface Received {
  method: string;
  headers: IncomingMessage['headers'];
  raw: Buffer;
}

let server: Server | undefined;
const closers: (() => void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) c();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

/** A receiver answering each request with the next status of `statuses` (the last one repeats). */
async function receiver(statuses: number[] = [200]): Promise<{ url: string; got: Received[] }> {
  const got: Received[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ method: req.method ?? '', headers: req.headers, raw: Buffer.concat(chunks) });
      res.statusCode = statuses[Math.min(got.length - 1, statuses.length - 1)]!;
      res.end(res.statusCode === 200 ? '{"ok":true}' : 'no');
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/whatsapp`, got };
}

/** What the app's receiver does: HMAC over the exact bytes, constant-time compare. */
function verifies(raw: Buffer, header: string | string[] | undefined): boolean {
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const expected = Buffer.from(createHmac('sha256', SECRET).update(raw).digest('hex'));
  const given = Buffer.from(header.slice(7));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function events(retryDelaysMs: number[] = [0, 20, 40, 60]) {
  const clock = manualClock(new Date('2026-03-02T10:00:00Z'));
  const sim = createMetaSimulator({ appId: '100000000000001', appSecret: SECRET, now: clock.now });
  const ev = new SimulatorEvents(sim, { retryDelaysMs, timeoutMs: 2_000 });
  closers.push(() => ev.close());
  return { sim, ev, clock };
}

describe('simulator webhooks', () => {
  it('signs the exact bytes it sends, escaped as Meta escapes them', async () => {
    const r = await receiver();
    const { ev } = events();
    const d = await ev.webhook(r.url, { field: 'messages', event: 'text', wabaId: LS.wabaId, phoneNumberId: LS.phoneNumberId });
    expect(d.state).toBe('delivered');
    expect(r.got).toHaveLength(1);
    const { raw, headers } = r.got[0]!;
    expect(headers['content-type']).toBe('application/json');
    expect(verifies(raw, headers['x-hub-signature-256'])).toBe(true);
    const text = raw.toString('utf8');
    // ASCII only on the wire: ë -> \u00eb, 🌿 -> surrogate pair, / -> \/
    expect(/[^\x00-\x7f]/.test(text)).toBe(false);
    expect(text).toContain('Zo\\u00eb M\\u00fcller');
    expect(text).toContain('\\ud83c\\udf3f');
    expect(text).toContain('https:\\/\\/example.com\\/p\\/42');
    expect(text).not.toMatch(/\\u[0-9a-f]*[A-F]/);
    // the parsed body is Meta's envelope; re-serialising it would change the bytes and break the signature
    const body = JSON.parse(text);
    expect(body.object).toBe('whatsapp_business_account');
    expect(body.entry[0]).not.toHaveProperty('time');
    expect(body.entry[0].changes[0].value.contacts[0].profile.name).toBe('Zoë Müller');
    expect(body.entry[0].changes[0].value.metadata).toEqual({ display_phone_number: '15550783881', phone_number_id: LS.phoneNumberId });
    expect(verifies(Buffer.from(JSON.stringify(body)), headers['x-hub-signature-256'])).toBe(false);
    expect(d.body).toBe(text);
  });

  it('escapes like Meta: lower-case \\uXXXX for non-ASCII, \\/ for slashes, nothing else', () => {
    expect(metaJson({ a: 'Ä/é€😀', n: 1, s: 'plain "q"' })).toBe('{"a":"\\u00c4\\/\\u00e9\\u20ac\\ud83d\\ude00","n":1,"s":"plain \\"q\\""}');
    expect(JSON.parse(metaJson({ a: 'Ä/é€😀' }))).toEqual({ a: 'Ä/é€😀' });
  });

  it('retries a 500 at once, then succeeds, recording each attempt', async () => {
    const r = await receiver([500, 200]);
    const { ev } = events();
    const d = await ev.webhook(r.url, { field: 'account_review_update', event: 'APPROVED', wabaId: LS.wabaId });
    // resolved after the first attempt; the retry runs in the background
    expect(d.attempts[0]).toMatchObject({ n: 1, status: 500, error: null });
    const done = await d.done;
    expect(done.state).toBe('delivered');
    expect(done.attempts.map((a) => a.status)).toEqual([500, 200]);
    expect(r.got).toHaveLength(2);
    expect(r.got[1]!.raw.equals(r.got[0]!.raw)).toBe(true);
    for (const g of r.got) expect(verifies(g.raw, g.headers['x-hub-signature-256'])).toBe(true);
    expect(ev.sender.deliveries()[0]).toBe(d);
  });

  it('gives up after the bounded number of tries, and counts network errors as failures', async () => {
    const r = await receiver([503]);
    const { ev } = events([0, 10]);
    const d = await (await ev.webhook(r.url, { field: 'business_capability_update', wabaId: LS.wabaId })).done;
    expect(d.state).toBe('gave_up');
    expect(d.attempts.map((a) => a.status)).toEqual([503, 503, 503]);

    const refused = await new EventSender({ appSecret: SECRET, retryDelaysMs: [0] }).sendWebhook('http://127.0.0.1:1/x', '{}');
    expect((await refused.done).attempts.map((a) => [a.status, a.error !== null])).toEqual([[null, true], [null, true]]);
  });

  it('stops retrying on close', async () => {
    const r = await receiver([500]);
    const { ev } = events([60_000]);
    const d = await ev.webhook(r.url, { field: 'account_update', event: 'ACCOUNT_DELETED', wabaId: LS.wabaId });
    ev.close();
    expect((await d.done).state).toBe('cancelled');
    expect(d.attempts).toHaveLength(1);
  });

  it('batches many changes in one entry, or one entry per change', () => {
    const { ev } = events();
    const one = ev.build({ field: 'messages', event: 'delivered', wabaId: LS.wabaId, count: 3 });
    expect(one.entry).toHaveLength(1);
    expect(one.entry[0]!.changes).toHaveLength(3);
    const ids = one.entry[0]!.changes.map((c) => (c.value.statuses as { id: string }[])[0]!.id);
    expect(new Set(ids).size).toBe(3);
    const many = ev.build({ field: 'messages', event: 'failed', wabaId: LS.wabaId, count: 2, layout: 'entries' });
    expect(many.entry).toHaveLength(2);
    expect((many.entry[0]!.changes[0]!.value.statuses as { errors: { code: number }[] }[])[0]!.errors[0]!.code).toBe(131026);
    expect(() => ev.build({ field: 'messages', event: 'bogus', wabaId: LS.wabaId })).toThrow(EventBuildError);
    expect(() => ev.build({ field: 'account_update', wabaId: '999999999' })).toThrow(/wabaId/);
  });

  it('builds account_update events as Meta shapes them', () => {
    const { ev, clock } = events();
    const added = ev.build({ field: 'account_update', event: 'PARTNER_ADDED', wabaId: LS.wabaId }).entry[0]!;
    expect(added.id).toBe(SIM_PARTNER_BUSINESS_ID);
    expect(added.time).toBe(Math.floor(clock.now().getTime() / 1000));
    expect(added.changes[0]).toEqual({ field: 'account_update', value: { event: 'PARTNER_ADDED', waba_info: { waba_id: LS.wabaId, owner_business_id: LS.businessId } } });
    const disabled = ev.build({ field: 'account_update', event: 'DISABLED_UPDATE', wabaId: LS.wabaId }).entry[0]!;
    expect(disabled.id).toBe(LS.wabaId);
    expect(disabled.changes[0]!.value).toEqual({ event: 'DISABLED_UPDATE', ban_info: { waba_ban_state: 'DISABLE', waba_ban_date: 'March 2, 2026' } });
    expect(ev.build({ field: 'account_update', event: 'ACCOUNT_VIOLATION', wabaId: LS.wabaId }).entry[0]!.changes[0]!.value).toEqual({
      event: 'ACCOUNT_VIOLATION',
      violation_info: { violation_type: 'SCAM' },
    });
    const uninstalled = ev.build({ field: 'account_update', event: 'PARTNER_APP_UNINSTALLED', wabaId: LS.wabaId }).entry[0]!.changes[0]!.value;
    expect(uninstalled).toMatchObject({ event: 'PARTNER_APP_UNINSTALLED', waba_info: { waba_id: LS.wabaId, partner_app_id: '100000000000001' } });
  });

  it('a quality drop names the display number and later lookups show RED; a removed app revokes its tokens', async () => {
    const r = await receiver();
    const { ev, sim } = events();
    await ev.webhook(r.url, { field: 'phone_number_quality_update', event: 'FLAGGED', wabaId: LS.wabaId, phoneNumberId: LS.phoneNumberId });
    const value = JSON.parse(r.got[0]!.raw.toString()).entry[0].changes[0].value;
    expect(value).toMatchObject({ display_phone_number: '15550783881', event: 'FLAGGED' });
    expect(sim.world.phoneNumbers.get(LS.phoneNumberId)!.qualityRating).toBe('RED');

    const token = sim.exchangeCode({ clientId: '100000000000001', clientSecret: SECRET, code: sim.mintCode({ businessId: LS.businessId, wabaId: LS.wabaId }).code });
    await ev.webhook(r.url, { field: 'account_update', event: 'PARTNER_APP_UNINSTALLED', wabaId: LS.wabaId });
    expect(sim.tokenProblem(token)?.spec.code).toBe(190);
  });
});

describe('simulator app callbacks', () => {
  it('posts a form-encoded signed_request that verifies with the app secret', async () => {
    const r = await receiver();
    const { ev, clock } = events();
    for (const kind of ['deauthorize', 'data_deletion'] as const) {
      const d = await ev.callback(r.url, kind, '10222270944537964');
      expect(d.state).toBe('delivered');
      expect(d.lastResponse).toBe('{"ok":true}');
    }
    expect(r.got).toHaveLength(2);
    for (const [i, g] of r.got.entries()) {
      expect(g.headers['content-type']).toBe('application/x-www-form-urlencoded');
      const sr = new URLSearchParams(g.raw.toString()).get('signed_request')!;
      expect(sr).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      const [sig, payload] = sr.split('.') as [string, string];
      expect(createHmac('sha256', SECRET).update(payload).digest('base64url')).toBe(sig);
      expect(createHmac('sha256', 'another-secret').update(payload).digest('base64url')).not.toBe(sig);
      const p = JSON.parse(Buffer.from(payload, 'base64url').toString());
      expect(p).toMatchObject({ algorithm: 'HMAC-SHA256', issued_at: Math.floor(clock.now().getTime() / 1000), user_id: '10222270944537964' });
      if (i === 1) expect(p.expires).toBeGreaterThan(p.issued_at);
      else expect(p).not.toHaveProperty('expires');
    }
  });
});
