/**
 * The audit export over HTTP: CSV that spreadsheets cannot run as formulas and that parses back
 * exactly, JSON lines with the personal values, the export itself audited, and a 50,000-event export
 * that streams (the server reads batch by batch as the client takes them, never the whole range).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createUser, signInCookie, type TestApp } from '../../../test-support/test-app.js';
import { useTestDatabase } from '../../../test-support/test-db.js';
import type { UserRow } from '../../access/users.repo.js';
import { recordAudit } from '../audit.service.js';
import { CHUNK_ROWS, CSV_HEADER, EXPORT_BATCH, exportAuditChunks } from './audit-log.service.js';

const tdb = useTestDatabase();
let t: TestApp;
let admin: UserRow;
let cookie: string;
const db = () => tdb.current.database.db;

const AT = new Date('2026-04-01T08:00:00Z');
const TRICKY = ['=HYPERLINK("http://evil.example","x")', '+1+2', '-3+cmd|calc', '@SUM(A1)', '\tTAB', 'plain, "quoted"\nnext line'];

/** A minimal RFC 4180 parser (quoted fields, doubled quotes, CRLF) to read the export back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\r' && text[i + 1] === '\n') row.push(cell), rows.push(row), (row = []), (cell = ''), i++;
    else cell += c;
  }
  if (cell !== '' || row.length > 0) throw new Error('CSV does not end with CRLF');
  return rows;
}

beforeAll(async () => {
  t = await buildTestApp(tdb.current.database);
  admin = await createUser(tdb.current.database, 'admin');
  cookie = await signInCookie(t, admin.email);
  // a user actor whose display name would be a formula
  await db().execute(sql`UPDATE users SET display_name = '@admin evil' WHERE id = ${admin.id}`);
  for (const [i, v] of TRICKY.entries()) {
    await db().transaction((tx) =>
      recordAudit(tx, { now: () => new Date(AT.getTime() + i * 1000) }, { actorType: 'user', actorId: admin.id, requestId: v }, {
        action: 'onboarding.failed',
        targetType: 'onboarding',
        targetId: v,
        changedFields: [v, 'state'],
        details: { step: v, metaError: 100, retryable: false },
        personal: [{ field: 'email', kind: 'before', subjectType: 'user', subjectId: admin.id, value: v }],
      }),
    );
  }
});
afterAll(async () => {
  await t.app.close();
});

const exportUrl = (query: string) => `/api/v1/audit/export?${query}`;

describe('GET /api/v1/audit/export', () => {
  it('writes formula-safe, properly quoted CSV that reads back to the stored values', async () => {
    const res = await t.app.inject({ url: exportUrl(`format=csv&action=onboarding.failed&from=${AT.toISOString()}&to=2026-04-02T00:00:00Z`), headers: { cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="audit-events_20260401T080000Z_20260402T000000Z.csv"');
    const rows = parseCsv(res.body);
    expect(rows[0]).toEqual([...CSV_HEADER]);
    expect(rows).toHaveLength(1 + TRICKY.length);
    const col = (name: (typeof CSV_HEADER)[number]) => CSV_HEADER.indexOf(name);
    // newest first: TRICKY reversed
    const data = rows.slice(1).reverse();
    for (const [i, v] of TRICKY.entries()) {
      const row = data[i]!;
      const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
      expect(row[col('target_id')]).toBe(safe);
      expect(row[col('request_id')]).toBe(safe);
      expect(row[col('actor_name')]).toBe("'@admin evil");
      expect(row[col('action_label')]).toBe('WhatsApp onboarding step failed');
      expect(JSON.parse(row[col('details')]!)).toEqual({ step: v, metaError: 100, retryable: false });
      expect(JSON.parse(row[col('personal_values')]!)).toEqual([{ field: 'email', kind: 'before', subjectType: 'user', subjectId: admin.id, value: v }]);
      // no cell of any row starts with a formula character
      for (const cell of row) expect(cell, cell).not.toMatch(/^[=+\-@\t\r]/);
    }
  });

  it('writes JSON lines with the personal values, and audits the export with its filters', async () => {
    const res = await t.app.inject({ url: exportUrl(`format=jsonl&actor=${admin.id}&q=metaError`), headers: { cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="audit-events_start_\d{8}T\d{6}Z\.jsonl"$/);
    const lines = res.body.split('\n');
    expect(lines.pop()).toBe('');
    const records = lines.map((l) => JSON.parse(l) as { targetId: string; at: string; actor: { name: string }; personal: { value: string }[] });
    expect(records.map((r) => r.targetId)).toEqual([...TRICKY].reverse());
    expect(records[0]!.at).toBe('2026-04-01T08:00:05.000000Z');
    expect(records[0]!.actor.name).toBe('@admin evil');
    expect(records[0]!.personal[0]!.value).toBe(TRICKY[TRICKY.length - 1]);

    const audited = await db().execute<{ id: number; actor_id: string; details: unknown }>(sql`SELECT id, actor_id, details FROM audit_events WHERE action = 'audit.exported' ORDER BY id`);
    expect(audited.rows.at(-1)).toMatchObject({
      actor_id: admin.id,
      details: { format: 'jsonl', filters: { actor: admin.id, actorType: null, actions: [], targetType: null, targetId: null, from: null, to: null, query: true } },
    });
    // the free text is kept as a personal value of the exporting user, not in the trail
    const pv = await db().execute<{ value: string; subject_id: string }>(sql`SELECT value, subject_id FROM audit_personal_values WHERE event_id = ${audited.rows.at(-1)!.id}`);
    expect(pv.rows).toEqual([{ value: 'metaError', subject_id: admin.id }]);
  });

  it('leaves out secret-named detail keys and personal fields that a writer stored by mistake', async () => {
    const [row] = (
      await db().execute<{ id: number }>(sql`INSERT INTO audit_events (actor_type, action, details) VALUES ('system', 'legacy.export_thing', '{"accessToken":"EAAG-leaked","count":2}') RETURNING id`)
    ).rows;
    await db().execute(sql`INSERT INTO audit_personal_values (event_id, field, kind, subject_type, subject_id, value) VALUES (${row!.id}, 'password', 'after', 'user', ${admin.id}, 'hunter2'), (${row!.id}, 'email', 'after', 'user', ${admin.id}, 'x@example.test')`);
    for (const format of ['jsonl', 'csv']) {
      const res = await t.app.inject({ url: exportUrl(`format=${format}&action=legacy.export_thing`), headers: { cookie } });
      expect(res.body).toContain('x@example.test');
      expect(res.body).toContain('count');
      expect(res.body).not.toContain('EAAG-leaked');
      expect(res.body).not.toContain('hunter2');
    }
  });

  it('refuses a format it does not know, naming the field', async () => {
    const res = await t.app.inject({ url: exportUrl('format=xlsx'), headers: { cookie } });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toBe('format');
  });
});

describe('a 50,000-event export', () => {
  const N = 50_000;
  const FILLER = 'x'.repeat(600);

  /** Resolves once no other connection to this database has run a query for IDLE_POLLS polls in a row. */
  async function untilServerIdle(): Promise<void> {
    const IDLE_POLLS = 8;
    let idle = 0;
    for (let i = 0; i < 600 && idle < IDLE_POLLS; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const r = await db().execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()`);
      idle = r.rows[0]!.n === 0 ? idle + 1 : 0;
    }
  }

  beforeAll(async () => {
    // ~35 MB of export: more than socket buffers hold, so a paused client stops the server's reading
    await db().execute(sql`
      INSERT INTO audit_events (at, actor_type, action, target_type, target_id, changed_fields, details)
      SELECT timestamptz '2025-06-01T00:00:00Z' + i * interval '1 second', 'system', 'vault.secret_used', 'stream', i::text, '{}',
             jsonb_build_object('purpose', 'stream test', 'credential', ${FILLER}::text, 'ownerType', 'test')
      FROM generate_series(1, ${N}) AS i`);
  });

  it('yields small chunks', async () => {
    const chunks = exportAuditChunks({ db: db(), clock: t.clock }, { action: ['vault.secret_used'] }, 'jsonl');
    const first = await chunks.next();
    expect((first.value as string).split('\n').length - 1).toBe(CHUNK_ROWS);
    expect(CHUNK_ROWS).toBeLessThan(EXPORT_BATCH);
    await chunks.return(undefined);
  });

  it('streams: a paused client holds the server back, which then reads rows written meanwhile', { timeout: 60_000 }, async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const result = await new Promise<{ lines: number; lastLine: string; firstChunkAt: number; endAt: number }>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path: exportUrl('format=jsonl&action=vault.secret_used'), headers: { cookie } }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`status ${res.statusCode}`));
        let lines = 0;
        let tail = '';
        let firstChunkAt = 0;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
          if (!firstChunkAt) {
            firstChunkAt = performance.now();
            // Stop reading until the server has stopped querying (its connections idle for a while),
            // then write an event older than all others and read on: only a server that waits for its
            // client (backpressure) has yet to read that far and includes it; one that read ahead
            // has finished and ends without it.
            res.pause();
            void untilServerIdle()
              .then(() => db().execute(sql`INSERT INTO audit_events (at, actor_type, action, target_type, target_id, details) VALUES ('2000-01-01T00:00:00Z', 'system', 'vault.secret_used', 'stream', 'late-oldest', '{}')`))
              .then(() => res.resume(), reject);
          }
          lines += chunk.split('\n').length - 1;
          tail = (tail + chunk).slice(-2000);
        });
        res.on('end', () => resolve({ lines, lastLine: tail.trimEnd().split('\n').pop()!, firstChunkAt, endAt: performance.now() }));
        res.on('error', reject);
      });
      req.on('error', reject);
    });
    expect(result.lines).toBe(N + 1);
    expect(JSON.parse(result.lastLine).targetId).toBe('late-oldest');
    // the whole export (~35 MB as text, far more as objects) never sat in this process at once
    expect(rssPeak - rssBefore).toBeLessThan(150 * 1024 * 1024);
  });
});
