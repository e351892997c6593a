/** Legal holds as other features read them: purges and deletion requests skip held subjects. */
import { and, desc, eq, inArray, isNull, lt, or } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { legalHolds, onboardingRecords, users } from '../../db/schema.js';

export type HoldSubject = 'user' | 'onboarding';

/** The active hold on a subject (its reason and since when), or null. */
export async function activeHoldOf(ex: Executor, subjectType: HoldSubject, subjectId: string): Promise<{ id: string; reason: string; placedAt: Date } | null> {
  const rows = await ex
    .select({ id: legalHolds.id, reason: legalHolds.reason, placedAt: legalHolds.placedAt })
    .from(legalHolds)
    .where(and(eq(legalHolds.subjectType, subjectType), eq(legalHolds.subjectId, subjectId), isNull(legalHolds.liftedAt)));
  return rows[0] ?? null;
}

export type HoldRow = typeof legalHolds.$inferSelect;

/** Places a hold; null when the subject already has an active one (the partial unique index). */
export async function insertHold(ex: Executor, v: { subjectType: HoldSubject; subjectId: string; reason: string; placedBy: string | null; at: Date }): Promise<HoldRow | null> {
  const rows = await ex
    .insert(legalHolds)
    .values({ subjectType: v.subjectType, subjectId: v.subjectId, reason: v.reason, placedBy: v.placedBy, placedAt: v.at })
    .onConflictDoNothing()
    .returning();
  return rows[0] ?? null;
}

/** Lifts an active hold; null when it does not exist or was already lifted. */
export async function liftHold(ex: Executor, id: string, v: { by: string | null; reason: string; at: Date }): Promise<HoldRow | null> {
  const rows = await ex
    .update(legalHolds)
    .set({ liftedAt: v.at, liftedBy: v.by, liftReason: v.reason })
    .where(and(eq(legalHolds.id, id), isNull(legalHolds.liftedAt)))
    .returning();
  return rows[0] ?? null;
}

export async function findHold(ex: Executor, id: string): Promise<HoldRow | null> {
  const rows = await ex.select().from(legalHolds).where(eq(legalHolds.id, id));
  return rows[0] ?? null;
}

/** Holds newest first (keyset after placedAt, id); `active` limits to holds not lifted. */
export async function listHolds(ex: Executor, f: { active: boolean; limit: number; after?: { placedAt: Date; id: string } }): Promise<HoldRow[]> {
  const a = f.after;
  return ex
    .select()
    .from(legalHolds)
    .where(
      and(
        f.active ? isNull(legalHolds.liftedAt) : undefined,
        a ? or(lt(legalHolds.placedAt, a.placedAt), and(eq(legalHolds.placedAt, a.placedAt), lt(legalHolds.id, a.id))) : undefined,
      ),
    )
    .orderBy(desc(legalHolds.placedAt), desc(legalHolds.id))
    .limit(f.limit);
}

/** Names owners know the subjects by: a user's display name, a record's business or WABA name. */
export async function subjectNames(ex: Executor, userIds: string[], recordIds: string[]): Promise<Map<string, string | null>> {
  const names = new Map<string, string | null>();
  if (userIds.length) {
    for (const u of await ex.select({ id: users.id, name: users.displayName }).from(users).where(inArray(users.id, userIds))) names.set(u.id, u.name);
  }
  if (recordIds.length) {
    const recs = await ex
      .select({ id: onboardingRecords.id, business: onboardingRecords.businessName, waba: onboardingRecords.wabaName, wabaId: onboardingRecords.wabaId })
      .from(onboardingRecords)
      .where(inArray(onboardingRecords.id, recordIds));
    for (const r of recs) names.set(r.id, r.business ?? r.waba ?? (r.wabaId ? `WABA ${r.wabaId}` : null));
  }
  return names;
}
