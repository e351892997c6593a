/** SQL of the onboarding background jobs (refresh of connected records). */
import { and, asc, eq, gt } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { onboardingRecords } from '../../db/schema.js';

/** Ids of `connected` records after `afterId` (keyset on id, ascending), at most `limit`. */
export async function connectedRecordIdsAfter(ex: Executor, afterId: string | null, limit: number): Promise<string[]> {
  const rows = await ex
    .select({ id: onboardingRecords.id })
    .from(onboardingRecords)
    .where(and(eq(onboardingRecords.state, 'connected'), afterId ? gt(onboardingRecords.id, afterId) : undefined))
    .orderBy(asc(onboardingRecords.id))
    .limit(limit);
  return rows.map((r) => r.id);
}
