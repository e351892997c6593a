/** SQL for onboarding records, their step attempts and phone numbers; the only place onboarding speaks SQL. */
import { and, asc, desc, eq, notInArray, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { onboardingPhoneNumbers, onboardingRecords, onboardingSteps } from '../../db/schema.js';
import type { PhoneNumberInfo } from '../meta/graph-schemas.js';
import type { StepName, StepStatus } from './onboarding.types.js';

/** A record row. */
export type RecordRow = typeof onboardingRecords.$inferSelect;
/** Columns a service may change on a record. */
export type RecordPatch = Partial<Omit<typeof onboardingRecords.$inferInsert, 'id' | 'attemptId' | 'createdAt'>>;
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

/** The latest attempt of each step of a record. */
export async function latestAttempts(ex: Executor, recordId: string): Promise<Map<StepName, StepRow>> {
  const rows = await ex
    .selectDistinctOn([onboardingSteps.step])
    .from(onboardingSteps)
    .where(eq(onboardingSteps.recordId, recordId))
    .orderBy(onboardingSteps.step, desc(onboardingSteps.attempt));
  return new Map(rows.map((r) => [r.step, r]));
}

/** Every step attempt of a record, oldest first (the timeline). */
export async function listSteps(ex: Executor, recordId: string): Promise<StepRow[]> {
  return ex.select().from(onboardingSteps).where(eq(onboardingSteps.recordId, recordId)).orderBy(asc(onboardingSteps.id));
}

/**
 * Claims attempt `attempt` of a step by inserting it as `running`; false when that attempt exists
 * already (another runner claimed it first). This unique row is what makes each step run once.
 */
export async function claimStepAttempt(ex: Executor, recordId: string, step: StepName, attempt: number, at: Date): Promise<boolean> {
  const rows = await ex
    .insert(onboardingSteps)
    .values({ recordId, step, attempt, status: 'running', startedAt: at })
    .onConflictDoNothing({ target: [onboardingSteps.recordId, onboardingSteps.step, onboardingSteps.attempt] })
    .returning({ id: onboardingSteps.id });
  return rows.length > 0;
}

/** Records a step attempt that was decided without running (skipped, or action required up front). */
export async function insertDecidedStep(ex: Executor, recordId: string, step: StepName, attempt: number, f: StepFinish): Promise<void> {
  await ex
    .insert(onboardingSteps)
    .values({ recordId, step, attempt, startedAt: f.finishedAt, ...f, detail: f.detail ?? {} })
    .onConflictDoNothing({ target: [onboardingSteps.recordId, onboardingSteps.step, onboardingSteps.attempt] });
}

/** Writes how a claimed step attempt ended. */
export async function finishStepAttempt(ex: Executor, recordId: string, step: StepName, attempt: number, f: StepFinish): Promise<void> {
  await ex
    .update(onboardingSteps)
    .set({ ...f, detail: f.detail ?? {} })
    .where(and(eq(onboardingSteps.recordId, recordId), eq(onboardingSteps.step, step), eq(onboardingSteps.attempt, attempt)));
}

/** Replaces the record's phone numbers with a fresh lookup (numbers gone from the WABA are removed). */
export async function replacePhoneNumbers(ex: Executor, recordId: string, phones: PhoneNumberInfo[], at: Date): Promise<void> {
  const ids = phones.map((p) => p.id);
  await ex
    .delete(onboardingPhoneNumbers)
    .where(and(eq(onboardingPhoneNumbers.recordId, recordId), ids.length > 0 ? notInArray(onboardingPhoneNumbers.phoneNumberId, ids) : undefined));
  for (const p of phones) {
    const values = {
      displayPhoneNumber: p.displayPhoneNumber,
      verifiedName: p.verifiedName,
      qualityRating: p.qualityRating,
      codeVerificationStatus: p.codeVerificationStatus,
      nameStatus: p.nameStatus,
      platformType: p.platformType,
      throughput: p.throughputLevel,
      status: p.status,
      lookedUpAt: at,
    };
    await ex
      .insert(onboardingPhoneNumbers)
      .values({ recordId, phoneNumberId: p.id, ...values })
      .onConflictDoUpdate({ target: [onboardingPhoneNumbers.recordId, onboardingPhoneNumbers.phoneNumberId], set: values });
  }
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
