/** 8 concurrent writers and several sealers at once: the chain never forks, every event is chained exactly once. */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../db/client.js';
import { manualClock } from '../../../lib/clock.js';
import { useTestDatabase } from '../../../test-support/test-db.js';
import { loadKeyRing } from '../../vault/keyring.js';
import { recordAudit } from '../audit.service.js';
import { anchorChain } from './anchor.js';
import { sealChain } from './sealer.js';
import { sealAll } from './test-fixtures/seal-all.js';
import { verifyChain } from './verify.js';

const tdb = useTestDatabase();
let wide: Database;
const clock = manualClock();
const keyring = loadKeyRing({ keys: `k1:${Buffer.alloc(32, 3).toString('base64')}`, dataDir: '/nonexistent', embedded: false });

beforeAll(() => {
  wide = openDatabase(tdb.current.url, { max: 12 });
});
afterAll(async () => {
  await wide?.close();
});

describe('audit chain under concurrency', () => {
  it('8 writers with overlapping transactions and 2 sealers running throughout: contiguous positions, each event once, verifies', async () => {
    const WRITERS = 8;
    const PER_WRITER = 40;
    let writing = true;
    const sealer = async () => {
      while (writing) await sealChain(wide.db, clock, { wait: false });
    };
    const writer = async (w: number) => {
      for (let i = 0; i < PER_WRITER; i++) {
        await wide.db.transaction(async (tx) => {
          await recordAudit(tx, clock, { actorType: 'user', actorId: `w${w}`, requestId: `r${i}` }, { action: 'user.unlocked', targetType: 'user', targetId: `${w}-${i}`, details: {} });
          // hold the transaction open a little, so later transactions commit before earlier ones
          if ((w + i) % 3 === 0) await tx.execute(sql`SELECT pg_sleep(${((w * 7 + i) % 5) / 1000})`);
        });
      }
    };
    const sealers = [sealer(), sealer()];
    await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
    writing = false;
    await Promise.all(sealers);
    await sealAll(wide.db, clock);

    const links = (await wide.db.execute<{ position: number; event_id: number }>(sql`SELECT position, event_id FROM audit_chain ORDER BY position`)).rows;
    const total = WRITERS * PER_WRITER;
    expect(links.map((l) => Number(l.position))).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    const events = (await wide.db.execute<{ id: number }>(sql`SELECT id FROM audit_events ORDER BY id`)).rows.map((r) => Number(r.id));
    expect(new Set(links.map((l) => Number(l.event_id))).size).toBe(total);
    expect([...links.map((l) => Number(l.event_id))].sort((a, b) => a - b)).toEqual(events);

    await anchorChain(wide.db, { clock, keyring }, 'manual');
    const report = await verifyChain(wide.db, keyring);
    expect(report).toMatchObject({ ok: true, verifiedUpTo: total });
  });
});
