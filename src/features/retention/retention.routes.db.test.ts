/**
 * Retention settings, legal holds and purge runs over HTTP: owners only (admin, operator and viewer
 * refused), field-named validation errors, audit events, holds needing an existing subject, and
 * the preview / run / run list of the purge.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createUser, sameOrigin, signInCookie, type TestApp } from '../../test-support/test-app.js';
import { useTestDatabase } from '../../test-support/test-db.js';

const tdb = useTestDatabase();
let t: TestApp;
type Role = 'owner' | 'admin' | 'operator' | 'viewer';
const cookies = {} as Record<Role, string>;
const ids = {} as Record<Role, string>;
const emails = {} as Record<Role, string>;

beforeAll(async () => {
  t = await buildTestApp(tdb.current.database, { env: { WEBHOOK_RAW_RETENTION_HOURS: '48' } });
  for (const role of ['owner', 'admin', 'operator', 'viewer'] as const) {
    const u = await createUser(tdb.current.database, role);
    ids[role] = u.id;
    emails[role] = u.email;
    cookies[role] = await signInCookie(t, u.email);
  }
});
afterAll(async () => {
  await t?.app.close();
});

const call = (method: 'GET' | 'POST' | 'PUT', url: string, role: Role = 'owner', payload?: Record<string, unknown>) =>
  t.app.inject({ method, url, headers: { ...(method === 'GET' ? {} : sameOrigin), cookie: cookies[role] }, ...(payload ? { payload } : {}) });
const db = () => tdb.current.database.db;

describe('retention API', () => {
  it('refuses admin, operator and viewer on every settings, purge and legal hold route', async () => {
    const routes: [method: 'GET' | 'POST' | 'PUT', url: string, payload?: Record<string, unknown>][] = [
      ['GET', '/api/v1/retention/periods'],
      ['PUT', '/api/v1/retention/periods', { periods: { login_activity: 90 } }],
      ['GET', '/api/v1/retention/purge-runs'],
      ['GET', '/api/v1/retention/purge-preview'],
      ['POST', '/api/v1/retention/purge'],
      ['GET', '/api/v1/legal-holds'],
      ['POST', '/api/v1/legal-holds', { subjectType: 'user', subjectId: ids.viewer, reason: 'litigation' }],
      ['POST', `/api/v1/legal-holds/${ids.viewer}/lift`, { reason: 'done now' }],
    ];
    for (const role of ['admin', 'operator', 'viewer'] as const) {
      for (const [method, url, payload] of routes) {
        const res = await call(method, url, role, payload);
        expect(res.statusCode, `${role} ${method} ${url}`).toBe(403);
      }
    }
    expect(await db().execute(sql`SELECT 1 FROM legal_holds`)).toMatchObject({ rows: [] });
    expect(await db().execute(sql`SELECT 1 FROM retention_settings`)).toMatchObject({ rows: [] });
  });

  it('lists periods with value, default and unit; the env sets the raw webhook default; PUT validates and audits', async () => {
    const list = await call('GET', '/api/v1/retention/periods');
    expect(list.statusCode).toBe(200);
    const items = list.json().items as { kind: string; value: number; default: number; unit: string; min: number; max: number }[];
    expect(items.map((i) => i.kind)).toEqual([
      'login_activity',
      'link_prefill',
      'ended_sessions',
      'webhook_raw',
      'webhook_records',
      'outbox_mail',
      'request_personal_data',
      'audit_events',
      'disconnected_records',
      'notifications',
    ]);
    expect(items.find((i) => i.kind === 'login_activity')).toMatchObject({ value: 180, default: 180, unit: 'days' });
    expect(items.find((i) => i.kind === 'webhook_raw')).toMatchObject({ value: 48, default: 48, unit: 'hours', min: 1, max: 720 });
    expect(items.find((i) => i.kind === 'audit_events')).toMatchObject({ value: 730, unit: 'days' });

    const tooShort = await call('PUT', '/api/v1/retention/periods', 'owner', { periods: { login_activity: 5, outbox_mail: 1.5 } });
    expect(tooShort.statusCode).toBe(400);
    const paths = (tooShort.json().errors as { path: string; message: string }[]).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['periods.login_activity', 'periods.outbox_mail']));
    expect(tooShort.json().errors).toContainEqual({ path: 'periods.login_activity', message: 'must be at least 30 days' });
    const unknown = await call('PUT', '/api/v1/retention/periods', 'owner', { periods: { forever: 3 } });
    expect(unknown.statusCode).toBe(400);

    const ok = await call('PUT', '/api/v1/retention/periods', 'owner', { periods: { login_activity: 90, webhook_raw: 48, audit_events: 1000 } });
    expect(ok.statusCode).toBe(200);
    const after = ok.json().items as { kind: string; value: number; default: number; updatedBy: { id: string } | null }[];
    expect(after.find((i) => i.kind === 'login_activity')).toMatchObject({ value: 90, default: 180, updatedBy: { id: ids.owner } });
    // unchanged (48 is already the value): not saved, not audited
    expect(after.find((i) => i.kind === 'webhook_raw')).toMatchObject({ value: 48, updatedBy: null });
    const audit = await db().execute(sql`SELECT actor_id, details FROM audit_events WHERE action = 'retention.changed' ORDER BY id`);
    expect(audit.rows).toEqual([
      { actor_id: ids.owner, details: { kind: 'login_activity', from: 180, to: 90, unit: 'days' } },
      { actor_id: ids.owner, details: { kind: 'audit_events', from: 730, to: 1000, unit: 'days' } },
    ]);
  });

  it('places a hold on an existing user or record only, refuses a second active hold, lifts with a reason, audits both', async () => {
    const missing = await call('POST', '/api/v1/legal-holds', 'owner', { subjectType: 'user', subjectId: '00000000-0000-4000-8000-000000000000', reason: 'litigation' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors).toEqual([{ path: 'subjectId', message: 'no user has this id' }]);
    const noReason = await call('POST', '/api/v1/legal-holds', 'owner', { subjectType: 'user', subjectId: ids.viewer, reason: ' ' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().errors[0].path).toBe('reason');
    const badType = await call('POST', '/api/v1/legal-holds', 'owner', { subjectType: 'invoice', subjectId: ids.viewer, reason: 'litigation' });
    expect(badType.json().errors[0].path).toBe('subjectType');

    const placed = await call('POST', '/api/v1/legal-holds', 'owner', { subjectType: 'user', subjectId: ids.viewer, reason: 'litigation 17' });
    expect(placed.statusCode).toBe(201);
    expect(placed.json()).toMatchObject({ subjectType: 'user', subjectId: ids.viewer, subjectLabel: expect.stringContaining('viewer'), reason: 'litigation 17', placedBy: ids.owner, liftedAt: null });
    const twice = await call('POST', '/api/v1/legal-holds', 'owner', { subjectType: 'user', subjectId: ids.viewer, reason: 'again' });
    expect(twice.statusCode).toBe(409);

    const rec = (await db().execute<{ id: string }>(sql`INSERT INTO onboarding_records (attempt_id, business_name) VALUES ('a-hold', 'Held Co') RETURNING id`)).rows[0]!;
    t.clock.advance(60_000); // newest first: the second hold is placed a minute later
    const recHold = await call('POST', '/api/v1/legal-holds', 'owner', { subjectType: 'onboarding', subjectId: rec.id, reason: 'regulator' });
    expect(recHold.json()).toMatchObject({ subjectType: 'onboarding', subjectLabel: 'Held Co' });
    const noRecord = await call('POST', '/api/v1/legal-holds', 'owner', { subjectType: 'onboarding', subjectId: ids.viewer, reason: 'regulator' });
    expect(noRecord.json().errors).toEqual([{ path: 'subjectId', message: 'no onboarding record has this id' }]);

    const active = await call('GET', '/api/v1/legal-holds');
    expect((active.json().items as { id: string }[]).map((h) => h.id)).toEqual([recHold.json().id, placed.json().id]);

    const lift = await call('POST', `/api/v1/legal-holds/${placed.json().id}/lift`, 'owner', { reason: 'case closed' });
    expect(lift.statusCode).toBe(200);
    expect(lift.json()).toMatchObject({ liftedBy: ids.owner, liftReason: 'case closed', liftedAt: expect.any(String) });
    expect((await call('POST', `/api/v1/legal-holds/${placed.json().id}/lift`, 'owner', { reason: 'case closed' })).statusCode).toBe(409);
    expect((await call('POST', `/api/v1/legal-holds/00000000-0000-4000-8000-000000000000/lift`, 'owner', { reason: 'case closed' })).statusCode).toBe(404);
    expect((await call('GET', '/api/v1/legal-holds')).json().items).toHaveLength(1);
    const all = await call('GET', '/api/v1/legal-holds?status=all&limit=1');
    expect(all.json().items).toHaveLength(1);
    const next = await call('GET', `/api/v1/legal-holds?status=all&limit=1&cursor=${all.json().nextCursor}`);
    expect(next.json().items[0].id).toBe(placed.json().id);

    const audit = await db().execute(sql`SELECT action, target_type, target_id, details FROM audit_events WHERE action LIKE 'legal_hold.%' ORDER BY id`);
    expect(audit.rows).toEqual([
      { action: 'legal_hold.placed', target_type: 'user', target_id: ids.viewer, details: { holdId: placed.json().id, subjectType: 'user' } },
      { action: 'legal_hold.placed', target_type: 'onboarding', target_id: rec.id, details: { holdId: recHold.json().id, subjectType: 'onboarding' } },
      { action: 'legal_hold.lifted', target_type: 'user', target_id: ids.viewer, details: { holdId: placed.json().id, subjectType: 'user' } },
    ]);
    // the reason is personal-ish free text: it stays in legal_holds, not in the audit trail
    expect(JSON.stringify(audit.rows)).not.toContain('litigation');
  });

  it('previews the next purge without changing anything, runs it on demand, and lists runs', async () => {
    await db().execute(sql`INSERT INTO outbox_mails (created_at, "to", subject, text) VALUES (${new Date(t.clock.now().getTime() - 31 * 86_400_000)}, 'x@example.test', 's', 't')`);
    const preview = await call('GET', '/api/v1/retention/purge-preview');
    expect(preview.statusCode).toBe(200);
    expect(preview.json()).toMatchObject({ runId: null, dryRun: true, counts: { outbox_mail: 1 } });
    expect((await call('GET', '/api/v1/retention/purge-runs')).json()).toEqual({ items: [], nextCursor: null });

    const run = await call('POST', '/api/v1/retention/purge');
    expect(run.statusCode).toBe(200);
    expect(run.json()).toMatchObject({ dryRun: false, counts: { outbox_mail: 1 }, runId: expect.any(Number) });
    const runs = (await call('GET', '/api/v1/retention/purge-runs')).json();
    expect(runs.items).toEqual([expect.objectContaining({ id: run.json().runId, trigger: 'manual', dryRun: false, counts: run.json().counts, error: null })]);
    const audit = await db().execute(sql`SELECT actor_type, actor_id FROM audit_events WHERE action = 'retention.purged'`);
    expect(audit.rows).toEqual([{ actor_type: 'user', actor_id: ids.owner }]);
    expect((await call('GET', '/api/v1/retention/purge-runs?cursor=nonsense')).statusCode).toBe(400);
  });

  it('keeps ended sessions for the purge but never lists them as live', async () => {
    const u = await createUser(tdb.current.database, 'viewer');
    await signInCookie(t, u.email); // this session will idle out
    t.clock.advance(31 * 60_000);
    const live = await signInCookie(t, u.email);
    expect((await db().execute(sql`SELECT count(*)::int AS n FROM sessions WHERE user_id = ${u.id}`)).rows).toEqual([{ n: 2 }]);
    const mine = await t.app.inject({ method: 'GET', url: '/api/v1/me/sessions', headers: { cookie: live } });
    expect(mine.statusCode).toBe(200);
    const body = mine.json() as { items?: unknown[] } | unknown[];
    expect(Array.isArray(body) ? body : body.items).toHaveLength(1);
    cookies.owner = await signInCookie(t, emails.owner); // the owner's own session idled out meanwhile
    const theirs = await call('GET', `/api/v1/users/${u.id}/sessions`, 'owner');
    expect(theirs.statusCode).toBe(200);
    expect(theirs.json().items).toHaveLength(1);
  });
});
