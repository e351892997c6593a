/**
 * The SQL of applying webhook events: the records of a WABA (locked), their Meta status, their
 * history, the shared WABAs, phone number rows and the per-phone message counters.
 */
import { and, asc, eq, or, sql } from 'drizzle-orm';
import type { Executor } from '../../../db/client.js';
import { onboardingPhoneNumbers, onboardingRecordHistory, onboardingRecords, phoneMessageCounters, sharedWabas } from '../../../db/schema.js';

/** What processing reads of a record. */
export interface RecordState {
  id: string;
  state: string;
  metaStatus: Record<string, unknown>;
  connectedAt: Date | null;
}

/** The records of a WABA, oldest first, locked until the transaction ends. */
export async function lockRecordsOfWaba(ex: Executor, wabaId: string): Promise<RecordState[]> {
  const rows = await ex
    .select({ id: onboardingRecords.id, state: onboardingRecords.state, metaStatus: onboardingRecords.metaStatus, connectedAt: onboardingRecords.connectedAt })
    .from(onboardingRecords)
    .where(eq(onboardingRecords.wabaId, wabaId))
    .orderBy(asc(onboardingRecords.createdAt), asc(onboardingRecords.id))
    .for('update');
  return rows.map((r) => ({ ...r, metaStatus: (r.metaStatus ?? {}) as Record<string, unknown> }));
}

/** Replaces a record's meta_status. */
export async function setMetaStatus(ex: Executor, recordId: string, metaStatus: Record<string, unknown>, at: Date): Promise<void> {
  await ex.update(onboardingRecords).set({ metaStatus, updatedAt: at }).where(eq(onboardingRecords.id, recordId));
}

/** One history line. */
export async function insertHistory(
  ex: Executor,
  h: { recordId: string; phoneNumberId: string | null; at: Date; source: string; topic: string; before: unknown; after: unknown; webhookEventId: number | null },
): Promise<void> {
  await ex.insert(onboardingRecordHistory).values({ ...h, before: h.before ?? null, after: h.after ?? null });
}

/** A WABA shared with the app: inserted, or its latest event updated unless an even later one is stored. */
export async function upsertSharedWaba(ex: Executor, v: { wabaId: string; ownerBusinessId: string | null; at: Date; event: string; recordId: string | null }): Promise<void> {
  await ex
    .insert(sharedWabas)
    .values({ wabaId: v.wabaId, ownerBusinessId: v.ownerBusinessId, sharedAt: v.at, lastEvent: v.event, lastEventAt: v.at, recordId: v.recordId })
    .onConflictDoUpdate({
      target: sharedWabas.wabaId,
      set: {
        ownerBusinessId: sql`COALESCE(excluded.owner_business_id, ${sharedWabas.ownerBusinessId})`,
        recordId: sql`COALESCE(excluded.record_id, ${sharedWabas.recordId})`,
        lastEvent: sql`CASE WHEN excluded.last_event_at >= ${sharedWabas.lastEventAt} THEN excluded.last_event ELSE ${sharedWabas.lastEvent} END`,
        lastEventAt: sql`GREATEST(excluded.last_event_at, ${sharedWabas.lastEventAt})`,
      },
    });
}

/** The latest event of a shared WABA (only when it is newer than the stored one); false when the WABA is not on file. */
export async function updateSharedWabaEvent(ex: Executor, wabaId: string, event: string, at: Date): Promise<void> {
  await ex
    .update(sharedWabas)
    .set({ lastEvent: event, lastEventAt: at })
    .where(and(eq(sharedWabas.wabaId, wabaId), sql`${sharedWabas.lastEventAt} <= ${at.toISOString()}::timestamptz`));
}

/** A phone number row of one of the WABA's records. */
export interface PhoneMatch {
  rowId: number;
  recordId: string;
  phoneNumberId: string;
  nameStatus: string | null;
  throughput: string | null;
  qualityRating: string | null;
}

/** Phone rows of the WABA's records matching the display number (digits only) or the phone number id. */
export async function phonesOfWaba(ex: Executor, wabaId: string, m: { digits: string | null; phoneNumberId: string | null }): Promise<PhoneMatch[]> {
  if (!m.digits && !m.phoneNumberId) return [];
  const p = onboardingPhoneNumbers;
  return ex
    .select({ rowId: p.id, recordId: p.recordId, phoneNumberId: p.phoneNumberId, nameStatus: p.nameStatus, throughput: p.throughput, qualityRating: p.qualityRating })
    .from(p)
    .innerJoin(onboardingRecords, eq(onboardingRecords.id, p.recordId))
    .where(
      and(
        eq(onboardingRecords.wabaId, wabaId),
        or(
          m.digits ? sql`regexp_replace(coalesce(${p.displayPhoneNumber}, ''), '\\D', '', 'g') = ${m.digits}` : undefined,
          m.phoneNumberId ? eq(p.phoneNumberId, m.phoneNumberId) : undefined,
        ),
      ),
    )
    .orderBy(asc(p.id));
}

/** Updates a phone row's name status or throughput tier. */
export async function updatePhoneRow(ex: Executor, rowId: number, patch: { nameStatus?: string; throughput?: string; qualityRating?: string | null }): Promise<void> {
  await ex.update(onboardingPhoneNumbers).set(patch).where(eq(onboardingPhoneNumbers.id, rowId));
}

/** One counter increment. */
export interface CounterDelta {
  phoneNumberId: string;
  kind: string;
  count: number;
  lastEventAt: Date | null;
}

/** Adds to the per-phone counters in one statement (input sorted by key: concurrent workers lock in the same order). */
export async function addToCounters(ex: Executor, deltas: CounterDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  const sorted = [...deltas].sort((a, b) => (a.phoneNumberId === b.phoneNumberId ? a.kind.localeCompare(b.kind) : a.phoneNumberId.localeCompare(b.phoneNumberId)));
  const input = JSON.stringify(sorted.map((d) => ({ phone_number_id: d.phoneNumberId, kind: d.kind, count: d.count, last_event_at: d.lastEventAt?.toISOString() ?? null })));
  await ex.execute(sql`
    INSERT INTO ${phoneMessageCounters} (phone_number_id, kind, count, last_event_at)
    SELECT r.phone_number_id, r.kind, r.count, r.last_event_at
    FROM jsonb_to_recordset(${input}::jsonb) AS r(phone_number_id text, kind text, count bigint, last_event_at timestamptz)
    ON CONFLICT (phone_number_id, kind) DO UPDATE SET
      count = ${phoneMessageCounters}.count + excluded.count,
      last_event_at = GREATEST(${phoneMessageCounters}.last_event_at, excluded.last_event_at)`);
}
