/** SQL for Meta's app callbacks: the callback log (and its list), privacy requests, and the onboarding records a callback names. */
import { and, desc, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Executor, Tx } from '../../db/client.js';
import { metaCallbacks, onboardingRecordHistory, onboardingRecords, privacyRequests } from '../../db/schema.js';

/** A privacy request row. */
export type PrivacyRequestRow = typeof privacyRequests.$inferSelect;

/** Ids of the onboarding records whose login user or token user is this Meta user, oldest first. */
export async function recordIdsOfMetaUser(ex: Executor, metaUserId: string): Promise<string[]> {
  const rows = await ex
    .select({ id: onboardingRecords.id })
    .from(onboardingRecords)
    .where(or(eq(onboardingRecords.metaUserId, metaUserId), eq(onboardingRecords.tokenUserId, metaUserId)))
    .orderBy(onboardingRecords.createdAt, onboardingRecords.id);
  return rows.map((r) => r.id);
}

/** Sets one top-level key of a record's meta_status (other keys kept), with updated_at. */
export async function setMetaStatusKey(ex: Executor, recordId: string, key: string, value: unknown, at: Date): Promise<void> {
  await ex
    .update(onboardingRecords)
    .set({ metaStatus: sql`${onboardingRecords.metaStatus} || jsonb_build_object(${key}::text, ${JSON.stringify(value)}::jsonb)`, updatedAt: at })
    .where(eq(onboardingRecords.id, recordId));
}

/** One history row of a record. */
export async function insertRecordHistory(ex: Executor, v: { recordId: string; at: Date; source: string; topic: string; before: unknown; after: unknown }): Promise<void> {
  await ex.insert(onboardingRecordHistory).values({ recordId: v.recordId, at: v.at, source: v.source, topic: v.topic, before: v.before, after: v.after });
}

/** Stores a verified callback as received; returns its id. */
export async function insertMetaCallback(ex: Executor, v: { kind: 'deauthorize' | 'data_deletion'; metaUserId: string; issuedAt: number | null; receivedAt: Date; outcome: Record<string, unknown> }): Promise<number> {
  const [row] = await ex.insert(metaCallbacks).values(v).returning({ id: metaCallbacks.id });
  return row!.id;
}

/** A new deletion request from Meta's callback. */
export interface NewMetaDeletion {
  metaUserId: string;
  metaIssuedAt: number | null;
  confirmationCode: string;
  receivedAt: Date;
  dueAt: Date;
  state: PrivacyRequestRow['state'];
  completedAt: Date | null;
  outcome: Record<string, unknown>;
}

/**
 * Inserts the request unless one with the same (meta_user_id, meta_issued_at) exists; returns the
 * new row, or null when it existed. A request without issued_at cannot conflict (NULLs are distinct),
 * so for those the caller holds lockMetaUser and checks findMetaDeletion first.
 */
export async function insertMetaDeletion(ex: Executor, v: NewMetaDeletion): Promise<PrivacyRequestRow | null> {
  const [row] = await ex
    .insert(privacyRequests)
    .values({ kind: 'deletion', source: 'meta_callback', ...v, updatedAt: v.receivedAt })
    .onConflictDoNothing({ target: [privacyRequests.metaUserId, privacyRequests.metaIssuedAt] })
    .returning();
  return row ?? null;
}

/** The request Meta's callback made for (user, issued_at). */
export async function findMetaDeletion(ex: Executor, metaUserId: string, metaIssuedAt: number | null): Promise<PrivacyRequestRow | null> {
  const [row] = await ex
    .select()
    .from(privacyRequests)
    .where(
      and(
        eq(privacyRequests.metaUserId, metaUserId),
        // with issued_at: exactly the unique key; without: only what Meta's callback made
        metaIssuedAt === null ? and(isNull(privacyRequests.metaIssuedAt), eq(privacyRequests.source, 'meta_callback')) : eq(privacyRequests.metaIssuedAt, metaIssuedAt),
      ),
    )
    .orderBy(privacyRequests.receivedAt)
    .limit(1);
  return row ?? null;
}

/** Serialises callbacks of one Meta user until the transaction ends. */
export async function lockMetaUser(tx: Tx, metaUserId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`meta-deletion:${metaUserId}`}, 0))`);
}

/** A privacy request by its confirmation code. */
export async function findByConfirmationCode(ex: Executor, code: string): Promise<PrivacyRequestRow | null> {
  const [row] = await ex.select().from(privacyRequests).where(eq(privacyRequests.confirmationCode, code)).limit(1);
  return row ?? null;
}

/** A stored callback. */
export type MetaCallbackRow = typeof metaCallbacks.$inferSelect;

/** One page of stored callbacks, newest first (keyset on received_at, id). */
export async function listMetaCallbacks(
  ex: Executor,
  f: { kind?: 'deauthorize' | 'data_deletion' | undefined; after?: { receivedAt: Date; id: number } | undefined; limit: number },
): Promise<MetaCallbackRow[]> {
  const c = metaCallbacks;
  return ex
    .select()
    .from(c)
    .where(
      and(
        f.kind ? eq(c.kind, f.kind) : undefined,
        f.after ? sql`(${c.receivedAt}, ${c.id}) < (${f.after.receivedAt.toISOString()}::timestamptz, ${f.after.id})` : undefined,
      ),
    )
    .orderBy(desc(c.receivedAt), desc(c.id))
    .limit(f.limit);
}

/** Business and WABA names of onboarding records, by id (records gone since are absent). */
export async function recordNames(ex: Executor, ids: string[]): Promise<Map<string, { businessName: string | null; wabaName: string | null }>> {
  if (ids.length === 0) return new Map();
  const r = onboardingRecords;
  const rows = await ex.select({ id: r.id, businessName: r.businessName, wabaName: r.wabaName }).from(r).where(inArray(r.id, ids));
  return new Map(rows.map((x) => [x.id, { businessName: x.businessName, wabaName: x.wabaName }]));
}
