/** The chain on PostgreSQL: sealing, anchors, verification of tampering, the append-only triggers and the purge. */
import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../../db/client.js';
import { manualClock } from '../../../lib/clock.js';
import { truncateAuditTrail, useTestDatabase } from '../../../test-support/test-db.js';
import { loadKeyRing } from '../../vault/keyring.js';
import { recordAudit } from '../audit.service.js';
import { anchorChain, anchorIfMoved } from './anchor.js';
import { purgeAuditEvents } from './audit-purge.js';
import { GENESIS_PREV_HASH } from './canonical.js';
import { auditAnchorJob } from './anchor.job.js';
import { JOBS } from '../../../jobs/registry.js';
import { sealChain, startSealerLoop } from './sealer.js';
import { countUnchained } from './chain.repo.js';
import { sealAll } from './test-fixtures/seal-all.js';
import { verifyChain } from './verify.js';

const tdb = useTestDatabase();
const db = (): Db => tdb.current.database.db;
const clock = manualClock(new Date('2026-03-01T00:00:00Z'));
const k1 = Buffer.alloc(32, 1).toString('base64');
const k2 = Buffer.alloc(32, 2).toString('base64');
const keyring = loadKeyRing({ keys: `k1:${k1}`, dataDir: '/nonexistent', embedded: false });
const deps = { clock, keyring };

async function write(n: number, personal = false): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    ids.push(
      await db().transaction((tx) =>
        recordAudit(tx, clock, { actorType: 'user', actorId: `u-${i}`, requestId: `r-${i}` }, {
          action: 'user.role_changed',
          targetType: 'user',
          targetId: `t-${i}`,
          changedFields: ['role'],
          details: { from: 'viewer', to: 'admin', sessionsEnded: i },
          ...(personal ? { personal: [{ field: 'email', kind: 'before', subjectType: 'user', subjectId: `t-${i}`, value: `p${i}@example.test` }] } : {}),
        }),
      ),
    );
    clock.advance(1000);
  }
  await sealAll(db(), clock);
  return ids;
}

/** As a database superuser would: triggers off for this one statement's transaction. */
async function tamper(statement: ReturnType<typeof sql>): Promise<void> {
  await db().transaction(async (tx) => {
    await tx.execute(sql`SET LOCAL session_replication_role = replica`);
    await tx.execute(statement);
  });
}

async function reset(): Promise<void> {
  await truncateAuditTrail(tdb.current.database);
}

beforeEach(reset);

describe('audit chain on PostgreSQL', () => {
  it('seals events in order with contiguous positions from the genesis hash, and verifies up to the latest anchor', async () => {
    await write(5);
    const links = (await db().execute<{ position: number; prev_hash: string }>(sql`SELECT position, prev_hash FROM audit_chain ORDER BY position`)).rows;
    expect(links.map((l) => Number(l.position))).toEqual([1, 2, 3, 4, 5]);
    expect(links[0]!.prev_hash).toBe(GENESIS_PREV_HASH);

    let report = await verifyChain(db(), keyring);
    expect(report).toMatchObject({ ok: true, verifiedUpTo: 0, headPosition: 5, latestAnchor: null });

    const anchor = await anchorChain(db(), deps, 'manual');
    expect(anchor.position).toBe(5);
    await write(2);
    report = await verifyChain(db(), keyring);
    expect(report.ok).toBe(true);
    expect(report.verifiedUpTo).toBe(5);
    // the anchor's own event and the two new ones, none chained yet
    expect(report.newerEvents).toBe(3);
    expect(report.summary).toBe(`verified up to position 5 (anchor at ${anchor.at.toISOString()}); 3 newer events not yet anchored`);
  });

  it('scheduled anchors only when the chain moved, beyond its own previous anchor event', async () => {
    await write(2);
    expect(await anchorIfMoved(db(), deps)).not.toBeNull();
    // only the anchor's own event is new: one more anchor is not needed
    expect(await anchorIfMoved(db(), deps)).toBeNull();
    await write(1);
    expect((await anchorIfMoved(db(), deps))?.position).toBe(4);
  });

  it('names the first broken link: modified event, deleted event, deleted link, truncated tail, forged anchor, inserted event', async () => {
    const ids = await write(6);
    await anchorChain(db(), deps, 'manual');

    await tamper(sql`UPDATE audit_events SET details = '{"from":"viewer","to":"owner","sessionsEnded":2}' WHERE id = ${ids[2]}`);
    let r = await verifyChain(db(), keyring);
    expect(r.firstBreak).toMatchObject({ kind: 'hash_mismatch', position: 3, eventId: ids[2] });
    expect(r.summary).toMatch(/^BROKEN at position 3 \(event \d+\)/);
    expect(r.verifiedUpTo).toBe(2);
    await tamper(sql`UPDATE audit_events SET details = '{"from":"viewer","to":"admin","sessionsEnded":2}' WHERE id = ${ids[2]}`);
    expect((await verifyChain(db(), keyring)).ok).toBe(true);

    await tamper(sql`DELETE FROM audit_events WHERE id = ${ids[4]}`);
    expect((await verifyChain(db(), keyring)).firstBreak).toMatchObject({ kind: 'event_missing', position: 5, eventId: ids[4] });

    await tamper(sql`DELETE FROM audit_chain WHERE position = 4`);
    expect((await verifyChain(db(), keyring)).firstBreak).toMatchObject({ kind: 'position_gap', position: 4 });
  });

  it('detects a cut-off tail, a forged anchor and an event slipped in before the anchored head', async () => {
    const ids = await write(4);
    await anchorChain(db(), deps, 'manual');
    await tamper(sql`DELETE FROM audit_chain WHERE position >= 3`);
    await tamper(sql`DELETE FROM audit_events WHERE id IN (${ids[2]}, ${ids[3]})`);
    expect((await verifyChain(db(), keyring)).firstBreak).toMatchObject({ kind: 'chain_truncated', position: 3 });

    await reset();
    await write(3);
    await anchorChain(db(), deps, 'manual');
    await tamper(sql`UPDATE audit_anchors SET position = 2`);
    expect((await verifyChain(db(), keyring)).firstBreak).toMatchObject({ kind: 'anchor_mac_invalid' });

    await reset();
    const [first] = await write(3);
    await anchorChain(db(), deps, 'manual');
    const xid = (await db().execute<{ xid: string }>(sql`SELECT xid::text AS xid FROM audit_events WHERE id = ${first}`)).rows[0]!.xid;
    await db().execute(sql`INSERT INTO audit_events (actor_type, action, xid) VALUES ('user', 'user.removed', ${xid}::xid8)`);
    await sealChain(db(), clock);
    expect((await verifyChain(db(), keyring)).firstBreak).toMatchObject({ kind: 'event_not_chained' });
  });

  it('anchors signed with a rotated-out key still verify while the key stays in the ring, and not after it is removed', async () => {
    await write(2);
    await anchorChain(db(), deps, 'manual');
    const rotated = loadKeyRing({ keys: `k2:${k2},k1:${k1}`, dataDir: '/nonexistent', embedded: false });
    expect((await verifyChain(db(), rotated)).ok).toBe(true);
    const only2 = loadKeyRing({ keys: `k2:${k2}`, dataDir: '/nonexistent', embedded: false });
    expect((await verifyChain(db(), only2)).firstBreak).toMatchObject({ kind: 'anchor_key_unknown' });
  });

  it('refuses UPDATE, DELETE and TRUNCATE of audit events, links and anchors; personal values stay deletable and the chain still verifies', async () => {
    await write(3, true);
    await anchorChain(db(), deps, 'manual');
    for (const stmt of [
      sql`UPDATE audit_events SET action = 'x'`,
      sql`DELETE FROM audit_events`,
      sql`TRUNCATE audit_events CASCADE`,
      sql`UPDATE audit_chain SET hash = 'x'`,
      sql`DELETE FROM audit_chain`,
      sql`TRUNCATE audit_chain`,
      sql`UPDATE audit_anchors SET mac = 'x'`,
      sql`DELETE FROM audit_anchors`,
      sql`TRUNCATE audit_anchors`,
    ]) {
      await expect(db().execute(stmt)).rejects.toMatchObject({ cause: expect.objectContaining({ message: expect.stringMatching(/audit records are append-only/) }) });
    }
    const erased = await db().execute(sql`DELETE FROM audit_personal_values WHERE subject_type = 'user' AND subject_id = 't-1'`);
    expect(erased.rowCount).toBe(1);
    expect((await verifyChain(db(), keyring)).ok).toBe(true);
  });

  it('purges old events through the SQL function with its own anchor; verification starts at the cut and still verifies', async () => {
    const ids = await write(5, true);
    await anchorChain(db(), deps, 'manual');
    const cutoff = new Date(clock.now().getTime() - 2500); // the last two written are newer
    const dry = await purgeAuditEvents(db(), deps, cutoff, { dryRun: true });
    expect(dry).toEqual({ events: 3, anchorId: null });
    expect((await db().execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM audit_events`)).rows[0]!.n).toBe(6);

    const done = await purgeAuditEvents(db(), deps, cutoff, { dryRun: false });
    expect(done.events).toBe(3);
    expect(done.anchorId).not.toBeNull();
    const left = (await db().execute<{ id: number }>(sql`SELECT id FROM audit_events ORDER BY id`)).rows.map((r) => Number(r.id));
    expect(left.slice(0, 2)).toEqual([ids[3], ids[4]]);
    expect((await db().execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM audit_personal_values`)).rows[0]!.n).toBe(2);
    const anchor = (await db().execute<{ reason: string; purged_below: number }>(sql`SELECT reason, purged_below FROM audit_anchors WHERE id = ${done.anchorId}`)).rows[0]!;
    expect(anchor).toMatchObject({ reason: 'purge', purged_below: 4 });

    await write(2);
    await anchorChain(db(), deps, 'scheduled');
    const r = await verifyChain(db(), keyring);
    expect(r).toMatchObject({ ok: true, startPosition: 4 });
    // and after the purge a deleted link is still noticed
    await tamper(sql`DELETE FROM audit_chain WHERE position = 5`);
    expect((await verifyChain(db(), keyring)).firstBreak).toMatchObject({ kind: 'position_gap', position: 5 });
  });

  it('a prefix deleted without a purge anchor is noticed (a direct call to the function without one, too)', async () => {
    await write(4);
    await anchorChain(db(), deps, 'manual');
    await db().transaction(async (tx) => {
      await tx.execute(sql`SELECT * FROM audit_purge(now() + interval '1 day', false)`);
    });
    expect((await verifyChain(db(), keyring)).firstBreak).toMatchObject({ kind: 'position_gap', position: 1 });
  });

  it('the purge flag alone does not let another role delete (the owner check)', async () => {
    await write(1);
    await sealChain(db(), clock);
    const role = `audit_rt_${Date.now().toString(36)}`;
    await db().execute(sql.raw(`CREATE ROLE ${role}; GRANT SELECT, INSERT, UPDATE, DELETE ON audit_events, audit_chain TO ${role}`));
    try {
      await expect(
        db().transaction(async (tx) => {
          await tx.execute(sql.raw(`SET LOCAL ROLE ${role}`));
          await tx.execute(sql`SELECT set_config('crm.audit_purge', 'on', true)`);
          await tx.execute(sql`DELETE FROM audit_chain`);
        }),
      ).rejects.toMatchObject({ cause: expect.objectContaining({ message: expect.stringMatching(/append-only: DELETE on audit_chain/) }) });
    } finally {
      await db().execute(sql.raw(`REVOKE ALL ON audit_events, audit_chain FROM ${role}; DROP ROLE ${role}`));
    }
  });

  it('the in-process sealer loop chains new events within a few ticks and stops cleanly; the anchor job is scheduled every 5 minutes', async () => {
    const loop = startSealerLoop({ db: db(), clock, intervalMs: 20, logger: { warn: () => {} } });
    try {
      await db().transaction((tx) => recordAudit(tx, clock, { actorType: 'system', actorId: null, requestId: null }, { action: 'user.unlocked', details: {} }));
      const until = Date.now() + 20_000;
      while ((await countUnchained(db())) > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(await countUnchained(db())).toBe(0);
    } finally {
      await loop.stop();
    }
    expect(JOBS).toContain(auditAnchorJob);
    expect(auditAnchorJob.cron).toBe('*/5 * * * *');
  });
});
