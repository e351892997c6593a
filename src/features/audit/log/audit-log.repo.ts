/**
 * SQL of the audit log viewer and export: filtered keyset pages newest first on (at, id), one event,
 * and the personal values of a set of events. Free text reads only non-personal columns; the
 * personal-values side table is read only by id, never searched.
 */
import { and, asc, desc, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../../db/client.js';
import { auditEvents, auditPersonalValues, users } from '../../../db/schema.js';
import type { AuditFilters } from './audit-log.schemas.js';
import { SECRET_NAME_PATTERN } from './secret-names.js';

/** The keyset position: the row's `at` as text to the microsecond (a JS Date keeps milliseconds only) and its id. */
export interface AuditKey {
  at: string;
  id: number;
}

/** The event time at full precision, in UTC, as the cursor carries it. */
const atKey = sql<string>`to_char(${auditEvents.at} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Joins the actor's user row only for user actors whose id is a uuid (the regex keeps the cast from failing). */
const actorUser = sql`${users.id} = (CASE WHEN ${auditEvents.actorType} = 'user' AND ${auditEvents.actorId} ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN ${auditEvents.actorId}::uuid END)`;

/** The non-personal text of an event that `q` searches: action, target, changed field names, details. */
const searchable = sql`concat_ws(' ', ${auditEvents.action}, ${auditEvents.targetType}, ${auditEvents.targetId}, array_to_string(${auditEvents.changedFields}, ' '), ${auditEvents.details}::text)`;

const columns = {
  id: auditEvents.id,
  at: auditEvents.at,
  atKey,
  actorType: auditEvents.actorType,
  actorId: auditEvents.actorId,
  actorName: users.displayName,
  action: auditEvents.action,
  targetType: auditEvents.targetType,
  targetId: auditEvents.targetId,
  requestId: auditEvents.requestId,
  changedFields: auditEvents.changedFields,
};

/** The WHERE conditions of the filters (and the keyset position, when paging on). */
function conditions(f: AuditFilters, after?: AuditKey): SQL | undefined {
  const conds: (SQL | undefined)[] = [
    f.actor ? eq(auditEvents.actorId, f.actor) : undefined,
    f.actorType ? eq(auditEvents.actorType, f.actorType) : undefined,
    f.action && f.action.length > 0 ? (f.action.length === 1 ? eq(auditEvents.action, f.action[0]!) : inArray(auditEvents.action, f.action)) : undefined,
    f.targetType ? eq(auditEvents.targetType, f.targetType) : undefined,
    f.targetId ? eq(auditEvents.targetId, f.targetId) : undefined,
    f.from ? gte(auditEvents.at, f.from) : undefined,
    f.to ? lt(auditEvents.at, f.to) : undefined,
    f.q ? sql`${searchable} ILIKE ${`%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}` : undefined,
    // a row comparison: PostgreSQL uses it as an index bound on (at, id) and (actor_id, at, id)
    after ? sql`(${auditEvents.at}, ${auditEvents.id}) < (${after.at}::timestamptz, ${after.id}::bigint)` : undefined,
  ];
  return and(...conds);
}

export type AuditListRow = Awaited<ReturnType<typeof listAuditEvents>>[number];

/** Up to `limit` events matching the filters, newest first, after the keyset position. */
export async function listAuditEvents(ex: Executor, f: AuditFilters, opts: { after?: AuditKey; limit: number }) {
  return ex
    .select(columns)
    .from(auditEvents)
    .leftJoin(users, actorUser)
    .where(conditions(f, opts.after))
    .orderBy(desc(auditEvents.at), desc(auditEvents.id))
    .limit(opts.limit);
}

/** The details as JSON text without secret-named keys (PostgreSQL serialises: no parsing and re-encoding in Node). */
const detailsJson = sql<string>`(SELECT coalesce(jsonb_object_agg(d.key, d.value), '{}'::jsonb) FROM jsonb_each(${auditEvents.details}) AS d WHERE d.key !~* ${SECRET_NAME_PATTERN})::text`;

/** The event's personal values as a JSON array text, in write order, without secret-named fields. */
const personalJson = sql<string>`(SELECT coalesce(json_agg(json_build_object('field', p.field, 'kind', p.kind, 'subjectType', p.subject_type, 'subjectId', p.subject_id, 'value', p.value) ORDER BY p.id), '[]'::json) FROM ${auditPersonalValues} AS p WHERE p.event_id = ${auditEvents.id} AND p.field !~* ${SECRET_NAME_PATTERN})::text`;

/**
 * The export's page: each event with its details and personal values already as JSON text, so a
 * million rows cost Node one small row object each and no JSON round trips.
 */
export async function listAuditExportRows(ex: Executor, f: AuditFilters, opts: { after?: AuditKey; limit: number }) {
  return ex
    .select({ ...columns, detailsJson, personalJson })
    .from(auditEvents)
    .leftJoin(users, actorUser)
    .where(conditions(f, opts.after))
    .orderBy(desc(auditEvents.at), desc(auditEvents.id))
    .limit(opts.limit);
}

/** One event with its details, or undefined. */
export async function findAuditEvent(ex: Executor, id: number) {
  const [row] = await ex
    .select({ ...columns, details: auditEvents.details })
    .from(auditEvents)
    .leftJoin(users, actorUser)
    .where(eq(auditEvents.id, id))
    .limit(1);
  return row;
}

/** The personal values still held for these events, in write order. */
export async function listPersonalValues(ex: Executor, eventIds: number[]) {
  if (eventIds.length === 0) return [];
  return ex
    .select({
      eventId: auditPersonalValues.eventId,
      field: auditPersonalValues.field,
      kind: auditPersonalValues.kind,
      subjectType: auditPersonalValues.subjectType,
      subjectId: auditPersonalValues.subjectId,
      value: auditPersonalValues.value,
    })
    .from(auditPersonalValues)
    // one array parameter, not one parameter per id (export batches ask for a thousand)
    .where(sql`${auditPersonalValues.eventId} = ANY(${`{${eventIds.join(',')}}`}::bigint[])`)
    .orderBy(asc(auditPersonalValues.eventId), asc(auditPersonalValues.id));
}

/** Bounds the current transaction's statements (free-text pages that would scan too far). */
export async function limitStatementTime(ex: Executor, ms: number): Promise<void> {
  await ex.execute(sql.raw(`SET LOCAL statement_timeout = ${Math.trunc(ms)}`));
}
