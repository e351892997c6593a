/**
 * GET /api/v1/overview on seeded data with known answers: the onboarding funnel (and its staff /
 * link filter), abandoned steps, failure codes, accounts, phone numbers, expiring tokens, sign-in
 * days in the viewer's zone, webhook fields, states and lag, privacy requests by due date, the last
 * purge run; the same answers after the rollup job ran (and for rows after its mark); the panels
 * each role gets; validation errors naming the field; the records list's staff / link filter.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createUser, signInCookie, type TestApp } from '../../test-support/test-app.js';
import { useTestDatabase } from '../../test-support/test-db.js';
import { runRollups } from './rollup.service.js';

const tdb = useTestDatabase();
let t: TestApp;
type Role = 'owner' | 'admin' | 'operator' | 'viewer';
const cookies = {} as Record<Role, string>;
const db = () => tdb.current.database.db;
// Berlin is UTC+2 in May and June 2026: local days start at 22:00 UTC the day before.
const WEEK = 'period=custom&from=2026-05-25&to=2026-05-31&tz=Europe/Berlin';

async function seed(): Promise<void> {
  const d = db();
  const [{ id: linkId }] = (
    await d.execute<{ id: string }>(sql`
      INSERT INTO onboarding_links (token_hash, label, expires_at, prefill_purge_after)
      VALUES ('h1', 'Acme', '2026-07-01Z', '2026-07-01Z') RETURNING id`)
  ).rows as [{ id: string }];
  // 8 attempts in the week (5 staff, 3 through the link), 1 before it, 1 after it.
  // id suffix, link?, state, created, token verified?, connected?, abandoned step, error code, steps (step:status)
  const records: [string, boolean, string, string, boolean, boolean, string | null, number | null, string[]][] = [
    ['01', false, 'connected', '2026-05-25T08:00Z', true, true, null, null, ['exchange:succeeded', 'verify:succeeded', 'subscribe:succeeded', 'register:succeeded']],
    ['02', false, 'connected', '2026-05-26T08:00Z', true, true, null, null, ['exchange:succeeded', 'verify:succeeded', 'subscribe:succeeded', 'register:skipped']],
    ['03', false, 'abandoned', '2026-05-27T08:00Z', false, false, 'PHONE_NUMBER_VERIFICATION', null, []],
    ['04', false, 'abandoned', '2026-05-28T08:00Z', false, false, 'PHONE_NUMBER_VERIFICATION', null, []],
    ['05', false, 'failed', '2026-05-29T08:00Z', true, false, null, 100, ['exchange:succeeded', 'verify:succeeded', 'subscribe:failed']],
    ['06', true, 'failed', '2026-05-30T08:00Z', false, false, null, 190, ['exchange:failed']],
    ['07', true, 'abandoned', '2026-05-30T09:00Z', false, false, null, null, []],
    ['08', true, 'disconnected', '2026-05-31T21:30Z', true, true, null, null, ['exchange:succeeded', 'verify:succeeded', 'subscribe:succeeded', 'register:succeeded']],
    ['09', false, 'started', '2026-05-24T21:00Z', false, false, null, null, []],
    ['10', false, 'connected', '2026-05-31T22:00Z', true, true, null, null, []],
  ];
  for (const [n, viaLink, state, created, verified, connected, abandoned, code, steps] of records) {
    const id = `00000000-0000-4000-8000-0000000000${n}`;
    await d.execute(sql`
      INSERT INTO onboarding_records (id, state, attempt_id, link_id, created_at, updated_at, token_verified_at, connected_at, abandoned_step, error_code, waba_id, token_expires_at)
      VALUES (${id}, ${state}, ${'a' + n}, ${viaLink ? linkId : null}, ${created}::timestamptz, ${created}::timestamptz,
        ${verified ? created : null}::timestamptz, ${connected ? created : null}::timestamptz, ${abandoned}, ${code}, ${'waba' + n},
        ${n === '01' ? '2026-06-10T00:00Z' : n === '02' ? '2026-05-31T00:00Z' : n === '10' ? '2026-09-01T00:00Z' : null}::timestamptz)`);
    for (const s of steps) {
      const [step, status] = s.split(':');
      await d.execute(sql`INSERT INTO onboarding_steps (record_id, step, status, attempt) VALUES (${id}, ${step}::onboarding_step_name, ${status}::onboarding_step_status, 1)`);
    }
  }
  // phone numbers: of connected records 01, 02, 10 (and one of the disconnected 08, not counted)
  for (const [n, phone, quality, name] of [
    ['01', 'p1', 'GREEN', 'APPROVED'],
    ['01', 'p2', 'YELLOW', 'PENDING_REVIEW'],
    ['02', 'p3', 'GREEN', 'APPROVED'],
    ['10', 'p4', null, 'DECLINED'],
    ['08', 'p5', 'RED', 'APPROVED'],
  ] as const) {
    await d.execute(sql`INSERT INTO onboarding_phone_numbers (record_id, phone_number_id, quality_rating, name_status, looked_up_at)
      VALUES (${`00000000-0000-4000-8000-0000000000${n}`}, ${phone}, ${quality}, ${name}, now())`);
  }
  // sign-ins: Berlin days 05-25 .. 05-31. 05-30T22:30Z is 05-31 in Berlin.
  const u = await createUser(tdb.current.database, 'viewer', { email: 'seeded@example.test' });
  const attempts: [string, 'success' | 'failure', string | null, string | null, string][] = [
    ['2026-05-25T10:00Z', 'success', null, u.id, 'UA-1'],
    ['2026-05-25T11:00Z', 'success', null, u.id, 'UA-1'],
    ['2026-05-26T10:00Z', 'success', null, u.id, 'UA-2'],
    ['2026-05-26T10:05Z', 'failure', 'bad_password', u.id, 'UA-2'],
    ['2026-05-26T10:06Z', 'failure', 'bad_password', u.id, 'UA-2'],
    ['2026-05-30T22:30Z', 'failure', 'unknown_user', null, 'UA-9'],
    ['2026-05-30T22:31Z', 'failure', 'locked', u.id, 'UA-9'],
    ['2026-05-24T21:59Z', 'failure', 'bad_password', u.id, 'UA-1'],
  ];
  for (const [at, result, reason, userId, ua] of attempts) {
    await d.execute(sql`INSERT INTO login_activity (at, user_id, result, reason, user_agent) VALUES (${at}::timestamptz, ${userId}, ${result}, ${reason}, ${ua})`);
  }
  await d.execute(sql`UPDATE users SET locked_until = '2026-06-01T09:10Z' WHERE id = ${u.id}`);
  // webhook events
  const events: [string, string, string, number | null][] = [
    ['2026-05-27T10:10Z', 'messages', 'processed', 0],
    ['2026-05-27T10:20Z', 'messages', 'processed', 0],
    ['2026-05-27T10:30Z', 'account_update', 'processed', 3000],
    ['2026-05-27T11:00Z', 'account_update', 'failed', null],
    ['2026-05-28T11:00Z', 'phone_number_quality_update', 'processed', 1000],
    ['2026-05-28T12:00Z', 'unknown_field', 'unhandled', null],
    ['2026-05-20T12:00Z', 'messages', 'processed', 0],
  ];
  let k = 0;
  for (const [at, field, state, lagMs] of events) {
    await d.execute(sql`INSERT INTO webhook_events (received_at, field, dedupe_key, state, processed_at, size_bytes)
      VALUES (${at}::timestamptz, ${field}, ${'k' + k++}, ${state}::webhook_event_state,
        ${lagMs === null ? null : new Date(Date.parse(at) + lagMs).toISOString()}::timestamptz, 100)`);
  }
  // privacy requests (now is 2026-06-01T09:00Z)
  const reqs: [string, string][] = [
    ['received', '2026-05-31T00:00Z'],
    ['in_progress', '2026-06-03T00:00Z'],
    ['in_progress', '2026-06-20T00:00Z'],
    ['verifying', '2026-05-01T00:00Z'],
    ['completed', '2026-05-01T00:00Z'],
  ];
  let c = 0;
  for (const [state, due] of reqs) {
    await d.execute(sql`INSERT INTO privacy_requests (kind, source, state, confirmation_code, received_at, due_at, updated_at)
      VALUES ('deletion', 'admin', ${state}::privacy_request_state, ${'CODE' + String(c++).padStart(16, '0')}, '2026-05-01Z', ${due}::timestamptz, '2026-05-01Z')`);
  }
  await d.execute(sql`INSERT INTO purge_runs (started_at, finished_at, dry_run, trigger, counts) VALUES
    ('2026-05-30T03:00Z', '2026-05-30T03:01Z', false, 'schedule', '{"sessions": 4, "login_activity": 6}'),
    ('2026-05-31T03:00Z', null, true, 'manual', '{}')`);
}

beforeAll(async () => {
  t = await buildTestApp(tdb.current.database);
  for (const role of ['owner', 'admin', 'operator', 'viewer'] as const) {
    const u = await createUser(tdb.current.database, role);
    cookies[role] = await signInCookie(t, u.email);
  }
  await seed();
});
afterAll(async () => {
  await t?.app.close();
});

const get = (qs: string, role: Role = 'owner') => t.app.inject({ method: 'GET', url: `/api/v1/overview?${qs}`, headers: { cookie: cookies[role] } });

async function weekAnswer(qs = WEEK) {
  const res = await get(qs);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

function expectWeek(body: any): void {
  expect(body.period).toMatchObject({ from: '2026-05-24T22:00:00.000Z', to: '2026-05-31T22:00:00.000Z', fromDay: '2026-05-25', toDay: '2026-05-31', tz: 'Europe/Berlin' });
  const funnel = Object.fromEntries(body.onboarding.funnel.map((s: any) => [s.step, s.count]));
  expect(funnel).toEqual({ started: 8, codeReceived: 5, tokenVerified: 4, subscribed: 3, registered: 3, connected: 3 });
  expect(body.onboarding.abandoned).toEqual([{ step: 'PHONE_NUMBER_VERIFICATION', count: 2 }, { step: null, count: 1 }]);
  expect(body.onboarding.failures).toEqual([{ code: 100, count: 1 }, { code: 190, count: 1 }]);
  // sign-ins by Berlin day
  expect(body.signIns.bucket).toBe('day');
  const days = Object.fromEntries(body.signIns.series.map((s: any) => [s.bucket, s.counts]));
  expect(Object.keys(days)).toEqual(['2026-05-25', '2026-05-26', '2026-05-27', '2026-05-28', '2026-05-29', '2026-05-30', '2026-05-31']);
  expect(days['2026-05-25']).toEqual({ success: 2, new_device: 1 });
  expect(days['2026-05-26']).toEqual({ success: 1, new_device: 1, bad_password: 2 });
  expect(days['2026-05-27']).toEqual({});
  expect(days['2026-05-31']).toEqual({ unknown_user: 1, locked: 1 });
  expect(body.signIns.totals).toEqual({ success: 3, new_device: 2, bad_password: 2, unknown_user: 1, locked: 1 });
  expect(body.signIns.lockedAccounts).toBe(1);
  // webhooks by day (a 7-day period is charted per hour)
  expect(body.webhooks.bucket).toBe('hour');
  expect(body.webhooks.series).toHaveLength(7 * 24);
  const hours = Object.fromEntries(body.webhooks.series.map((s: any) => [s.bucket, s]));
  expect(hours['2026-05-27T12:00']).toEqual({ bucket: '2026-05-27T12:00', counts: { messages: 2, account_update: 1 }, lagMsAvg: 1000 });
  expect(hours['2026-05-27T13:00']).toEqual({ bucket: '2026-05-27T13:00', counts: { account_update: 1 }, lagMsAvg: null });
  expect(body.webhooks.byField).toEqual({ messages: 2, account_update: 2, phone_number_quality_update: 1, unknown_field: 1 });
  expect(body.webhooks.byState).toEqual({ processed: 4, failed: 1, unhandled: 1 });
  expect(body.webhooks.lag).toEqual({ avgMs: 1000, maxMs: 3000 });
}

describe('GET /api/v1/overview', () => {
  it('answers the seeded week exactly, live', async () => {
    expectWeek(await weekAnswer());
  });

  it('filters the funnel by staff connect or customer link', async () => {
    const staff = await weekAnswer(`${WEEK}&source=staff`);
    expect(staff.onboarding.funnel.map((s: any) => s.count)).toEqual([5, 3, 3, 2, 2, 2]);
    expect(staff.onboarding.failures).toEqual([{ code: 100, count: 1 }]);
    const link = await weekAnswer(`${WEEK}&source=link`);
    expect(link.onboarding.funnel.map((s: any) => s.count)).toEqual([3, 2, 1, 1, 1, 1]);
    expect(link.onboarding.abandoned).toEqual([{ step: null, count: 1 }]);
  });

  it('the records list the funnel links to filters by staff connect or customer link', async () => {
    const list = async (qs: string) => {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/onboarding?${qs}`, headers: { cookie: cookies.viewer } });
      expect(res.statusCode, res.body).toBe(200);
      return (res.json().items as { id: string; via: string }[]).map((i) => i.id.slice(-2)).sort();
    };
    expect(await list('via=link')).toEqual(['06', '07', '08']);
    expect(await list('via=staff')).toEqual(['01', '02', '03', '04', '05', '09', '10']);
    expect(await list('via=link&state=failed')).toEqual(['06']);
    const bad = await t.app.inject({ method: 'GET', url: '/api/v1/onboarding?via=everyone', headers: { cookie: cookies.viewer } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual([{ path: 'via', message: 'must be staff or link' }]);
  });

  it('counts current accounts, phone numbers of connected accounts, tokens and privacy requests', async () => {
    const body = await weekAnswer();
    expect(body.accounts.byState).toEqual([
      { state: 'started', count: 1 },
      { state: 'failed', count: 2 },
      { state: 'abandoned', count: 3 },
      { state: 'connected', count: 3 },
      { state: 'disconnected', count: 1 },
    ]);
    expect(body.accounts.quality).toEqual([{ value: 'GREEN', count: 2 }, { value: 'YELLOW', count: 1 }, { value: null, count: 1 }]);
    expect(body.accounts.nameStatus).toEqual([{ value: 'APPROVED', count: 2 }, { value: 'DECLINED', count: 1 }, { value: 'PENDING_REVIEW', count: 1 }]);
    expect(body.accounts.tokens).toEqual({ expiring: 1, expired: 1, windowDays: 30 });
    expect(body.privacy.byState).toEqual([
      { state: 'received', overdue: 1, dueSoon: 0, later: 0 },
      { state: 'verifying', overdue: 1, dueSoon: 0, later: 0 },
      { state: 'in_progress', overdue: 0, dueSoon: 1, later: 1 },
    ]);
    expect(body.privacy.lastPurge).toEqual({ startedAt: '2026-05-30T03:00:00.000Z', finishedAt: '2026-05-30T03:01:00.000Z', trigger: 'schedule', error: null, deleted: 10 });
  });

  it('gives the same answers from the hourly rollup, and counts rows after its mark live', async () => {
    const rows = await runRollups({ db: db(), clock: t.clock });
    expect(rows.webhook).toBeGreaterThan(0);
    expect(rows.sign_in).toBeGreaterThan(0);
    expectWeek(await weekAnswer());
    // the seeded rows are older than the 24 hours a run recounts: without them, the rollup alone must answer
    await db().execute(sql`DELETE FROM webhook_events`);
    await db().execute(sql`DELETE FROM login_activity WHERE at < '2026-06-01Z'`);
    expectWeek(await weekAnswer());
    // a second run recounts the last 24 hours without doubling or losing the older hours
    await runRollups({ db: db(), clock: t.clock });
    expectWeek(await weekAnswer());
    // rows after the mark (today, 2026-06-01 09:00Z) are read live and added to the rolled-up ones
    await db().execute(sql`INSERT INTO webhook_events (received_at, field, dedupe_key, state, size_bytes) VALUES ('2026-06-01T09:00:30Z', 'messages', 'late', 'pending', 1)`);
    const today = await weekAnswer('period=7&tz=UTC');
    expect(today.period).toMatchObject({ fromDay: '2026-05-26', toDay: '2026-06-01' });
    expect(today.webhooks.byField).toEqual({ messages: 3, account_update: 2, phone_number_quality_update: 1, unknown_field: 1 });
    expect(today.webhooks.byState).toEqual({ processed: 4, failed: 1, unhandled: 1, pending: 1 });
    await db().execute(sql`DELETE FROM webhook_events WHERE dedupe_key = 'late'`);
  });

  it('sends each role only the panels it may see', async () => {
    const panels = async (role: Role) => {
      const res = await get(WEEK, role);
      expect(res.statusCode).toBe(200);
      return ['onboarding', 'accounts', 'signIns', 'webhooks', 'privacy'].filter((p) => p in res.json());
    };
    expect(await panels('owner')).toEqual(['onboarding', 'accounts', 'signIns', 'webhooks', 'privacy']);
    expect(await panels('admin')).toEqual(['onboarding', 'accounts', 'signIns', 'webhooks', 'privacy']);
    expect(await panels('operator')).toEqual(['onboarding', 'accounts', 'webhooks']);
    expect(await panels('viewer')).toEqual(['onboarding', 'accounts']);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/overview' })).statusCode).toBe(401);
  });

  it('refuses a bad zone, period or date with a 400 naming the field', async () => {
    const field = async (qs: string) => {
      const res = await get(qs);
      expect(res.statusCode, qs).toBe(400);
      return (res.json().errors as { path: string }[]).map((e) => e.path);
    };
    expect(await field('tz=Mars/Olympus')).toEqual(['tz']);
    expect(await field('tz=%27%3B--')).toEqual(['tz']);
    expect(await field('period=14')).toEqual(['period']);
    expect(await field('period=custom&to=2026-05-01')).toEqual(['from']);
    expect(await field('period=custom&from=2026-05-02&to=2026-05-01')).toEqual(['to']);
    expect(await field('period=custom&from=2024-01-01&to=2026-05-01')).toEqual(['to']);
    expect(await field('period=custom&from=2026-02-31&to=2026-05-01')).toEqual(['from']);
    expect(await field('source=everyone')).toEqual(['source']);
    expect(await field('extra=1')).toHaveLength(1);
  });
});
