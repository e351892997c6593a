/**
 * The audit log viewer and export: filtered keyset pages, one event with what changed, and a
 * streamed export in keyset batches (never the whole range in memory), itself audited.
 */
import type { Db } from '../../../db/client.js';
import { AppError, fieldError } from '../../../http/errors.js';
import { decodeCursor, encodeCursor } from '../../../http/cursor.js';
import type { Clock } from '../../../lib/clock.js';
import type { Caller } from '../../access/account.service.js';
import { recordAudit } from '../audit.service.js';
import { actionLabel } from './audit-action-labels.js';
import { csvRow } from './audit-csv.js';
import { SECRET_NAME } from './secret-names.js';
import {
  findAuditEvent,
  limitStatementTime,
  listAuditEvents,
  listAuditExportRows,
  listPersonalValues,
  type AuditKey,
  type AuditListRow,
} from './audit-log.repo.js';
import type { AuditFilters, ExportQuery } from './audit-log.schemas.js';

export interface AuditLogDeps {
  db: Db;
  clock: Clock;
}

/** A free-text page that scans longer than this is refused with advice to narrow it (400 naming q). */
const SEARCH_TIMEOUT_MS = 10_000;
/** Rows per export batch: one keyset query and one personal-values query each. */
export const EXPORT_BATCH = 1_000;


const ID = /^\d{1,18}$/;
const AT_KEY = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

function readCursor(cursor: string): AuditKey {
  const c = decodeCursor(cursor, ID);
  if (!c.value || !AT_KEY.test(c.value)) throw fieldError('cursor', 'is not a cursor from this list');
  return { at: c.value, id: Number(c.id) };
}

/** An event as the list shows it. */
function presentItem(r: AuditListRow) {
  return {
    id: r.id,
    at: r.at,
    actor: { type: r.actorType, id: r.actorId, name: r.actorName ?? null },
    action: r.action,
    actionLabel: actionLabel(r.action),
    targetType: r.targetType,
    targetId: r.targetId,
    requestId: r.requestId,
    changedFields: r.changedFields,
  };
}

/** Details without any secret-named key. */
function safeDetails(details: unknown): Record<string, unknown> {
  if (typeof details !== 'object' || details === null || Array.isArray(details)) return {};
  return Object.fromEntries(Object.entries(details).filter(([k]) => !SECRET_NAME.test(k)));
}

type PersonalRow = Awaited<ReturnType<typeof listPersonalValues>>[number];
const presentPersonal = (rows: PersonalRow[]) =>
  rows.filter((p) => !SECRET_NAME.test(p.field)).map((p) => ({ field: p.field, kind: p.kind, subjectType: p.subjectType, subjectId: p.subjectId, value: p.value }));

/** One page of events newest first; free text runs under a time bound. */
export async function listAuditPage(deps: AuditLogDeps, q: AuditFilters & { cursor?: string; limit: number }) {
  const after = q.cursor ? readCursor(q.cursor) : undefined;
  const page = { after, limit: q.limit + 1 };
  const rows = q.q
    ? await deps.db
        .transaction(async (tx) => {
          await limitStatementTime(tx, SEARCH_TIMEOUT_MS);
          return listAuditEvents(tx, q, page);
        })
        .catch((err: unknown) => {
          if ((err as { code?: string }).code === '57014' || (err as { cause?: { code?: string } }).cause?.code === '57014') {
            throw fieldError('q', 'the search took too long: narrow it with a time range, an actor or an action');
          }
          throw err;
        })
    : await listAuditEvents(deps.db, q, page);
  const shown = rows.slice(0, q.limit);
  const last = shown[shown.length - 1];
  return { items: shown.map(presentItem), nextCursor: rows.length > q.limit && last ? encodeCursor(last.atKey, String(last.id)) : null };
}

/** One event with its non-personal details and the personal values still held for it. */
export async function getAuditEvent(deps: AuditLogDeps, id: number) {
  const row = await findAuditEvent(deps.db, id);
  if (!row) throw new AppError('not_found', 'No such audit event.');
  const personal = await listPersonalValues(deps.db, [row.id]);
  return { event: { ...presentItem(row), details: safeDetails(row.details), personal: presentPersonal(personal) } };
}

/**
 * Records that `caller` exported the log, before the first byte leaves (the row count is unknown
 * then). The free text may name a person, so it goes to the side table, the caller as its subject.
 */
export async function recordAuditExport(deps: AuditLogDeps, caller: Caller, q: ExportQuery): Promise<void> {
  const filters = {
    actor: q.actor ?? null,
    actorType: q.actorType ?? null,
    actions: q.action ?? [],
    targetType: q.targetType ?? null,
    targetId: q.targetId ?? null,
    from: q.from?.toISOString() ?? null,
    to: q.to?.toISOString() ?? null,
    query: Boolean(q.q),
  };
  await deps.db.transaction(async (tx) => {
    await recordAudit(tx, deps.clock, { actorType: 'user', actorId: caller.user.id, requestId: caller.client.requestId }, {
      action: 'audit.exported',
      details: { format: q.format, filters },
      personal: q.q ? [{ field: 'query', kind: 'value', subjectType: 'user', subjectId: caller.user.id, value: q.q }] : [],
    });
  });
}

export const CSV_HEADER = [
  'id', 'at', 'actor_type', 'actor_id', 'actor_name', 'action', 'action_label', 'target_type', 'target_id', 'request_id', 'changed_fields', 'details', 'personal_values',
] as const;

type ExportRow = Awaited<ReturnType<typeof listAuditExportRows>>[number];

/** One exported event: a JSON line, or a CSV record of CSV_HEADER's columns (details and personal values as JSON). */
function formatRecord(r: ExportRow, format: ExportQuery['format']): string {
  const actor = { type: r.actorType, id: r.actorId, name: r.actorName ?? null };
  if (format === 'jsonl') {
    const head = JSON.stringify({
      id: r.id, at: r.atKey, actor, action: r.action, actionLabel: actionLabel(r.action), targetType: r.targetType, targetId: r.targetId, requestId: r.requestId,
      changedFields: r.changedFields,
    });
    return `${head.slice(0, -1)},"details":${r.detailsJson},"personal":${r.personalJson}}\n`;
  }
  return csvRow([
    r.id, r.atKey, actor.type, actor.id, actor.name, r.action, actionLabel(r.action), r.targetType, r.targetId, r.requestId,
    r.changedFields.join(';'), r.detailsJson, r.personalJson,
  ]);
}

/** Rows per yielded text chunk: small strings stay in V8's young generation. */
export const CHUNK_ROWS = 100;

/** A batch formatted at once into text chunks of CHUNK_ROWS rows (the row objects die young) and its keyset end. */
async function readChunks(deps: AuditLogDeps, f: AuditFilters, format: ExportQuery['format'], after: AuditKey | undefined, batch: number): Promise<{ chunks: string[]; last: AuditKey | null }> {
  const rows = await listAuditExportRows(deps.db, f, { after, limit: batch });
  const chunks: string[] = [];
  for (let i = 0; i < rows.length; i += CHUNK_ROWS) {
    let chunk = '';
    for (let j = i; j < Math.min(i + CHUNK_ROWS, rows.length); j++) chunk += formatRecord(rows[j]!, format);
    chunks.push(chunk);
  }
  const end = rows[rows.length - 1];
  return { chunks, last: end && rows.length === batch ? { at: end.atKey, id: end.id } : null };
}

/**
 * The export as text chunks, newest first, read in keyset batches of EXPORT_BATCH events (one query
 * each: PostgreSQL joins the actor and serialises details and personal values). Pulled by the
 * response stream, so a slow client holds the server back and at most two batches are in memory,
 * as text: the one being written out and the next, read meanwhile. Events written after the first
 * batch are newer than the export's start and never join it.
 */
export async function* exportAuditChunks(deps: AuditLogDeps, f: AuditFilters, format: ExportQuery['format'], batch = EXPORT_BATCH): AsyncGenerator<string> {
  if (format === 'csv') yield csvRow(CSV_HEADER);
  let next: Promise<{ chunks: string[]; last: AuditKey | null }> | null = readChunks(deps, f, format, undefined, batch);
  while (next) {
    const { chunks, last }: { chunks: string[]; last: AuditKey | null } = await next;
    // the database reads the next batch while this one is sent
    next = last ? readChunks(deps, f, format, last, batch) : null;
    next?.catch(() => undefined); // awaited on the next turn; a client gone meanwhile must not leave it unhandled
    for (const chunk of chunks) yield chunk;
  }
}

/** The download's file name: the range, or "start" / the export time where it is open. */
export function exportFileName(f: AuditFilters, format: ExportQuery['format'], now: Date): string {
  const stamp = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
  return `audit-events_${f.from ? stamp(f.from) : 'start'}_${stamp(f.to ?? now)}.${format === 'csv' ? 'csv' : 'jsonl'}`;
}
