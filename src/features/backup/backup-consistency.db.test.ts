/**
 * The backup is one snapshot while writes go on: a writer commits, in each transaction, one row to
 * a table copied early (outbox_mails) and one to a table copied late (webhook_dedupe_keys), with a
 * large table copied in between; the file must hold as many rows of one as of the other.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test-support/test-db.js';
import { writeBackup } from './backup.js';
import { scanBackup } from './restore-scan.js';

const t = useTestDatabase();
const dir = mkdtempSync(path.join(os.tmpdir(), 'crm-backup-consistency-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('backup under concurrent writes', () => {
  it('copies every table from the same snapshot', async () => {
    const pool = t.current.database.pool;
    await pool.query("INSERT INTO phone_message_counters (phone_number_id, kind, count) SELECT 'p' || g, 'inbound', g FROM generate_series(1, 200000) g");
    let committed = 0;
    let stop = false;
    const writer = (async () => {
      const client = await pool.connect();
      try {
        for (let i = 0; !stop; i++) {
          await client.query('BEGIN');
          await client.query("INSERT INTO outbox_mails (\"to\", subject, text) VALUES ('x@consistency.test', 's', 't')");
          await client.query('INSERT INTO webhook_dedupe_keys (key, first_event_id, seen_at) VALUES ($1, 1, now())', [`k-${i}`]);
          await client.query('COMMIT');
          committed++;
        }
      } finally {
        client.release();
      }
    })();
    while (committed < 20) await new Promise((r) => setTimeout(r, 5));
    const before = committed;
    const result = await writeBackup(pool, path.join(dir, 'live.backup'));
    const during = committed - before;
    stop = true;
    await writer;

    const scan = await scanBackup(path.join(dir, 'live.backup'));
    const rows = new Map(scan.sections.map((s) => [s.name, s.rows]));
    const order = result.header.tables.map((x) => x.name);
    expect(order.indexOf('outbox_mails')).toBeLessThan(order.indexOf('phone_message_counters'));
    expect(order.indexOf('phone_message_counters')).toBeLessThan(order.indexOf('webhook_dedupe_keys'));
    expect(during, 'the writer committed while the backup ran').toBeGreaterThan(0);
    expect(rows.get('phone_message_counters')).toBe(200000);
    expect(rows.get('outbox_mails')).toBeGreaterThanOrEqual(before);
    expect(rows.get('webhook_dedupe_keys')).toBe(rows.get('outbox_mails'));
  }, 60_000);
});
