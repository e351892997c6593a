/**
 * The purge's SQL, one entry per kind (audit events go through the audit chain's own path).
 * Every kind has a predicate "past its cut and not under a legal hold"; `count` answers a dry run
 * and `batch` deletes or erases at most `limit` rows in one statement, so the purge loops in short
 * transactions instead of one huge one.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import type { RetentionKind } from './retention-kinds.js';

/** Where a kind's period is measured to: `cutoff` = now - period. */
export interface Cut {
  now: Date;
  cutoff: Date;
  /** a session idle longer than this has ended */
  sessionIdleMs: number;
}

export interface KindPurge {
  count(ex: Executor, cut: Cut): Promise<number>;
  batch(ex: Executor, cut: Cut, limit: number): Promise<number>;
}

/** Dedupe keys of webhook changes are kept at least this long whatever the periods (replays). */
const DEDUPE_KEY_MS = 8 * 86_400_000;

const userHeld = (col: SQL) => sql`EXISTS (SELECT 1 FROM legal_holds h WHERE h.subject_type = 'user' AND h.subject_id = ${col} AND h.lifted_at IS NULL)`;
const recordHeld = (col: SQL) => sql`EXISTS (SELECT 1 FROM legal_holds h WHERE h.subject_type = 'onboarding' AND h.subject_id = ${col} AND h.lifted_at IS NULL)`;

async function countWhere(ex: Executor, from: SQL, where: SQL): Promise<number> {
  const r = await ex.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM ${from} WHERE ${where}`);
  return Number(r.rows[0]?.n ?? 0);
}

async function rowsOf(ex: Executor, q: SQL): Promise<number> {
  const r = await ex.execute(q);
  return r.rowCount ?? 0;
}

// --- login activity: deleted `period` after the attempt; a held user's attempts stay ---------------
const loginWhere = (c: Cut) => sql`la.at < ${c.cutoff} AND NOT (la.user_id IS NOT NULL AND ${userHeld(sql`la.user_id`)})`;
const loginActivity: KindPurge = {
  count: (ex, c) => countWhere(ex, sql`login_activity la`, loginWhere(c)),
  batch: (ex, c, n) => rowsOf(ex, sql`DELETE FROM login_activity WHERE id IN (SELECT la.id FROM login_activity la WHERE ${loginWhere(c)} LIMIT ${n})`),
};

// --- sessions: deleted `period` after they ended (absolute expiry or idle limit) -------------------
const sessionWhere = (c: Cut) =>
  sql`(s.expires_at < ${c.cutoff} OR s.last_seen_at < ${new Date(c.cutoff.getTime() - c.sessionIdleMs)}) AND NOT ${userHeld(sql`s.user_id`)}`;
const endedSessions: KindPurge = {
  count: (ex, c) => countWhere(ex, sql`sessions s`, sessionWhere(c)),
  batch: (ex, c, n) => rowsOf(ex, sql`DELETE FROM sessions WHERE id IN (SELECT s.id FROM sessions s WHERE ${sessionWhere(c)} LIMIT ${n})`),
};

// --- customer link prefill: erased `period` after the link was used, revoked or expired ------------
// (LEAST ignores nulls: the earliest of the three ends). A held record made through the link keeps it.
const prefillWhere = (c: Cut) => sql`(l.business_name IS NOT NULL OR l.email IS NOT NULL OR l.phone IS NOT NULL)
  AND LEAST(l.expires_at, l.used_at, l.revoked_at) < ${c.cutoff}
  AND NOT EXISTS (SELECT 1 FROM onboarding_records r WHERE r.link_id = l.id AND ${recordHeld(sql`r.id`)})`;
const linkPrefill: KindPurge = {
  count: (ex, c) => countWhere(ex, sql`onboarding_links l`, prefillWhere(c)),
  batch: (ex, c, n) =>
    rowsOf(ex, sql`UPDATE onboarding_links SET business_name = NULL, email = NULL, phone = NULL WHERE id IN (SELECT l.id FROM onboarding_links l WHERE ${prefillWhere(c)} LIMIT ${n})`),
};

// --- raw webhook bodies: erased `period` after receipt (payload_purge_after marks rows holding one) -
const rawWhere = (c: Cut) => sql`e.payload_purge_after IS NOT NULL AND e.received_at < ${c.cutoff} AND NOT (e.record_id IS NOT NULL AND ${recordHeld(sql`e.record_id`)})`;
const webhookRaw: KindPurge = {
  count: (ex, c) => countWhere(ex, sql`webhook_events e`, rawWhere(c)),
  batch: (ex, c, n) =>
    rowsOf(ex, sql`UPDATE webhook_events SET payload = NULL, payload_purge_after = NULL WHERE id IN (SELECT e.id FROM webhook_events e WHERE ${rawWhere(c)} LIMIT ${n})`),
};

// --- webhook records: settled events deleted `period` after receipt; failed and pending stay -------
// Dedupe keys older than 8 days go in the same count (they only exist to drop replays).
const eventWhere = (c: Cut) =>
  sql`e.state IN ('processed', 'duplicate', 'unhandled') AND e.received_at < ${c.cutoff} AND NOT (e.record_id IS NOT NULL AND ${recordHeld(sql`e.record_id`)})`;
const keyWhere = (c: Cut) => sql`k.seen_at < ${new Date(c.now.getTime() - DEDUPE_KEY_MS)}`;
const webhookRecords: KindPurge = {
  count: async (ex, c) => (await countWhere(ex, sql`webhook_events e`, eventWhere(c))) + (await countWhere(ex, sql`webhook_dedupe_keys k`, keyWhere(c))),
  batch: async (ex, c, n) => {
    const events = await rowsOf(ex, sql`DELETE FROM webhook_events WHERE id IN (SELECT e.id FROM webhook_events e WHERE ${eventWhere(c)} LIMIT ${n})`);
    if (events > 0) return events;
    return rowsOf(ex, sql`DELETE FROM webhook_dedupe_keys WHERE key IN (SELECT k.key FROM webhook_dedupe_keys k WHERE ${keyWhere(c)} LIMIT ${n})`);
  },
};

// --- outbox mail: deleted `period` after it was written --------------------------------------------
const outboxWhere = (c: Cut) => sql`o.created_at < ${c.cutoff}`;
const outboxMail: KindPurge = {
  count: (ex, c) => countWhere(ex, sql`outbox_mails o`, outboxWhere(c)),
  batch: (ex, c, n) => rowsOf(ex, sql`DELETE FROM outbox_mails WHERE id IN (SELECT o.id FROM outbox_mails o WHERE ${outboxWhere(c)} LIMIT ${n})`),
};

// --- closed privacy requests: personal columns erased `period` after closing; the outcome stays ----
const requestWhere = (c: Cut) => sql`p.state IN ('completed', 'rejected', 'cancelled') AND p.personal_erased_at IS NULL
  AND COALESCE(p.completed_at, p.updated_at) < ${c.cutoff}
  AND NOT (p.subject_user_id IS NOT NULL AND ${userHeld(sql`p.subject_user_id`)})`;
const requestPersonalData: KindPurge = {
  count: (ex, c) => countWhere(ex, sql`privacy_requests p`, requestWhere(c)),
  batch: (ex, c, n) =>
    rowsOf(
      ex,
      sql`UPDATE privacy_requests SET email = NULL, message = NULL, details = '{}'::jsonb, personal_erased_at = ${c.now}
          WHERE id IN (SELECT p.id FROM privacy_requests p WHERE ${requestWhere(c)} LIMIT ${n})`,
    ),
};

// --- disconnected onboarding records: identifiers erased `period` after disconnection -------------
// Identifiers: the business and WABA names, the Meta user ids (the connecting person, the token's
// system user), the phone numbers' display number and verified name, the link prefill, and name
// changes in the record's history. The record, its state, WABA/business/phone ids, steps and the
// rest of its history stay (the ids are the business's account ids, needed to recognise it again).
const recordWhere = (c: Cut) => sql`r.state = 'disconnected' AND r.disconnected_at < ${c.cutoff} AND NOT ${recordHeld(sql`r.id`)}
  AND (r.business_name IS NOT NULL OR r.waba_name IS NOT NULL OR r.meta_user_id IS NOT NULL OR r.token_user_id IS NOT NULL
    OR EXISTS (SELECT 1 FROM onboarding_phone_numbers p WHERE p.record_id = r.id AND (p.display_phone_number IS NOT NULL OR p.verified_name IS NOT NULL))
    OR EXISTS (SELECT 1 FROM onboarding_links l WHERE l.id = r.link_id AND (l.business_name IS NOT NULL OR l.email IS NOT NULL OR l.phone IS NOT NULL)))`;
const disconnectedRecords: KindPurge = {
  count: (ex, c) => countWhere(ex, sql`onboarding_records r`, recordWhere(c)),
  batch: async (ex, c, n) => {
    // one statement per table, all over the same ids: a CTE keeps the batch atomic in one statement
    const r = await ex.execute<{ n: number }>(sql`
      WITH ids AS (SELECT r.id, r.link_id FROM onboarding_records r WHERE ${recordWhere(c)} LIMIT ${n}),
      phones AS (UPDATE onboarding_phone_numbers SET display_phone_number = NULL, verified_name = NULL WHERE record_id IN (SELECT id FROM ids) RETURNING 1),
      links AS (UPDATE onboarding_links SET business_name = NULL, email = NULL, phone = NULL WHERE id IN (SELECT link_id FROM ids WHERE link_id IS NOT NULL) RETURNING 1),
      history AS (UPDATE onboarding_record_history SET before = NULL, after = NULL WHERE record_id IN (SELECT id FROM ids) AND topic ILIKE '%name%' RETURNING 1),
      recs AS (UPDATE onboarding_records SET business_name = NULL, waba_name = NULL, meta_user_id = NULL, token_user_id = NULL WHERE id IN (SELECT id FROM ids) RETURNING 1)
      SELECT (SELECT count(*) FROM recs)::int AS n, (SELECT count(*) FROM phones) + (SELECT count(*) FROM links) + (SELECT count(*) FROM history) AS side`);
    return Number(r.rows[0]?.n ?? 0);
  },
};

// --- notifications: deleted `period` after they were raised (a held user's stay), with delivered intents
// (the time-based scans look back at most 14 days, under the 30-day minimum: a purged intent's
// occurrence is never found again and notified twice)
const notificationWhere = (c: Cut) => sql`n.created_at < ${c.cutoff} AND NOT ${userHeld(sql`n.user_id`)}`;
const intentWhere = (c: Cut) => sql`i.delivered_at IS NOT NULL AND i.created_at < ${c.cutoff}`;
const notificationsKind: KindPurge = {
  count: async (ex, c) => (await countWhere(ex, sql`notifications n`, notificationWhere(c))) + (await countWhere(ex, sql`notification_intents i`, intentWhere(c))),
  batch: async (ex, c, n) => {
    const r = await ex.execute<{ n: number }>(sql`
      WITH gone AS (DELETE FROM notifications WHERE id IN (SELECT n.id FROM notifications n WHERE ${notificationWhere(c)} LIMIT ${n}) RETURNING 1),
      intents AS (DELETE FROM notification_intents WHERE id IN (SELECT i.id FROM notification_intents i WHERE ${intentWhere(c)} LIMIT ${n}) RETURNING 1)
      SELECT (SELECT count(*) FROM gone)::int + (SELECT count(*) FROM intents)::int AS n`);
    return Number(r.rows[0]?.n ?? 0);
  },
};

/** Every kind the purge handles through SQL here (audit_events: purgeAuditEvents). */
export const KIND_PURGES: Record<Exclude<RetentionKind, 'audit_events'>, KindPurge> = {
  login_activity: loginActivity,
  link_prefill: linkPrefill,
  ended_sessions: endedSessions,
  webhook_raw: webhookRaw,
  webhook_records: webhookRecords,
  outbox_mail: outboxMail,
  request_personal_data: requestPersonalData,
  disconnected_records: disconnectedRecords,
  notifications: notificationsKind,
};
