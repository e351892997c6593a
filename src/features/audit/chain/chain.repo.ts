/** SQL for the audit chain and its anchors. Nothing here updates or deletes a row (see audit-purge.ts for the one delete path). */
import { sql, type SQL } from 'drizzle-orm';
import type { Executor, Tx } from '../../../db/client.js';
import { auditAnchors, auditChain } from '../../../db/schema.js';
import type { CanonicalEvent } from './canonical.js';

/**
 * The advisory lock every chain writer (sealer, anchor, purge) holds for its transaction, so
 * links are appended by one writer at a time and never fork. Arbitrary but fixed.
 */
const CHAIN_LOCK_KEY = 7_302_114_077;

export async function lockChain(tx: Tx): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${CHAIN_LOCK_KEY})`);
}

/** false when another instance is sealing right now (it will take our events too). */
export async function tryLockChain(tx: Tx): Promise<boolean> {
  const r = await tx.execute<{ ok: boolean }>(sql`SELECT pg_try_advisory_xact_lock(${CHAIN_LOCK_KEY}) AS ok`);
  return r.rows[0]?.ok === true;
}

/** The event columns as the canonical encoding wants them (text, microseconds, jsonb text). */
function eventColumns(alias: string): SQL {
  const e = sql.raw(alias);
  return sql`${e}.id AS "id",
    to_char(${e}.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "at",
    ${e}.actor_type AS "actorType", ${e}.actor_id AS "actorId", ${e}.action AS "action",
    ${e}.target_type AS "targetType", ${e}.target_id AS "targetId", ${e}.request_id AS "requestId",
    ${e}.changed_fields AS "changedFields", ${e}.details::text AS "details", ${e}.xid::text AS "xid"`;
}

export interface ChainHead {
  position: number;
  hash: string;
}

export async function chainHead(ex: Executor): Promise<ChainHead | null> {
  const r = await ex.execute<{ position: number; hash: string }>(sql`SELECT position, hash FROM audit_chain ORDER BY position DESC LIMIT 1`);
  const row = r.rows[0];
  return row ? { position: Number(row.position), hash: row.hash } : null;
}

/**
 * Committed events not yet chained that no still-running transaction can precede: written by a
 * transaction older than the oldest one still running (xid < snapshot xmin). Ordered by (xid, id),
 * which is therefore final: every event committed later has a larger xid. The head event's xid is
 * a floor (everything below it was sealed before), so the scan uses the xid index, not the table.
 */
export async function sealableEvents(ex: Executor, limit: number): Promise<CanonicalEvent[]> {
  const r = await ex.execute<CanonicalEvent & Record<string, unknown>>(sql`
    SELECT ${eventColumns('e')}
    FROM audit_events e
    WHERE e.xid >= coalesce((SELECT h.xid FROM audit_chain c JOIN audit_events h ON h.id = c.event_id ORDER BY c.position DESC LIMIT 1), '0'::xid8)
      AND e.xid < pg_snapshot_xmin(pg_current_snapshot())
      AND NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.event_id = e.id)
    ORDER BY e.xid, e.id
    LIMIT ${limit}`);
  return r.rows.map((row) => ({ ...row, id: Number(row.id), changedFields: row.changedFields ?? [] }));
}

export interface NewLink {
  position: number;
  eventId: number;
  prevHash: string;
  hash: string;
  sealedAt: Date;
}

export async function insertLinks(tx: Tx, links: NewLink[]): Promise<void> {
  if (links.length > 0) await tx.insert(auditChain).values(links);
}

export interface LinkWithEvent {
  position: number;
  eventId: number;
  prevHash: string;
  hash: string;
  /** null when the event row is gone */
  event: CanonicalEvent | null;
}

/** One page of the chain in position order from `fromPosition` (inclusive), each link with its event's current content. */
export async function chainPage(ex: Executor, fromPosition: number, limit: number): Promise<LinkWithEvent[]> {
  const r = await ex.execute<Record<string, unknown>>(sql`
    SELECT c.position AS "position", c.event_id AS "eventId", c.prev_hash AS "prevHash", c.hash AS "hash",
           (e.id IS NOT NULL) AS "present", ${eventColumns('e')}
    FROM audit_chain c LEFT JOIN audit_events e ON e.id = c.event_id
    WHERE c.position >= ${fromPosition}
    ORDER BY c.position
    LIMIT ${limit}`);
  return r.rows.map((row) => ({
    position: Number(row.position),
    eventId: Number(row.eventId),
    prevHash: String(row.prevHash),
    hash: String(row.hash),
    event: row.present
      ? {
          id: Number(row.id),
          at: String(row.at),
          actorType: String(row.actorType),
          actorId: (row.actorId as string | null) ?? null,
          action: String(row.action),
          targetType: (row.targetType as string | null) ?? null,
          targetId: (row.targetId as string | null) ?? null,
          requestId: (row.requestId as string | null) ?? null,
          changedFields: (row.changedFields as string[]) ?? [],
          details: String(row.details),
          xid: String(row.xid),
        }
      : null,
  }));
}

/** Events no link names although a later-written event is chained at or before `position` (someone inserted or unlinked them). First few only. */
export async function unchainedEventsBefore(ex: Executor, position: number, limit: number): Promise<number[]> {
  const r = await ex.execute<{ id: number }>(sql`
    SELECT e.id FROM audit_events e
    WHERE e.xid <= (SELECT max(h.xid) FROM audit_chain c JOIN audit_events h ON h.id = c.event_id WHERE c.position <= ${position})
      AND NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.event_id = e.id)
    ORDER BY e.xid, e.id LIMIT ${limit}`);
  return r.rows.map((x) => Number(x.id));
}

/** Events written but not yet chained (the sealer's backlog). */
export async function countUnchained(ex: Executor): Promise<number> {
  const r = await ex.execute<{ n: number }>(sql`
    SELECT count(*)::int AS n FROM audit_events e
    WHERE e.xid >= coalesce((SELECT h.xid FROM audit_chain c JOIN audit_events h ON h.id = c.event_id ORDER BY c.position DESC LIMIT 1), '0'::xid8)
      AND NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.event_id = e.id)`);
  return Number(r.rows[0]?.n ?? 0);
}

export interface AnchorRow {
  id: number;
  position: number;
  headHash: string;
  at: Date;
  reason: string;
  purgedBelow: number | null;
  keyId: string;
  mac: string;
}

export async function insertAnchor(tx: Tx, a: Omit<AnchorRow, 'id'>): Promise<number> {
  const [row] = await tx.insert(auditAnchors).values(a).returning({ id: auditAnchors.id });
  return row!.id;
}

/** Every anchor, oldest first (a few hundred a day at most: one per interval with activity, one per purge). */
export async function listAnchors(ex: Executor): Promise<AnchorRow[]> {
  const rows = await ex.select().from(auditAnchors).orderBy(auditAnchors.id);
  return rows.map((r) => ({ ...r, position: Number(r.position), purgedBelow: r.purgedBelow === null ? null : Number(r.purgedBelow) }));
}

export async function latestAnchor(ex: Executor): Promise<AnchorRow | null> {
  const r = await ex.execute<Record<string, unknown>>(sql`SELECT id, position, head_hash AS "headHash", at, reason, purged_below AS "purgedBelow", key_id AS "keyId", mac FROM audit_anchors ORDER BY id DESC LIMIT 1`);
  const row = r.rows[0];
  if (!row) return null;
  return {
    id: Number(row.id),
    position: Number(row.position),
    headHash: String(row.headHash),
    at: new Date(row.at as string | Date),
    reason: String(row.reason),
    purgedBelow: row.purgedBelow === null ? null : Number(row.purgedBelow),
    keyId: String(row.keyId),
    mac: String(row.mac),
  };
}

/** Calls the one SQL function allowed to delete audit rows (migration audit_append_only). */
export async function callAuditPurge(tx: Tx, cutoff: Date, dryRun: boolean): Promise<{ events: number; purgedBelow: number | null }> {
  const r = await tx.execute<{ events: number; purged_below: number | null }>(sql`SELECT events, purged_below FROM audit_purge(${cutoff.toISOString()}::timestamptz, ${dryRun})`);
  const row = r.rows[0];
  return { events: Number(row?.events ?? 0), purgedBelow: row?.purged_below == null ? null : Number(row.purged_below) };
}

/** The action of the event chained at `position` (null when there is none). */
export async function actionAt(ex: Executor, position: number): Promise<string | null> {
  const r = await ex.execute<{ action: string }>(sql`SELECT e.action FROM audit_chain c JOIN audit_events e ON e.id = c.event_id WHERE c.position = ${position}`);
  return r.rows[0]?.action ?? null;
}

/** One event in canonical text form (the write-time-lock alternative hashes its own event; see the audit-write benchmark). */
export async function canonicalEvent(ex: Executor, id: number): Promise<CanonicalEvent | null> {
  const r = await ex.execute<CanonicalEvent & Record<string, unknown>>(sql`SELECT ${eventColumns('e')} FROM audit_events e WHERE e.id = ${id}`);
  const row = r.rows[0];
  return row ? { ...row, id: Number(row.id), changedFields: row.changedFields ?? [] } : null;
}
