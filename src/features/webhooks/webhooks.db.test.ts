/**
 * The webhook endpoint over HTTP: verification handshake, signature over the raw bytes, 413,
 * idempotency, out-of-order application, a 1,000-change batch, unknown fields, and the event log API
 * (list, reprocess) by role.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { onboardingRecords, webhookEvents } from '../../db/schema.js';
import { buildTestApp, createUser, sameOrigin, signInCookie, type TestApp } from '../../test-support/test-app.js';
import { useTestDatabase } from '../../test-support/test-db.js';
import { deliver, envelope, events, metaOf, processAll } from './test-fixtures/webhook-harness.js';
import { signatureOf } from './webhook-signature.js';

const tdb = useTestDatabase();
let t: TestApp;
const db = () => tdb.current.database.db;

beforeAll(async () => {
  t = await buildTestApp(tdb.current.database);
});
afterAll(async () => {
  await t.app.close();
});
beforeEach(async () => {
  await db().execute(sql`DELETE FROM webhook_events; DELETE FROM webhook_dedupe_keys; DELETE FROM phone_message_counters; DELETE FROM onboarding_records`);
});

const review = (wabaId: string, time: number, decision = 'APPROVED') => ({ id: wabaId, time, changes: [{ field: 'account_review_update', value: { decision } }] });

describe('GET /webhooks/whatsapp (verification)', () => {
  const get = (q: string) => t.app.inject({ method: 'GET', url: `/webhooks/whatsapp?${q}` });
  it('echoes the challenge for the configured token, as text/plain', async () => {
    const token = encodeURIComponent(metaOf(t).webhookVerifyToken!);
    const res = await get(`hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=${token}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toBe('1158201444');
  });
  it('refuses a wrong token, another mode, or nothing with a 403 problem', async () => {
    const token = encodeURIComponent(metaOf(t).webhookVerifyToken!);
    for (const q of ['hub.mode=subscribe&hub.challenge=1&hub.verify_token=wrong-token', `hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=${token}`, '', `hub.mode=subscribe&hub.verify_token=${token}`]) {
      const res = await get(q);
      expect(res.statusCode, q).toBe(403);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
  });
});

describe('POST /webhooks/whatsapp (signature)', () => {
  const body = envelope(review('111', 1743451903));
  it('stores a correctly signed delivery and answers 200', async () => {
    const res = await deliver(t, body);
    expect(res.statusCode).toBe(200);
    expect(await events(t)).toHaveLength(1);
  });
  it('refuses wrong secret, tampered body, missing header, uppercase hex, sha1 only: 401, nothing stored, counted, logged without the body', async () => {
    const raw = Buffer.from(JSON.stringify(body));
    const good = signatureOf(raw, metaOf(t).appSecret);
    // the counter as Prometheus scrapes it (the test client is a loopback peer)
    const rejected = async () => {
      const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
      return Number(/^webhook_deliveries_total\{result="rejected"\} (\d+)$/m.exec(text)?.[1] ?? 0);
    };
    const before = await rejected();
    const cases: [string, Buffer, string | null, Record<string, string>?][] = [
      ['wrong secret', raw, signatureOf(raw, 'not-the-app-secret')],
      ['tampered body', Buffer.from(raw.toString().replace('APPROVED', 'REJECTED')), good],
      ['missing header', raw, null],
      ['uppercase hex', raw, good.replace(/[a-f]/g, (c) => c.toUpperCase()).replace('SHA256', 'sha256')],
      ['sha1 only', raw, null, { 'x-hub-signature': 'sha1=0123456789abcdef0123456789abcdef01234567' }],
    ];
    for (const [label, bytes, sig, extra] of cases) {
      const headers: Record<string, string> = { 'content-type': 'application/json', ...extra };
      if (sig) headers['x-hub-signature-256'] = sig;
      const res = await t.app.inject({ method: 'POST', url: '/webhooks/whatsapp', headers, payload: bytes });
      expect(res.statusCode, label).toBe(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    expect(await events(t)).toHaveLength(0);
    expect((await rejected()) - before).toBe(cases.length);
    const warned = t.logs.filter((l) => l.includes('bad signature'));
    expect(warned.length).toBeGreaterThanOrEqual(1);
    expect(warned.length).toBeLessThan(cases.length); // rate-limited
    expect(warned.join('\n')).not.toContain('APPROVED');
  });
  it('verifies a body with \\u00e9 escapes and \\/ over the raw bytes', async () => {
    const raw = Buffer.from(`{"object":"whatsapp_business_account","entry":[{"id":"222","time":1743451903,"changes":[{"field":"account_update","value":{"event":"ACCOUNT_VIOLATION","violation_info":{"violation_type":"Caf\\u00e9 \\/ policy"}}}]}]}`);
    expect(raw.toString()).toContain('\\u00e9');
    const res = await deliver(t, raw);
    expect(res.statusCode).toBe(200);
    const [ev] = await events(t);
    expect(ev!.payload).toMatchObject({ violation_info: { violation_type: 'Café / policy' } });
  });
  it('answers 400 to bad JSON with a valid signature, and 413 beyond 3 MB', async () => {
    const bad = await deliver(t, '{"entry": [');
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    // above the API's 1 MB limit but within Meta's 3 MB: accepted
    const changes = Array.from({ length: 40 }, (_, i) => ({ field: 'something_big', value: { i, pad: 'y'.repeat(40_000) } }));
    expect((await deliver(t, envelope({ id: '1', time: 1743451903, changes }))).statusCode).toBe(200);
    await db().execute(sql`DELETE FROM webhook_events`);
    const big = Buffer.from(JSON.stringify({ object: 'x', entry: [], pad: 'x'.repeat(3 * 1024 * 1024) }));
    const tooLarge = await deliver(t, big);
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.headers['content-type']).toContain('application/problem+json');
    expect(await events(t)).toHaveLength(0);
  });
  it('reads the raw body whatever the content type', async () => {
    const res = await deliver(t, body, { contentType: 'text/plain' });
    expect(res.statusCode).toBe(200);
  });
});

async function record(wabaId: string, state: 'connected' | 'failed' = 'connected') {
  const [row] = await db().insert(onboardingRecords).values({ attemptId: randomUUID(), wabaId, state, connectedAt: new Date('2025-01-01T00:00:00Z') }).returning();
  return row!;
}

describe('ingest and processing', () => {
  it('is idempotent: the same body twice is one processed event and one duplicate; a change repeated in a later batch too', async () => {
    const body = envelope(review('333', 1743451903));
    expect((await deliver(t, body)).statusCode).toBe(200);
    expect((await deliver(t, body)).statusCode).toBe(200);
    await deliver(t, envelope(review('333', 1743451903), review('333', 1743452000, 'REJECTED')));
    await processAll(t);
    expect((await events(t)).map((e) => e.state)).toEqual(['processed', 'duplicate', 'duplicate', 'processed']);
    const keys = await db().execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM webhook_dedupe_keys`);
    expect(keys.rows[0]!.n).toBe(2);
  });

  it('applies by the payload’s own time: an older DISABLED_UPDATE after a newer one does not win', async () => {
    const rec = await record('444');
    const ban = (time: number, state: string) => envelope({ id: '444', time, changes: [{ field: 'account_update', value: { event: 'DISABLED_UPDATE', ban_info: { waba_ban_state: state, waba_ban_date: 'April 17, 2025' } } }] });
    await deliver(t, ban(1743452000, 'REINSTATE'));
    await processAll(t);
    await deliver(t, ban(1743451000, 'DISABLE'));
    await processAll(t);
    const [row] = await db().select().from(onboardingRecords).where(sql`id = ${rec.id}`);
    expect(row!.metaStatus).toMatchObject({ ban: { value: { state: 'REINSTATE' }, at: new Date(1743452000 * 1000).toISOString() } });
    const hist = await db().execute<{ topic: string }>(sql`SELECT topic FROM onboarding_record_history WHERE record_id = ${rec.id}`);
    expect(hist.rows.map((h) => h.topic)).toEqual(['ban']);
    expect((await events(t)).map((e) => e.state)).toEqual(['processed', 'processed']);
    // both in one batch, older delivered last: the newer still wins
    const rec2 = await record('445');
    const ban2 = (time: number, state: string) => ({ id: '445', time, changes: [{ field: 'account_update', value: { event: 'DISABLED_UPDATE', ban_info: { waba_ban_state: state } } }] });
    await deliver(t, envelope(ban2(1743452000, 'SCHEDULE_FOR_DISABLE')));
    await deliver(t, envelope(ban2(1743451000, 'REINSTATE')));
    await processAll(t);
    const [row2] = await db().select().from(onboardingRecords).where(sql`id = ${rec2.id}`);
    expect(row2!.metaStatus).toMatchObject({ ban: { value: { state: 'SCHEDULE_FOR_DISABLE' } } });
  });

  it('stores and processes a batch of 1,000 changes in one POST: messages counted on arrival, management by the job', async () => {
    const changes = Array.from({ length: 1000 }, (_, i) =>
      i % 10 === 9
        ? { field: 'account_review_update', value: { decision: i % 20 === 9 ? 'APPROVED' : 'REJECTED', review_id: `r${i}` } }
        : {
            field: 'messages',
            value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: '900000000000001' }, statuses: [{ id: `wamid.B${i}`, status: i % 2 ? 'delivered' : 'read', timestamp: String(1749416000 + i), recipient_id: '16505550000' }] },
          },
    );
    const res = await deliver(t, envelope({ id: '555', changes }));
    expect(res.statusCode).toBe(200);
    const before = await db().execute<{ state: string; n: number }>(sql`SELECT state, count(*)::int AS n FROM webhook_events GROUP BY state ORDER BY state`);
    expect(before.rows).toEqual([{ state: 'pending', n: 100 }, { state: 'processed', n: 900 }]);
    const s = await processAll(t);
    expect(s).toMatchObject({ claimed: 100, processed: 100, failed: 0 });
    const states = await db().execute<{ state: string; n: number }>(sql`SELECT state, count(*)::int AS n FROM webhook_events GROUP BY state`);
    expect(states.rows).toEqual([{ state: 'processed', n: 1000 }]);
    const counters = await db().execute<{ kind: string; count: number; last_event_at: Date }>(sql`SELECT kind, count, last_event_at FROM phone_message_counters WHERE phone_number_id = '900000000000001' ORDER BY kind`);
    expect(counters.rows.map((c) => [c.kind, c.count])).toEqual([['delivered', 400], ['read', 500]]);
    expect(new Date(counters.rows[0]!.last_event_at).toISOString()).toBe(new Date((1749416000 + 997) * 1000).toISOString());
  });

  it('does not disconnect a record on a removal notice older than its connection', async () => {
    const rec = await record('446');
    await deliver(t, envelope({ id: '446', time: 1700000000, changes: [{ field: 'account_update', value: { event: 'ACCOUNT_OFFBOARDED' } }] }));
    await processAll(t);
    const [row] = await db().select().from(onboardingRecords).where(sql`id = ${rec.id}`);
    expect(row!.state).toBe('connected');
    expect((await events(t))[0]).toMatchObject({ state: 'processed', record_id: rec.id });
  });

  it('leaves nothing behind after a crash between the 200 and processing: the minute sweep job takes pending events', async () => {
    await deliver(t, envelope(review('448', 1743451903)));
    expect((await events(t))[0]!.state).toBe('pending');
    const { sweepWebhooksJob } = await import('./jobs/process-webhooks.job.js');
    const { createLogger } = await import('../../logger.js');
    await sweepWebhooksJob.handler({}, { database: tdb.current.database, clock: t.clock, logger: createLogger('silent'), sessionIdleMs: 0, onboarding: undefined as never });
    expect((await events(t))[0]!.state).toBe('processed');
  });

  it('keeps an unknown field as unhandled metadata, without its value', async () => {
    await deliver(t, envelope({ id: '666', time: 1743451903, changes: [{ field: 'something_new', value: { hello: 'world' } }] }));
    await processAll(t);
    const [ev] = await events(t);
    expect(ev).toMatchObject({ field: 'something_new', state: 'unhandled', payload: null, reason: 'unknown field' });
  });

  it('does not fail an event whose WABA has no record', async () => {
    await deliver(t, envelope(review('777', 1743451903)));
    await processAll(t);
    const [ev] = await events(t);
    expect(ev).toMatchObject({ state: 'processed', summary: { decision: 'APPROVED', record: 'none' } });
  });
});

describe('event log API', () => {
  let admin: string;
  let operator: string;
  let viewer: string;
  beforeAll(async () => {
    admin = await signInCookie(t, (await createUser(tdb.current.database, 'admin')).email);
    operator = await signInCookie(t, (await createUser(tdb.current.database, 'operator')).email);
    viewer = await signInCookie(t, (await createUser(tdb.current.database, 'viewer')).email);
  });

  async function failedEvent(wabaId: string): Promise<number> {
    const [row] = await db()
      .insert(webhookEvents)
      .values({ receivedAt: t.clock.now(), field: 'account_review_update', wabaId, dedupeKey: randomUUID(), eventAt: new Date(1743451903000), state: 'failed', reason: 'Error: boom', attempts: 1, sizeBytes: 10, payload: { decision: 'APPROVED' } })
      .returning({ id: webhookEvents.id });
    return row!.id;
  }
  const reprocess = (id: number | string, cookie: string) => t.app.inject({ method: 'POST', url: `/api/v1/webhooks/events/${id}/reprocess`, headers: { ...sameOrigin, cookie } });

  it('reprocesses a failed event for an admin, not for an operator', async () => {
    const rec = await record('888');
    const id = await failedEvent('888');
    expect((await reprocess(id, operator)).statusCode).toBe(403);
    const res = await reprocess(id, admin);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ processed: true, event: { id, state: 'processed', attempts: 1, recordId: rec.id } });
    expect(res.body).not.toContain('payload');
    const [row] = await db().select().from(onboardingRecords).where(sql`id = ${rec.id}`);
    expect(row!.metaStatus).toMatchObject({ review: { value: { decision: 'APPROVED' } } });
    expect((await reprocess(id, admin)).statusCode).toBe(409);
    expect((await reprocess(999999, admin)).statusCode).toBe(404);
    expect((await reprocess('abc', admin)).statusCode).toBe(400);
  });

  it('lists newest first with filters and a keyset cursor, never the payload; viewers may not', async () => {
    for (let i = 0; i < 5; i++) {
      await deliver(t, envelope(review(String(1000 + (i % 2)), 1743451903 + i)));
      t.clock.advance(1000);
    }
    await deliver(t, envelope({ id: '1000', changes: [{ field: 'history', value: {} }] }));
    const list = (q: string, cookie = operator) => t.app.inject({ url: `/api/v1/webhooks/events?${q}`, headers: { cookie } });
    expect((await list('', viewer)).statusCode).toBe(403);
    const first = await list('limit=2&field=account_review_update');
    expect(first.statusCode).toBe(200);
    const p1 = first.json();
    expect(p1.items).toHaveLength(2);
    expect(p1.items[0].eventAt > p1.items[1].eventAt).toBe(true);
    expect(first.body).not.toContain('payload');
    const p2 = (await list(`limit=2&field=account_review_update&cursor=${p1.nextCursor}`)).json();
    const p3 = (await list(`limit=2&field=account_review_update&cursor=${p2.nextCursor}`)).json();
    expect([...p1.items, ...p2.items, ...p3.items].map((i: { id: number }) => i.id)).toHaveLength(5);
    expect(p3.nextCursor).toBeNull();
    expect((await list('wabaId=1001')).json().items).toHaveLength(2);
    expect((await list('state=unhandled')).json().items.map((i: { field: string }) => i.field)).toEqual(['history']);
    const from = new Date(t.clock.now().getTime() - 1500).toISOString();
    expect((await list(`from=${encodeURIComponent(from)}`)).json().items).toHaveLength(2);
    expect((await list('cursor=bad')).statusCode).toBe(400);
  });
});
