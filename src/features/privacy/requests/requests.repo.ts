/** SQL for the privacy request queue: list, read, create, move, and the request's own audit trail. */
import { and, asc, desc, eq, inArray, notInArray, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../../db/client.js';
import { auditEvents, privacyRequests, users } from '../../../db/schema.js';
import type { RequestKind, RequestSource, RequestState } from '../request-states.js';
import { DUE_SOON_DAYS } from '../request-states.js';

export type PrivacyRequestRow = typeof privacyRequests.$inferSelect;
export type NewPrivacyRequest = typeof privacyRequests.$inferInsert;

const FINAL: RequestState[] = ['completed', 'rejected', 'cancelled'];

export interface QueueFilter {
  state?: RequestState | 'open' | undefined;
  kind?: RequestKind | undefined;
  source?: RequestSource | undefined;
  urgency?: 'overdue' | 'due_soon' | undefined;
  /** keyset: due date (ISO) and id of the previous page's last row */
  after?: { value: string | null; id: string } | undefined;
  limit: number;
  now: Date;
}

export interface QueueRow {
  request: PrivacyRequestRow;
  subjectEmail: string | null;
  subjectName: string | null;
}

/** One page of the queue, soonest due first. */
export async function listQueue(ex: Executor, f: QueueFilter): Promise<QueueRow[]> {
  const conds: SQL[] = [];
  if (f.state === 'open') conds.push(notInArray(privacyRequests.state, FINAL));
  else if (f.state) conds.push(eq(privacyRequests.state, f.state));
  if (f.kind) conds.push(eq(privacyRequests.kind, f.kind));
  if (f.source) conds.push(eq(privacyRequests.source, f.source));
  if (f.urgency) {
    conds.push(notInArray(privacyRequests.state, FINAL));
    const soon = new Date(f.now.getTime() + DUE_SOON_DAYS * 86_400_000);
    conds.push(f.urgency === 'overdue' ? sql`${privacyRequests.dueAt} < ${f.now}` : sql`${privacyRequests.dueAt} >= ${f.now} AND ${privacyRequests.dueAt} <= ${soon}`);
  }
  if (f.after) conds.push(sql`(${privacyRequests.dueAt}, ${privacyRequests.id}) > (${f.after.value}::timestamptz, ${f.after.id}::uuid)`);
  const rows = await ex
    .select({ request: privacyRequests, subjectEmail: users.email, subjectName: users.displayName })
    .from(privacyRequests)
    .leftJoin(users, eq(users.id, privacyRequests.subjectUserId))
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(asc(privacyRequests.dueAt), asc(privacyRequests.id))
    .limit(f.limit);
  return rows;
}

/** One request. */
export async function findRequest(ex: Executor, id: string): Promise<PrivacyRequestRow | undefined> {
  const [row] = await ex.select().from(privacyRequests).where(eq(privacyRequests.id, id)).limit(1);
  return row;
}

/** One request, locked until the transaction ends (every state change takes it). */
export async function findRequestForUpdate(ex: Executor, id: string): Promise<PrivacyRequestRow | undefined> {
  const [row] = await ex.select().from(privacyRequests).where(eq(privacyRequests.id, id)).for('update').limit(1);
  return row;
}

/** Inserts a request. */
export async function insertRequest(ex: Executor, v: NewPrivacyRequest): Promise<PrivacyRequestRow> {
  const [row] = await ex.insert(privacyRequests).values(v).returning();
  return row!;
}

/** Applies a change to a request. */
export async function updateRequest(ex: Executor, id: string, v: Partial<NewPrivacyRequest> & { updatedAt: Date }): Promise<PrivacyRequestRow> {
  const [row] = await ex.update(privacyRequests).set(v).where(eq(privacyRequests.id, id)).returning();
  return row!;
}

/** The requests a user filed for themselves or that are about them (My data), newest first. */
export async function ownRequests(ex: Executor, userId: string): Promise<PrivacyRequestRow[]> {
  return ex
    .select()
    .from(privacyRequests)
    .where(eq(privacyRequests.subjectUserId, userId))
    .orderBy(desc(privacyRequests.receivedAt), desc(privacyRequests.id))
    .limit(200);
}

/** The audit events whose target is this request, oldest first. */
export async function auditTrailOf(ex: Executor, requestId: string) {
  return ex
    .select({ id: auditEvents.id, at: auditEvents.at, actorType: auditEvents.actorType, actorId: auditEvents.actorId, action: auditEvents.action, details: auditEvents.details })
    .from(auditEvents)
    .where(and(eq(auditEvents.targetType, 'privacy_request'), eq(auditEvents.targetId, requestId)))
    .orderBy(asc(auditEvents.at), asc(auditEvents.id))
    .limit(500);
}

/** Display names of the given users (for the trail's actors). */
export async function namesOf(ex: Executor, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await ex.select({ id: users.id, name: users.displayName }).from(users).where(inArray(users.id, ids));
  return new Map(rows.map((r) => [r.id, r.name]));
}
