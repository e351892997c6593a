/**
 * The retention purge on PostgreSQL: every kind kept just before its period and purged just after,
 * legal holds skipping their subjects, bounded batches, dry runs, the run row and its one audit event.
 */
import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.js';
import { manualClock } from '../../lib/clock.js';
import { createUser } from '../../test-support/test-app.js';
import { useTestDatabase } from '../../test-support/test-db.js';
import { recordAudit } from '../audit/audit.service.js';
import type { AuditContext } from '../audit/audit.types.js';
import { sealChain } from '../audit/chain/sealer.js';
import { loadKeyRing } from '../vault/keyring.js';
import { RETENTION_KINDS, type RetentionKind } from './retention-kinds.js';
import type { RetentionDeps } from './retention.deps.js';
import { placeHold, removeHold } from './legal-holds.service.js';
import { runPurge } from './purge.service.js';
import { updatePeriods } from './retention.service.js';

const tdb = useTestDatabase();
const db = (): Db => tdb.current.database.db;
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const IDLE = 30 * MIN;
const keyring = loadKeyRing({ key: Buffer.alloc(32, 7).toString('base64'), dataDir: '/nonexistent', embedded: false });
const owner: AuditContext = { actorType: 'system', actorId: null, requestId: null };

function depsAt(now: Date, over: Partial<RetentionDeps> = {}) {
  const clock = manualClock(now);
  const deps: RetentionDeps = { db: db(), clock, keyring, sessionIdleMs: IDLE, envDefaults: { webhookRawHours: 72, linkPrefillDays: 30 }, ...over };
  return { clock, deps };
}

const zeroCounts = () => Object.fromEntries(RETENTION_KINDS.map((k) => [k, 0])) as Record<RetentionKind, number>;
const count = async (q: string) => Number((await db().execute<{ n: number }>(sql.raw(`SELECT count(*)::int AS n FROM ${q}`))).rows[0]!.n);
let seq = 0;
const uniq = () => `${Date.now()}-${++seq}`;

/** Rows of every kind whose period ends `offsetMs` from `now` (negative: past their period). */
async function seedAll(now: Date, offsetMs: number, tag: string, opts: { userId?: string; recordId?: string } = {}) {
  const t = (periodMs: number) => new Date(now.getTime() - periodMs - offsetMs);
  const ex = db();
  const userId = opts.userId ?? (await createUser(tdb.current.database, 'viewer')).id;
  await ex.execute(sql`INSERT INTO login_activity (at, user_id, result, ip) VALUES (${t(180 * DAY)}, ${userId}, 'success', '203.0.113.9')`);
  const ended = t(30 * DAY);
  await ex.execute(sql`INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at) VALUES (${`h-${uniq()}`}, ${userId}, ${new Date(ended.getTime() - HOUR)}, ${new Date(ended.getTime() - 10 * MIN)}, ${ended})`);
  const rec = opts.recordId
    ? { id: opts.recordId }
    : (
        await ex.execute<{ id: string }>(
          sql`INSERT INTO onboarding_records (attempt_id, state, business_name, waba_name, meta_user_id, waba_id, disconnected_at) VALUES (${`a-${uniq()}`}, 'disconnected', 'Acme Ltd', 'Acme WABA', '10001', ${`w-${tag}`}, ${t(365 * DAY)}) RETURNING id`,
        )
      ).rows[0]!;
  const link = await ex.execute<{ id: string }>(
    sql`INSERT INTO onboarding_links (token_hash, label, business_name, email, phone, expires_at, prefill_purge_after) VALUES (${`l-${uniq()}`}, ${`link ${tag}`}, 'Shop', 'shop@example.test', '+1 555 0100', ${t(30 * DAY)}, ${now}) RETURNING id`,
  );
  if (opts.recordId) await ex.execute(sql`UPDATE onboarding_records SET link_id = ${link.rows[0]!.id} WHERE id = ${opts.recordId}`);
  await ex.execute(
    sql`INSERT INTO webhook_events (received_at, field, dedupe_key, state, size_bytes, payload, payload_purge_after, record_id) VALUES (${t(72 * HOUR)}, 'account_update', ${`k-${uniq()}`}, 'failed', 10, '{"raw":1}'::jsonb, ${now}, ${rec.id})`,
  );
  await ex.execute(sql`INSERT INTO webhook_events (received_at, field, dedupe_key, state, size_bytes, record_id) VALUES (${t(90 * DAY)}, 'messages', ${`k-${uniq()}`}, 'processed', 10, ${rec.id})`);
  await ex.execute(sql`INSERT INTO outbox_mails (created_at, "to", subject, text) VALUES (${t(30 * DAY)}, 'a@example.test', 's', 't')`);
  await ex.execute(
    sql`INSERT INTO notifications (user_id, kind, category, dedupe_key, title, body, created_at) VALUES (${userId}, 'token.expiring', 'whatsapp', ${`n-${uniq()}`}, 't', 'b', ${t(90 * DAY)})`,
  );
  const closed = t(1095 * DAY);
  await ex.execute(
    sql`INSERT INTO privacy_requests (kind, source, state, confirmation_code, received_at, due_at, completed_at, updated_at, subject_user_id, email, message, details, outcome)
        VALUES ('deletion', 'public_form', 'completed', ${`C${uniq().replace(/-/g, '')}XXXXXXXXXXXX`}, ${closed}, ${closed}, ${closed}, ${closed}, ${userId}, 'person@example.test', 'please delete', '{"what":"all"}'::jsonb, '{"deleted":["account"]}'::jsonb)`,
  );
  const old = manualClock(t(730 * DAY));
  await db().transaction((tx) => recordAudit(tx, old, owner, { action: 'user.unlocked', targetType: 'user', targetId: userId, details: {} }));
  // the chain's sealer normally runs every few seconds; a dry run counts only sealed events
  await sealChain(db(), old);
  return { userId, recordId: rec.id, linkId: link.rows[0]!.id };
}

describe('retention purge', () => {
  // each test seeds its own rows at its own "now"; rows of earlier tests must not leak into its counts
  // (audit events are append-only: tests after the first do not assert their count)
  beforeEach(async () => {
    await db().execute(
      sql`TRUNCATE login_activity, sessions, onboarding_links, webhook_events, webhook_dedupe_keys, outbox_mails, privacy_requests, onboarding_records, legal_holds, purge_runs, notifications, notification_intents CASCADE`,
    );
  });

  it('purges every kind just past its period and keeps what is just before it; one run row and one audit event', async () => {
    const now = new Date('2030-06-01T00:00:00Z');
    const past = await seedAll(now, MIN, 'past');
    const young = await seedAll(now, -MIN, 'young');
    const { deps } = depsAt(now);

    const preview = await runPurge(deps, { dryRun: true, trigger: 'cli' });
    expect(preview.counts).toEqual(Object.fromEntries(RETENTION_KINDS.map((k) => [k, 1])));

    const result = await runPurge(deps, { dryRun: false, trigger: 'cli' });
    expect(result.counts).toEqual(Object.fromEntries(RETENTION_KINDS.map((k) => [k, 1])));
    expect(result.anchorId).toEqual(expect.any(Number));

    // what is left belongs to the young set, and the past set's personal columns are gone
    expect((await db().execute(sql`SELECT user_id FROM login_activity`)).rows).toEqual([{ user_id: young.userId }]);
    expect((await db().execute(sql`SELECT user_id FROM sessions`)).rows).toEqual([{ user_id: young.userId }]);
    expect((await db().execute(sql`SELECT label, business_name, email, phone FROM onboarding_links ORDER BY label`)).rows).toEqual([
      { label: 'link past', business_name: null, email: null, phone: null },
      { label: 'link young', business_name: 'Shop', email: 'shop@example.test', phone: '+1 555 0100' },
    ]);
    expect(await count(`webhook_events WHERE field = 'messages'`)).toBe(1);
    expect(await count(`webhook_events WHERE field = 'account_update' AND payload IS NOT NULL`)).toBe(1);
    expect(await count('outbox_mails')).toBe(1);
    expect((await db().execute(sql`SELECT subject_user_id, email, message, details, outcome, personal_erased_at IS NOT NULL AS erased FROM privacy_requests ORDER BY email NULLS FIRST`)).rows).toEqual([
      { subject_user_id: past.userId, email: null, message: null, details: {}, outcome: { deleted: ['account'] }, erased: true },
      { subject_user_id: young.userId, email: 'person@example.test', message: 'please delete', details: { what: 'all' }, outcome: { deleted: ['account'] }, erased: false },
    ]);
    expect((await db().execute(sql`SELECT id, state, business_name, waba_name, meta_user_id, waba_id FROM onboarding_records ORDER BY waba_id`)).rows).toEqual([
      { id: past.recordId, state: 'disconnected', business_name: null, waba_name: null, meta_user_id: null, waba_id: 'w-past' },
      { id: young.recordId, state: 'disconnected', business_name: 'Acme Ltd', waba_name: 'Acme WABA', meta_user_id: '10001', waba_id: 'w-young' },
    ]);
    expect((await db().execute(sql`SELECT target_id FROM audit_events WHERE action = 'user.unlocked'`)).rows).toEqual([{ target_id: young.userId }]);

    const runs = await db().execute<{ id: number; trigger: string; dry_run: boolean; counts: unknown; anchor_id: number | null; finished: boolean; error: string | null }>(
      sql`SELECT id, trigger, dry_run, counts, anchor_id, finished_at IS NOT NULL AS finished, error FROM purge_runs`,
    );
    expect(runs.rows).toEqual([{ id: result.runId, trigger: 'cli', dry_run: false, counts: result.counts, anchor_id: result.anchorId, finished: true, error: null }]);
    const audits = await db().execute<{ actor_type: string; details: unknown }>(sql`SELECT actor_type, details FROM audit_events WHERE action = 'retention.purged'`);
    expect(audits.rows).toEqual([{ actor_type: 'cli', details: { runId: result.runId, trigger: 'cli', counts: result.counts, anchorId: result.anchorId } }]);

    // the next run finds nothing due and records its own run and event
    const again = await runPurge(deps, { dryRun: false, trigger: 'schedule' });
    expect(again.counts).toEqual(zeroCounts());
    expect(await count('purge_runs')).toBe(2);
    expect(await count(`audit_events WHERE action = 'retention.purged'`)).toBe(2);
  });

  it('a dry run changes nothing and records nothing', async () => {
    const now = new Date('2031-06-01T00:00:00Z');
    await seedAll(now, HOUR, 'dry');
    const tables = ['login_activity', 'sessions', 'outbox_mails', 'audit_events', 'purge_runs', 'audit_anchors', `onboarding_links WHERE email IS NOT NULL`, `webhook_events WHERE payload IS NOT NULL`, `privacy_requests WHERE email IS NOT NULL`, `onboarding_records WHERE business_name IS NOT NULL`];
    const before = await Promise.all(tables.map(count));
    const { deps } = depsAt(now);
    const dry = await runPurge(deps, { dryRun: true, trigger: 'manual' });
    expect(dry.runId).toBeNull();
    expect(Object.values(dry.counts).every((n) => n >= 1)).toBe(true);
    expect(await Promise.all(tables.map(count))).toEqual(before);
    // then the real run does delete (clean up for the next tests)
    const real = await runPurge(deps, { dryRun: false, trigger: 'manual' });
    expect(real.counts).toEqual(dry.counts);
  });

  it('skips subjects under legal hold: a held user keeps login activity, sessions and request data; a held record keeps its identifiers', async () => {
    const now = new Date('2032-06-01T00:00:00Z');
    const { deps, clock } = depsAt(now);
    const user = await createUser(tdb.current.database, 'operator');
    const rec = (
      await db().execute<{ id: string }>(
        sql`INSERT INTO onboarding_records (attempt_id, state, business_name, waba_name, meta_user_id, waba_id, disconnected_at) VALUES (${`a-${uniq()}`}, 'disconnected', 'Held Ltd', 'Held WABA', '20002', 'w-held', ${new Date(now.getTime() - 400 * DAY)}) RETURNING id`,
      )
    ).rows[0]!;
    await seedAll(now, DAY, 'held', { userId: user.id, recordId: rec.id });
    const userHold = await placeHold(deps, owner, { subjectType: 'user', subjectId: user.id, reason: 'litigation 2032-17' });
    const recHold = await placeHold(deps, owner, { subjectType: 'onboarding', subjectId: rec.id, reason: 'regulator inquiry' });

    const held = await runPurge(deps, { dryRun: false, trigger: 'schedule' });
    expect(held.counts).toMatchObject({ login_activity: 0, ended_sessions: 0, request_personal_data: 0, disconnected_records: 0, link_prefill: 0, webhook_raw: 0, webhook_records: 0 });
    expect(await count(`login_activity WHERE user_id = '${user.id}'`)).toBe(1);
    expect(await count(`sessions WHERE user_id = '${user.id}'`)).toBe(1);
    expect(await count(`privacy_requests WHERE subject_user_id = '${user.id}' AND email IS NOT NULL`)).toBe(1);
    expect((await db().execute(sql`SELECT business_name, meta_user_id FROM onboarding_records WHERE id = ${rec.id}`)).rows).toEqual([{ business_name: 'Held Ltd', meta_user_id: '20002' }]);
    expect(await count(`onboarding_links l JOIN onboarding_records r ON r.link_id = l.id WHERE r.id = '${rec.id}' AND l.email IS NOT NULL`)).toBe(1);
    expect(await count(`webhook_events WHERE record_id = '${rec.id}'`)).toBe(2);

    clock.advance(MIN);
    await removeHold(deps, owner, userHold.id, 'case closed');
    await removeHold(deps, owner, recHold.id, 'inquiry answered');
    const lifted = await runPurge(deps, { dryRun: false, trigger: 'schedule' });
    // the record's link prefill is past its own period too: erased as link prefill, before the record's turn
    expect(lifted.counts).toMatchObject({ login_activity: 1, ended_sessions: 1, request_personal_data: 1, disconnected_records: 1, link_prefill: 1, webhook_raw: 1, webhook_records: 1 });
    expect((await db().execute(sql`SELECT business_name, meta_user_id, state FROM onboarding_records WHERE id = ${rec.id}`)).rows).toEqual([{ business_name: null, meta_user_id: null, state: 'disconnected' }]);
    expect(await count(`onboarding_links l JOIN onboarding_records r ON r.link_id = l.id WHERE r.id = '${rec.id}' AND l.email IS NOT NULL`)).toBe(0);
  });

  it('deletes in bounded batches: 12,000 rows in statements of at most 5,000', async () => {
    const now = new Date('2033-06-01T00:00:00Z');
    await db().execute(sql`INSERT INTO login_activity (at, result) SELECT ${new Date(now.getTime() - 200 * DAY)}::timestamptz - (g || ' seconds')::interval, 'failure' FROM generate_series(1, 12000) g`);
    const batches: number[] = [];
    const { deps } = depsAt(now, { onBatch: (kind, n) => kind === 'login_activity' && batches.push(n) });
    const r = await runPurge(deps, { dryRun: false, trigger: 'schedule' });
    expect(r.counts.login_activity).toBe(12_000);
    expect(batches).toEqual([5000, 5000, 2000, 0]);
    expect(await count('login_activity')).toBe(0);
  });

  it("uses the owner's period over the default, and the env default for raw webhook bodies", async () => {
    const now = new Date('2034-06-01T00:00:00Z');
    const { deps } = depsAt(now, { envDefaults: { webhookRawHours: 24, linkPrefillDays: 30 } });
    await db().execute(sql`INSERT INTO login_activity (at, result) VALUES (${new Date(now.getTime() - 40 * DAY)}, 'failure')`);
    await db().execute(
      sql`INSERT INTO webhook_events (received_at, field, dedupe_key, state, size_bytes, payload, payload_purge_after) VALUES (${new Date(now.getTime() - 25 * HOUR)}, 'account_update', ${`k-${uniq()}`}, 'failed', 10, '{"raw":1}'::jsonb, ${now})`,
    );
    expect((await runPurge(deps, { dryRun: true, trigger: 'cli' })).counts).toMatchObject({ login_activity: 0, webhook_raw: 1 });
    await updatePeriods(deps, owner, { login_activity: 30, webhook_raw: 48 });
    expect((await runPurge(deps, { dryRun: true, trigger: 'cli' })).counts).toMatchObject({ login_activity: 1, webhook_raw: 0 });
    const changed = await db().execute(sql`SELECT details FROM audit_events WHERE action = 'retention.changed' ORDER BY id`);
    expect(changed.rows).toEqual([{ details: { kind: 'login_activity', from: 180, to: 30, unit: 'days' } }, { details: { kind: 'webhook_raw', from: 24, to: 48, unit: 'hours' } }]);
  });

  it('refuses a second purge while one runs', async () => {
    const { deps } = depsAt(new Date('2035-06-01T00:00:00Z'));
    const client = await tdb.current.database.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [0x7265_7465]);
      await expect(runPurge(deps, { dryRun: false, trigger: 'manual' })).rejects.toMatchObject({ code: 'conflict' });
      await client.query('SELECT pg_advisory_unlock($1)', [0x7265_7465]);
    } finally {
      client.release();
    }
  });
});
