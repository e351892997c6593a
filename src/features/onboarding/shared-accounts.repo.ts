/** SQL of "shared accounts": WABAs Meta reports as shared with the app (shared_wabas) that no onboarding record holds. */
import { and, desc, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { onboardingRecords, sharedWabas } from '../../db/schema.js';

/** A shared_wabas row. */
export type SharedWabaRow = typeof sharedWabas.$inferSelect;

/**
 * One page of shared WABAs without an onboarding record, newest share first (keyset on shared_at,
 * waba_id). "Without a record" is asked of onboarding_records by WABA id, not of shared_wabas.record_id:
 * a WABA onboarded after Meta reported the share has a record the share row never learnt about.
 */
export async function listSharedWithoutRecord(ex: Executor, f: { after?: { sharedAt: Date; wabaId: string } | undefined; limit: number }): Promise<SharedWabaRow[]> {
  const s = sharedWabas;
  return ex
    .select()
    .from(s)
    .where(
      and(
        sql`not exists (select 1 from ${onboardingRecords} r where r.waba_id = ${s.wabaId})`,
        f.after ? sql`(${s.sharedAt}, ${s.wabaId}) < (${f.after.sharedAt.toISOString()}::timestamptz, ${f.after.wabaId})` : undefined,
      ),
    )
    .orderBy(desc(s.sharedAt), desc(s.wabaId))
    .limit(f.limit);
}
