/**
 * The audit log viewer over HTTP: each filter narrows, keyset pages are stable across equal
 * timestamps, free text never reads personal values, the detail carries the personal values but no
 * secret, and only owners and admins get in.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createUser, sameOrigin, signInCookie, type TestApp } from '../../../test-support/test-app.js';
import { useTestDatabase } from '../../../test-support/test-db.js';
import type { UserRow } from '../../access/users.repo.js';
import { recordAudit } from '../audit.service.js';
import type { AuditContext, AuditEventInput } from '../audit.types.js';

const tdb = useTestDatabase();
let t: TestApp;
let admin: UserRow;
let owner: UserRow;
let cookie: string;
const db = () => tdb.current.database.db;

const T0 = new Date('2026-03-01T10:00:00Z');
const hours = (n: number) => new Date(T0.getTime() + n * 3600_000);
const SAME = new Date('2026-02-01T12:00:00.000Z');
const SAME_COUNT = 30;
const PERSONAL_EMAIL = 'zelda.quarrington@example.test';
const TARGET_USER = '7d7e0f43-5b1c-4c55-9a51-3f0c8c7a1a01';

/** Writes one event through the real writer at a given time. */
async function write(at: Date, ctx: AuditContext, event: AuditEventInput): Promise<number> {
  return db().transaction((tx) => recordAudit(tx, { now: () => at }, ctx, event));
}

interface Item {
  id: number;
  at: string;
  actor: { type: string; id: string | null; name: string | null };
  action: string;
  actionLabel: string;
  targetType: string | null;
  targetId: string | null;
  changedFields: string[];
}

async function page(query: string, c = cookie): Promise<{ items: Item[]; nextCursor: string | null }> {
  const res = await t.app.inject({ url: `/api/v1/audit/events?${query}`, headers: { cookie: c } });
  if (res.statusCode !== 200) throw new Error(`${query}: ${res.statusCode} ${res.body}`);
  return res.json();
}
const ids = async (query: string) => (await page(`limit=200&${query}`)).items.map((i) => i.id);

const seeded: Record<string, number> = {};

beforeAll(async () => {
  t = await buildTestApp(tdb.current.database);
  admin = await createUser(tdb.current.database, 'admin');
  owner = await createUser(tdb.current.database, 'owner');
  cookie = await signInCookie(t, admin.email);
  const user = (u: UserRow): AuditContext => ({ actorType: 'user', actorId: u.id, requestId: 'req-1' });
  seeded.invited = await write(T0, user(admin), {
    action: 'user.invited',
    targetType: 'user',
    targetId: TARGET_USER,
    changedFields: ['email', 'role'],
    details: { role: 'viewer' },
    personal: [{ field: 'email', kind: 'after', subjectType: 'user', subjectId: TARGET_USER, value: PERSONAL_EMAIL }],
  });
  seeded.connected = await write(hours(1), { actorType: 'system', actorId: null, requestId: null }, {
    action: 'onboarding.connected',
    targetType: 'onboarding',
    targetId: 'a1b2c3d4-0000-4000-8000-000000000001',
    details: { wabaId: '104968273361999', phoneNumberId: null, registered: true },
  });
  seeded.roleChanged = await write(hours(2), user(owner), {
    action: 'user.role_changed',
    targetType: 'user',
    targetId: TARGET_USER,
    changedFields: ['role'],
    details: { from: 'viewer', to: 'admin', sessionsEnded: 0 },
  });
  seeded.request = await write(hours(3), { actorType: 'meta', actorId: '1234567890', requestId: null }, {
    action: 'privacy.request_received',
    targetType: 'privacy_request',
    targetId: 'b1b2c3d4-0000-4000-8000-000000000002',
    details: { kind: 'deletion', source: 'meta_callback' },
  });
  seeded.linkOpened = await write(hours(4), { actorType: 'customer', actorId: null, requestId: null }, {
    action: 'onboarding_link.opened',
    targetType: 'onboarding_link',
    targetId: 'c1b2c3d4-0000-4000-8000-000000000003',
    details: {},
  });
  for (let i = 0; i < SAME_COUNT; i++) {
    await write(SAME, { actorType: 'cli', actorId: null, requestId: null }, { action: 'vault.key_rotated', details: { reEncrypted: i, toKeyId: 'k2' } });
  }
});
afterAll(async () => {
  await t.app.close();
});

describe('GET /api/v1/audit/events filters', () => {
  it('lists everything newest first with the actor name of user actors', async () => {
    const all = await page('limit=200');
    expect(all.items).toHaveLength(5 + SAME_COUNT);
    expect(all.items[0]!.id).toBe(seeded.linkOpened);
    const invited = all.items.find((i) => i.id === seeded.invited)!;
    expect(invited).toMatchObject({
      actor: { type: 'user', id: admin.id, name: admin.displayName },
      action: 'user.invited',
      actionLabel: 'User invited',
      targetType: 'user',
      targetId: TARGET_USER,
      changedFields: ['email', 'role'],
    });
    expect(all.items.find((i) => i.id === seeded.request)!.actor).toEqual({ type: 'meta', id: '1234567890', name: null });
  });

  it('narrows by actor, actor type, one or several actions, target and time range', async () => {
    expect(await ids(`actor=${admin.id}`)).toEqual([seeded.invited]);
    expect(await ids(`actor=${owner.id}`)).toEqual([seeded.roleChanged]);
    expect(await ids('actorType=system')).toEqual([seeded.connected]);
    expect(await ids('actorType=cli')).toHaveLength(SAME_COUNT);
    expect(await ids('action=user.invited')).toEqual([seeded.invited]);
    expect(await ids('action=user.invited&action=privacy.request_received')).toEqual([seeded.request, seeded.invited]);
    expect(await ids('action=user.invited,user.role_changed')).toEqual([seeded.roleChanged, seeded.invited]);
    expect(await ids(`targetType=user&targetId=${TARGET_USER}`)).toEqual([seeded.roleChanged, seeded.invited]);
    expect(await ids('targetType=onboarding_link')).toEqual([seeded.linkOpened]);
    // from inclusive, to exclusive
    expect(await ids(`from=${hours(1).toISOString()}&to=${hours(3).toISOString()}`)).toEqual([seeded.roleChanged, seeded.connected]);
    expect(await ids(`actor=${owner.id}&from=${hours(3).toISOString()}`)).toEqual([]);
  });

  it('searches free text over action, target, changed field names and details', async () => {
    expect(await ids('q=role_changed')).toEqual([seeded.roleChanged]);
    expect(await ids('q=104968273361999')).toEqual([seeded.connected]);
    expect(await ids('q=META_CALLBACK')).toEqual([seeded.request]);
    expect(await ids('q=email')).toEqual([seeded.invited]);
    expect(await ids(`q=${TARGET_USER.slice(0, 13)}`)).toEqual([seeded.roleChanged, seeded.invited]);
    // LIKE wildcards are literal
    expect(await ids('q=%25')).toEqual([]);
  });

  it('never matches personal values, not even the actor name', async () => {
    // the value is in the side table
    const pv = await db().execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM audit_personal_values WHERE value = ${PERSONAL_EMAIL}`);
    expect(pv.rows[0]!.n).toBe(1);
    expect(await ids(`q=${encodeURIComponent(PERSONAL_EMAIL)}`)).toEqual([]);
    expect(await ids('q=quarrington')).toEqual([]);
    expect(await ids(`q=${encodeURIComponent(admin.displayName)}`)).toEqual([]);
    expect(await ids(`q=${encodeURIComponent(admin.email)}`)).toEqual([]);
  });

  it('pages with a stable keyset across equal timestamps', async () => {
    const seen: Item[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const p: { items: Item[]; nextCursor: string | null } = await page(`limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      seen.push(...p.items);
      cursor = p.nextCursor;
      pages++;
    } while (cursor && pages < 50);
    expect(pages).toBe(Math.ceil((5 + SAME_COUNT) / 7));
    expect(new Set(seen.map((i) => i.id)).size).toBe(5 + SAME_COUNT);
    // strictly descending on (at, id)
    for (let i = 1; i < seen.length; i++) {
      const a = seen[i - 1]!;
      const b = seen[i]!;
      expect(a.at > b.at || (a.at === b.at && a.id > b.id), `${a.id} before ${b.id}`).toBe(true);
    }
    // the same walk within a filter
    const first = await page('actorType=cli&limit=10');
    const second = await page(`actorType=cli&limit=10&cursor=${encodeURIComponent(first.nextCursor!)}`);
    expect(first.items.map((i) => i.id).filter((id) => second.items.some((s) => s.id === id))).toEqual([]);
    expect(second.items[0]!.id).toBeLessThan(first.items[9]!.id);
  });

  it('keeps microsecond timestamps apart when paging', async () => {
    // events written by SQL at the same millisecond but different microseconds (as now() does)
    await db().execute(sql`INSERT INTO audit_events (at, actor_type, action, details) VALUES
      ('2025-01-01T00:00:00.000300Z', 'system', 'micro.test', '{}'), ('2025-01-01T00:00:00.000100Z', 'system', 'micro.test', '{}'),
      ('2025-01-01T00:00:00.000200Z', 'system', 'micro.test', '{}')`);
    const a = await page('action=micro.test&limit=1');
    const b = await page(`action=micro.test&limit=1&cursor=${encodeURIComponent(a.nextCursor!)}`);
    const c = await page(`action=micro.test&limit=1&cursor=${encodeURIComponent(b.nextCursor!)}`);
    expect(new Set([a, b, c].map((p) => p.items[0]!.id)).size).toBe(3);
    expect(c.nextCursor).toBeNull();
  });

  it('answers bad filters with a 400 naming the field', async () => {
    const bad = async (query: string) => {
      const res = await t.app.inject({ url: `/api/v1/audit/events?${query}`, headers: { cookie } });
      expect(res.statusCode, query).toBe(400);
      return (res.json() as { errors: { path: string }[] }).errors.map((e) => e.path);
    };
    expect(await bad(`targetId=${TARGET_USER}`)).toEqual(['targetId']);
    expect(await bad('actor=not-a-uuid')).toEqual(['actor']);
    expect(await bad('action=DROP TABLE')).toContain('action.0');
    expect(await bad(`from=${hours(2).toISOString()}&to=${hours(1).toISOString()}`)).toEqual(['to']);
    expect(await bad('cursor=nonsense')).toEqual(['cursor']);
    expect(await bad('actorType=robot')).toEqual(['actorType']);
    expect(await bad('sort=at')).toHaveLength(1);
  });
});

describe('GET /api/v1/audit/events/:id', () => {
  it('shows what changed: field names, details and the personal values', async () => {
    const res = await t.app.inject({ url: `/api/v1/audit/events/${seeded.invited}`, headers: { cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.json().event).toMatchObject({
      id: seeded.invited,
      action: 'user.invited',
      changedFields: ['email', 'role'],
      details: { role: 'viewer' },
      personal: [{ field: 'email', kind: 'after', subjectType: 'user', subjectId: TARGET_USER, value: PERSONAL_EMAIL }],
    });
    expect((await t.app.inject({ url: '/api/v1/audit/events/999999999', headers: { cookie } })).statusCode).toBe(404);
  });

  it('carries personal values from a real change and never a secret', async () => {
    const invite = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users/invitations',
      headers: { ...sameOrigin, cookie },
      payload: { email: 'ivy.invitee@example.test', displayName: 'Ivy Invitee', role: 'viewer' },
    });
    expect(invite.statusCode).toBe(201);
    const invitedId = invite.json().user.id as string;
    const [event] = (await page(`action=user.invited&targetType=user&targetId=${invitedId}`)).items;
    const res = await t.app.inject({ url: `/api/v1/audit/events/${event!.id}`, headers: { cookie } });
    const body = res.body;
    expect(res.json().event.personal).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'email', value: 'ivy.invitee@example.test', subjectId: invitedId })]));
    // no stored secret of anyone: password hashes, invitation and session hashes, the session cookie
    const secrets = await db().execute<{ s: string }>(sql`
      SELECT password_hash AS s FROM users WHERE password_hash IS NOT NULL
      UNION ALL SELECT token_hash FROM invitations UNION ALL SELECT token_hash FROM sessions`);
    expect(secrets.rows.length).toBeGreaterThan(2);
    for (const { s } of secrets.rows) expect(body).not.toContain(s);
    expect(body).not.toContain(cookie.split('=')[1]!);
  });

  it('drops secret-named keys that a writer stored by mistake', async () => {
    const [row] = (
      await db().execute<{ id: number }>(sql`INSERT INTO audit_events (actor_type, action, details) VALUES ('system', 'legacy.thing', '{"accessToken":"EAAG-leaked","count":2}') RETURNING id`)
    ).rows;
    await db().execute(sql`INSERT INTO audit_personal_values (event_id, field, kind, subject_type, subject_id, value) VALUES (${row!.id}, 'password', 'after', 'user', ${TARGET_USER}, 'hunter2'), (${row!.id}, 'email', 'after', 'user', ${TARGET_USER}, 'x@example.test')`);
    const res = await t.app.inject({ url: `/api/v1/audit/events/${row!.id}`, headers: { cookie } });
    expect(res.json().event.details).toEqual({ count: 2 });
    expect(res.json().event.personal.map((p: { field: string }) => p.field)).toEqual(['email']);
    expect(res.body).not.toContain('EAAG-leaked');
    expect(res.body).not.toContain('hunter2');
  });
});

describe('who may read the audit log', () => {
  it('refuses operators and viewers, lets owners in, and lists the known actions', async () => {
    for (const role of ['operator', 'viewer'] as const) {
      const u = await createUser(tdb.current.database, role);
      const c = await signInCookie(t, u.email);
      for (const url of ['/api/v1/audit/events', `/api/v1/audit/events/${seeded.invited}`, '/api/v1/audit/export?format=csv', '/api/v1/audit/actions']) {
        const res = await t.app.inject({ url, headers: { cookie: c } });
        expect(res.statusCode, `${role} ${url}`).toBe(403);
      }
    }
    expect((await t.app.inject({ url: '/api/v1/audit/events' })).statusCode).toBe(401);
    const ownerCookie = await signInCookie(t, owner.email);
    expect((await page('limit=1', ownerCookie)).items).toHaveLength(1);
    const actions = await t.app.inject({ url: '/api/v1/audit/actions', headers: { cookie: ownerCookie } });
    expect(actions.json().items).toEqual(expect.arrayContaining([{ action: 'user.invited', label: 'User invited' }, { action: 'audit.exported', label: 'Audit log exported' }]));
  });
});
