/** SQL for the audit trail and its personal-values side table. */
import { sql } from 'drizzle-orm';
import { auditEvents } from '../../db/schema.js';
import type { Executor } from '../../db/client.js';
import type { AuditContext, AuditEventInput } from './audit.types.js';

/**
 * Inserts one event and its personal values; returns the event id. One statement either way (a
 * CTE when there are personal values): every audited change pays this, so it costs one round trip.
 */
export async function insertAuditEvent(ex: Executor, ctx: AuditContext, event: AuditEventInput, at: Date): Promise<number> {
  const values = {
    at,
    actorType: ctx.actorType,
    actorId: ctx.actorId,
    action: event.action,
    targetType: event.targetType ?? null,
    targetId: event.targetId ?? null,
    requestId: ctx.requestId,
    changedFields: event.changedFields ?? [],
    details: event.details,
  };
  const personal = event.personal ?? [];
  if (personal.length === 0) {
    const [row] = await ex.insert(auditEvents).values(values).returning({ id: auditEvents.id });
    return row!.id;
  }
  const r = await ex.execute<{ id: number }>(sql`
    WITH ev AS (
      INSERT INTO audit_events (at, actor_type, actor_id, action, target_type, target_id, request_id, changed_fields, details)
      VALUES (${at.toISOString()}::timestamptz, ${values.actorType}, ${values.actorId}, ${values.action}, ${values.targetType}, ${values.targetId},
              ${values.requestId}, ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(values.changedFields)}::jsonb)), ${JSON.stringify(values.details)}::jsonb)
      RETURNING id
    ), pv AS (
      INSERT INTO audit_personal_values (event_id, field, kind, subject_type, subject_id, value)
      SELECT ev.id, p.field, p.kind, p.subject_type, p.subject_id, p.value
      FROM ev, jsonb_to_recordset(${JSON.stringify(personal.map((p) => ({ field: p.field, kind: p.kind, subject_type: p.subjectType, subject_id: p.subjectId, value: p.value })))}::jsonb)
        AS p(field text, kind text, subject_type text, subject_id text, value text)
    )
    SELECT id FROM ev`);
  return Number(r.rows[0]!.id);
}
