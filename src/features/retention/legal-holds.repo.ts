/** Legal holds as other features read them: purges and deletion requests skip held subjects. */
import { and, eq, isNull } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { legalHolds } from '../../db/schema.js';

export type HoldSubject = 'user' | 'onboarding';

/** The active hold on a subject (its reason and since when), or null. */
export async function activeHoldOf(ex: Executor, subjectType: HoldSubject, subjectId: string): Promise<{ id: string; reason: string; placedAt: Date } | null> {
  const rows = await ex
    .select({ id: legalHolds.id, reason: legalHolds.reason, placedAt: legalHolds.placedAt })
    .from(legalHolds)
    .where(and(eq(legalHolds.subjectType, subjectType), eq(legalHolds.subjectId, subjectId), isNull(legalHolds.liftedAt)));
  return rows[0] ?? null;
}
