/** SQL for the audit trail and its personal-values side table. */
import { auditEvents, auditPersonalValues } from '../../db/schema.js';
import type { Executor } from '../../db/client.js';
import type { AuditContext, AuditEventInput } from './audit.types.js';

/** Inserts one event and its personal values; returns the event id. */
export async function insertAuditEvent(ex: Executor, ctx: AuditContext, event: AuditEventInput, at: Date): Promise<number> {
  const [row] = await ex
    .insert(auditEvents)
    .values({
      at,
      actorType: ctx.actorType,
      actorId: ctx.actorId,
      action: event.action,
      targetType: event.targetType ?? null,
      targetId: event.targetId ?? null,
      requestId: ctx.requestId,
      changedFields: event.changedFields ?? [],
      details: event.details,
    })
    .returning({ id: auditEvents.id });
  const id = row!.id;
  if (event.personal && event.personal.length > 0) {
    await ex.insert(auditPersonalValues).values(event.personal.map((p) => ({ eventId: id, ...p })));
  }
  return id;
}
