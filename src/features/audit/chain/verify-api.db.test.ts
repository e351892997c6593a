/** GET/POST /api/v1/audit/verify over HTTP: owners and admins only; reports the first break; POST is audited. */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createUser, sameOrigin, signInCookie, type TestApp } from '../../../test-support/test-app.js';
import { useTestDatabase } from '../../../test-support/test-db.js';
import { recordAudit } from '../audit.service.js';
import { sealAll } from './test-fixtures/seal-all.js';

const tdb = useTestDatabase();
let t: TestApp;
let admin: string;
let viewer: string;

beforeAll(async () => {
  t = await buildTestApp(tdb.current.database);
  const a = await createUser(tdb.current.database, 'admin');
  const v = await createUser(tdb.current.database, 'viewer');
  admin = await signInCookie(t, a.email);
  viewer = await signInCookie(t, v.email);
});
afterAll(async () => {
  await t?.app.close();
});

describe('/api/v1/audit/verify', () => {
  it('refuses viewers and anonymous callers', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: { cookie: viewer } })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/audit/verify', headers: { cookie: viewer, ...sameOrigin }, payload: {} })).statusCode).toBe(403);
  });

  it('POST anchors first on request, verifies and records who verified; GET reports without writing', async () => {
    const db = tdb.current.database.db;
    for (let i = 0; i < 3; i++) {
      await db.transaction((tx) => recordAudit(tx, t.clock, { actorType: 'system', actorId: null, requestId: null }, { action: 'user.unlocked', targetType: 'user', targetId: `u${i}`, details: {} }));
    }
    await sealAll(db, t.clock);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/audit/verify', headers: { cookie: admin, ...sameOrigin }, payload: { anchorFirst: true } });
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json();
    expect(report.ok).toBe(true);
    expect(report.latestAnchor.reason).toBe('manual');
    expect(report.verifiedUpTo).toBeGreaterThanOrEqual(3);
    expect(report.summary).toMatch(/^verified up to position \d+ \(anchor at .+\); \d+ newer events? not yet anchored$/);
    const verified = await db.execute<{ details: { ok: boolean } }>(sql`SELECT details FROM audit_events WHERE action = 'audit.verified'`);
    expect(verified.rows.map((r) => r.details.ok)).toEqual([true]);

    const before = (await db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM audit_events`)).rows[0]!.n;
    const get = await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: { cookie: admin } });
    expect(get.statusCode).toBe(200);
    expect(get.json().ok).toBe(true);
    expect((await db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM audit_events`)).rows[0]!.n).toBe(before);
  });

  it('refuses an unknown body field with a 400 naming it', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/audit/verify', headers: { cookie: admin, ...sameOrigin }, payload: { anchor: 'yes' } });
    expect(res.statusCode).toBe(400);
  });

  it('names the first broken link after tampering', async () => {
    const db = tdb.current.database.db;
    await sealAll(db, t.clock);
    await t.app.inject({ method: 'POST', url: '/api/v1/audit/verify', headers: { cookie: admin, ...sameOrigin }, payload: { anchorFirst: true } });
    await db.transaction(async (tx) => {
      await tx.execute(sql`SET LOCAL session_replication_role = replica`);
      await tx.execute(sql`UPDATE audit_events SET target_id = 'someone-else' WHERE id = (SELECT event_id FROM audit_chain WHERE position = 1)`);
    });
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: { cookie: admin } });
    const report = res.json();
    expect(report.ok).toBe(false);
    expect(report.firstBreak).toMatchObject({ kind: 'hash_mismatch', position: 1 });
    expect(report.summary).toMatch(/^BROKEN at position 1 \(event \d+\)/);
  });
});
