/**
 * The one audit writer. Services call it with the transaction that carries the change, so the
 * record commits or rolls back with it. Never called from hooks.
 */
import type { Tx } from '../../db/client.js';
import type { Clock } from '../../lib/clock.js';
import { actingCredentialOf } from './acting-credential.js';
import { insertAuditEvent } from './audit.repo.js';
import type { AuditContext, AuditEventInput } from './audit.types.js';

/** Keys that must never appear in details, whatever a caller passes (defence in depth). */
const SECRET_KEY = /token|secret|password|hash|pin|code|cookie|session_id/i;

/** Records one audit event inside `tx`. */
export async function recordAudit(tx: Tx, clock: Clock, ctx: AuditContext, event: AuditEventInput): Promise<number> {
  for (const key of Object.keys(event.details)) {
    if (SECRET_KEY.test(key)) throw new Error(`audit details may not carry ${key}`);
  }
  // a user acting through a personal API token: the event names the token too
  const credential = ctx.actorType === 'user' ? actingCredentialOf(ctx.requestId, ctx.actorId) : null;
  const stored = credential ? { ...event, details: { ...event.details, apiCredential: credential } } : event;
  return insertAuditEvent(tx, ctx, stored as AuditEventInput, clock.now());
}
