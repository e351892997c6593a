/** SQL for onboarding records, their step attempts and phone numbers; the only place onboarding speaks SQL. */
import { and, asc, desc, eq, ilike, inArray, notInArray, or, sql } from 'drizzle-orm';
import { RELAXED_COMMIT_CONDITION, type Executor } from '../../db/client.js';
import { onboardingLinks, onboardingPhoneNumbers, onboardingRecordHistory, onboardingRecords, onboardingSteps, phoneMessageCounters, users } from '../../db/schema.js';
import type { PhoneNumberInfo } from '../meta/graph-schemas.js';
import type { StepName, StepStatus } from './onboarding.types.js';

/** A record row. */
export type RecordRow = typeof onboardingRecords.$inferSelect;
/** Columns a service may change on a record. */
export type RecordPatch = Partial<Omit<typeof onboardingRecords.$inferInsert, 'id' | 'createdAt'>>;
/** A step attempt row. */
export type StepRow = typeof onboardingSteps.$inferSelect;
/** A phone number row. */
export type PhoneRow = typeof onboardingPhoneNumbers.$inferSelect;
/** How a step attempt ended. */
export interface StepFinish {
  status: StepStatus;
  finishedAt: Date;
  durationMs: number;
  errorCode?: number | null;
  errorSubcode?: number | null;
  errorMessage?: string | null;
  errorFbtraceId?: string | null;
  detail?: Record<string, unknown>;
}

/** Inserts a new record in state `started`. */
export async function insertRecord(ex: Executor, v: { attemptId: string; startedBy: string | null; linkId: string | null; at: Date }): Promise<RecordRow> {
  const [row] = await ex
    .insert(onboardingRecords)
    .values({ attemptId: v.attemptId, startedBy: v.startedBy, linkId: v.linkId, createdAt: v.at, updatedAt: v.at })
    .returning();
  return row!;
}

/** The record of an attempt id (locked FOR UPDATE when `lock`). */
export async function findRecordByAttempt(ex: Executor, attemptId: string, lock = false): Promise<RecordRow | null> {
  const q = ex.select().from(onboardingRecords).where(eq(onboardingRecords.attemptId, attemptId)).limit(1);
  const [row] = lock ? await q.for('update') : await q;
  return row ?? null;
}

/** A record by id (locked FOR UPDATE when `lock`). */
export async function findRecord(ex: Executor, id: string, lock = false): Promise<RecordRow | null> {
  const q = ex.select().from(onboardingRecords).where(eq(onboardingRecords.id, id)).limit(1);
  const [row] = lock ? await q.for('update') : await q;
  return row ?? null;
}

/** Updates a record; returns the new row. */
export async function updateRecord(ex: Executor, id: string, patch: RecordPatch, at: Date): Promise<RecordRow> {
  const [row] = await ex
    .update(onboardingRecords)
    .set({ ...patch, updatedAt: at })
    .where(eq(onboardingRecords.id, id))
    .returning();
  return row!;
}

/** The record's current run, read in the statement that uses it (a merge may just have moved it on). */
const currentRun = (recordId: string) => sql<number>`(select ${onboardingRecords.run} from ${onboardingRecords} where ${onboardingRecords.id} = ${recordId})`;

/** The latest attempt of each step of a record's current run. */
export async function latestAttempts(ex: Executor, recordId: string): Promise<Map<StepName, StepRow>> {
  const rows = await ex
    .selectDistinctOn([onboardingSteps.step])
    .from(onboardingSteps)
    .where(and(eq(onboardingSteps.recordId, recordId), eq(onboardingSteps.run, currentRun(recordId))))
    .orderBy(onboardingSteps.step, desc(onboardingSteps.attempt));
  return new Map(rows.map((r) => [r.step, r]));
}

/** Every step attempt of a record, every run, oldest first (the timeline). */
export async function listSteps(ex: Executor, recordId: string): Promise<StepRow[]> {
  return ex.select().from(onboardingSteps).where(eq(onboardingSteps.recordId, recordId)).orderBy(asc(onboardingSteps.run), asc(onboardingSteps.id));
}

/**
 * Claims attempt `attempt` of a step by inserting it as `running`; false when that attempt exists
 * already (another runner claimed it first). This unique row is what makes each step run once.
 */
export async function claimStepAttempt(ex: Executor, recordId: string, step: StepName, attempt: number, at: Date): Promise<boolean> {
  const rows = await ex
    .insert(onboardingSteps)
    .values({ recordId, run: currentRun(recordId), step, attempt, status: 'running', startedAt: at })
    .onConflictDoNothing({ target: [onboardingSteps.recordId, onboardingSteps.run, onboardingSteps.step, onboardingSteps.attempt] })
    .returning({ id: onboardingSteps.id });
  return rows.length > 0;
}

/** Records a step attempt that was decided without running (skipped, or action required up front). */
export async function insertDecidedStep(ex: Executor, recordId: string, step: StepName, attempt: number, f: StepFinish): Promise<void> {
  await ex
    .insert(onboardingSteps)
    .values({ recordId, run: currentRun(recordId), step, attempt, startedAt: f.finishedAt, ...f, detail: f.detail ?? {} })
    .onConflictDoNothing({ target: [onboardingSteps.recordId, onboardingSteps.run, onboardingSteps.step, onboardingSteps.attempt] });
}

/** Writes how a claimed step attempt ended; true when a later attempt of the step exists (this one was taken for dead). */
export async function finishStepAttempt(ex: Executor, recordId: string, step: StepName, attempt: number, f: StepFinish, relaxed = false): Promise<boolean> {
  const s2 = sql`s2`;
  const rows = await ex
    .update(onboardingSteps)
    .set({ ...f, detail: f.detail ?? {} })
    .where(
      and(
        eq(onboardingSteps.recordId, recordId),
        eq(onboardingSteps.run, currentRun(recordId)),
        eq(onboardingSteps.step, step),
        eq(onboardingSteps.attempt, attempt),
        relaxed ? RELAXED_COMMIT_CONDITION : undefined,
      ),
    )
    .returning({
      superseded: sql<boolean>`exists (select 1 from ${onboardingSteps} ${s2} where ${s2}.record_id = ${onboardingSteps.recordId} and ${s2}.run = ${onboardingSteps.run} and ${s2}.step = ${onboardingSteps.step} and ${s2}.attempt > ${onboardingSteps.attempt})`,
    });
  return rows[0]?.superseded ?? true;
}

/** Replaces the record's phone numbers with a fresh lookup (numbers gone from the WABA are removed). */
export async function replacePhoneNumbers(ex: Executor, recordId: string, phones: PhoneNumberInfo[], at: Date): Promise<void> {
  const ids = phones.map((p) => p.id);
  await ex
    .delete(onboardingPhoneNumbers)
    .where(and(eq(onboardingPhoneNumbers.recordId, recordId), ids.length > 0 ? notInArray(onboardingPhoneNumbers.phoneNumberId, ids) : undefined));
  if (phones.length === 0) return;
  // One statement for every number (conflicting rows take the new lookup's values).
  const fresh = (c: string) => sql.raw(`excluded.${c}`);
  await ex
    .insert(onboardingPhoneNumbers)
    .values(
      phones.map((p) => ({
        recordId,
        phoneNumberId: p.id,
        displayPhoneNumber: p.displayPhoneNumber,
        verifiedName: p.verifiedName,
        qualityRating: p.qualityRating,
        codeVerificationStatus: p.codeVerificationStatus,
        nameStatus: p.nameStatus,
        platformType: p.platformType,
        throughput: p.throughputLevel,
        status: p.status,
        lookedUpAt: at,
      })),
    )
    .onConflictDoUpdate({
      target: [onboardingPhoneNumbers.recordId, onboardingPhoneNumbers.phoneNumberId],
      set: {
        displayPhoneNumber: fresh('display_phone_number'),
        verifiedName: fresh('verified_name'),
        qualityRating: fresh('quality_rating'),
        codeVerificationStatus: fresh('code_verification_status'),
        nameStatus: fresh('name_status'),
        platformType: fresh('platform_type'),
        throughput: fresh('throughput'),
        status: fresh('status'),
        lookedUpAt: fresh('looked_up_at'),
      },
    });
}

/** The record's phone numbers, ordered by id. */
export async function listPhoneNumbers(ex: Executor, recordId: string): Promise<PhoneRow[]> {
  return ex.select().from(onboardingPhoneNumbers).where(eq(onboardingPhoneNumbers.recordId, recordId)).orderBy(asc(onboardingPhoneNumbers.phoneNumberId));
}

/** Ids of records still `in_progress` whose last change is older than `before` (a restart interrupted them). */
export async function staleInProgress(ex: Executor, before: Date): Promise<string[]> {
  const rows = await ex
    .select({ id: onboardingRecords.id })
    .from(onboardingRecords)
    .where(and(eq(onboardingRecords.state, 'in_progress'), sql`${onboardingRecords.updatedAt} < ${before}`));
  return rows.map((r) => r.id);
}

/**
 * Ids of `failed` records whose last change is older than `before` and whose current run has a step
 * whose latest attempt failed with a retryable error (the test hasRetryableFailure makes per record).
 */
export async function staleRetryableFailures(ex: Executor, before: Date): Promise<string[]> {
  const latestFailedRetryable = sql`exists (
    select 1 from (
      select distinct on (s.step) s.status, s.detail from ${onboardingSteps} s
      where s.record_id = ${onboardingRecords.id} and s.run = ${onboardingRecords.run}
      order by s.step, s.attempt desc
    ) l where l.status = 'failed' and l.detail->>'retryable' = 'true')`;
  const rows = await ex
    .select({ id: onboardingRecords.id })
    .from(onboardingRecords)
    .where(and(eq(onboardingRecords.state, 'failed'), sql`${onboardingRecords.updatedAt} < ${before}`, latestFailedRetryable));
  return rows.map((r) => r.id);
}

/**
 * The record a new attempt for `wabaId` is merged into (reconnect): the latest other record of that
 * WABA that is not itself mid-flow, locked FOR UPDATE.
 */
export async function findMergeTarget(ex: Executor, wabaId: string, exceptId: string): Promise<RecordRow | null> {
  const [row] = await ex
    .select()
    .from(onboardingRecords)
    .where(and(eq(onboardingRecords.wabaId, wabaId), sql`${onboardingRecords.id} <> ${exceptId}`, notInArray(onboardingRecords.state, ['started', 'in_progress'])))
    .orderBy(desc(onboardingRecords.updatedAt))
    .limit(1)
    .for('update');
  return row ?? null;
}

/** Whether another record of `wabaId` exists that a new attempt would be merged into (no lock). */
export async function hasMergeTarget(ex: Executor, wabaId: string, exceptId: string): Promise<boolean> {
  const rows = await ex
    .select({ id: onboardingRecords.id })
    .from(onboardingRecords)
    .where(and(eq(onboardingRecords.wabaId, wabaId), sql`${onboardingRecords.id} <> ${exceptId}`, notInArray(onboardingRecords.state, ['started', 'in_progress'])))
    .limit(1);
  return rows.length > 0;
}

/** Moves every step attempt of `fromId` to `toId` under `run`. */
export async function moveSteps(ex: Executor, fromId: string, toId: string, run: number): Promise<void> {
  await ex.update(onboardingSteps).set({ recordId: toId, run }).where(eq(onboardingSteps.recordId, fromId));
}

/** Deletes a record (its steps and phone numbers go with it). */
export async function deleteRecord(ex: Executor, id: string): Promise<void> {
  await ex.delete(onboardingRecords).where(eq(onboardingRecords.id, id));
}

/** A list row: the record with who started it and the link it came through. */
export interface RecordListRow {
  record: RecordRow;
  startedByName: string | null;
  linkLabel: string | null;
}

/** Filter of the records list (newest first, keyset on created_at, id). */
export interface RecordListFilter {
  id?: string | undefined;
  state?: RecordRow['state'] | undefined;
  /** staff connects (no link) or customer links */
  via?: 'staff' | 'link' | undefined;
  q?: string | undefined;
  after?: { createdAt: Date; id: string } | undefined;
  limit: number;
}

/** One page of records, newest first. */
export async function listRecords(ex: Executor, f: RecordListFilter): Promise<RecordListRow[]> {
  const r = onboardingRecords;
  const like = f.q ? `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const rows = await ex
    .select({ record: r, startedByName: users.displayName, linkLabel: onboardingLinks.label })
    .from(r)
    .leftJoin(users, eq(users.id, r.startedBy))
    .leftJoin(onboardingLinks, eq(onboardingLinks.id, r.linkId))
    .where(
      and(
        f.id ? eq(r.id, f.id) : undefined,
        f.state ? eq(r.state, f.state) : undefined,
        f.via === 'staff' ? sql`${r.linkId} IS NULL` : f.via === 'link' ? sql`${r.linkId} IS NOT NULL` : undefined,
        like
          ? or(
              ilike(r.businessName, like),
              ilike(r.wabaName, like),
              ilike(r.wabaId, like),
              ilike(r.businessId, like),
              sql`exists (select 1 from ${onboardingPhoneNumbers} p where p.record_id = ${r.id} and (p.display_phone_number ilike ${like} or p.phone_number_id ilike ${like}))`,
            )
          : undefined,
        f.after ? sql`(${r.createdAt}, ${r.id}) < (${f.after.createdAt}, ${f.after.id}::uuid)` : undefined,
      ),
    )
    .orderBy(desc(r.createdAt), desc(r.id))
    .limit(f.limit);
  return rows;
}

/** The phone numbers of several records, grouped by record id. */
export async function phoneNumbersOf(ex: Executor, recordIds: string[]): Promise<Map<string, PhoneRow[]>> {
  const out = new Map<string, PhoneRow[]>();
  if (recordIds.length === 0) return out;
  const rows = await ex.select().from(onboardingPhoneNumbers).where(inArray(onboardingPhoneNumbers.recordId, recordIds)).orderBy(asc(onboardingPhoneNumbers.phoneNumberId));
  for (const p of rows) out.set(p.recordId, [...(out.get(p.recordId) ?? []), p]);
  return out;
}

/** A history row (what Meta reported changing on the record). */
export type HistoryRow = typeof onboardingRecordHistory.$inferSelect;

/** The record's latest `limit` history lines, newest first (by the event's own time, then id). */
export async function listHistory(ex: Executor, recordId: string, limit: number): Promise<HistoryRow[]> {
  return ex
    .select()
    .from(onboardingRecordHistory)
    .where(eq(onboardingRecordHistory.recordId, recordId))
    .orderBy(desc(onboardingRecordHistory.at), desc(onboardingRecordHistory.id))
    .limit(limit);
}

/** A message counter row. */
export type CounterRow = typeof phoneMessageCounters.$inferSelect;

/** The message counters of the given phone numbers, grouped by phone number id. */
export async function countersOf(ex: Executor, phoneNumberIds: string[]): Promise<Map<string, CounterRow[]>> {
  const out = new Map<string, CounterRow[]>();
  if (phoneNumberIds.length === 0) return out;
  const rows = await ex.select().from(phoneMessageCounters).where(inArray(phoneMessageCounters.phoneNumberId, phoneNumberIds));
  for (const c of rows) out.set(c.phoneNumberId, [...(out.get(c.phoneNumberId) ?? []), c]);
  return out;
}
