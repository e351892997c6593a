/** SQL for retention settings (an owner's period per kind) and purge runs. */
import { and, desc, eq, isNull, lt, or } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { purgeRuns, retentionSettings, users } from '../../db/schema.js';

export type SettingRow = typeof retentionSettings.$inferSelect;
export type PurgeRunRow = typeof purgeRuns.$inferSelect;

/** Every saved period, with the saving user's display name. */
export async function listSettings(ex: Executor): Promise<(SettingRow & { updatedByName: string | null })[]> {
  const rows = await ex
    .select({ s: retentionSettings, name: users.displayName })
    .from(retentionSettings)
    .leftJoin(users, eq(users.id, retentionSettings.updatedBy));
  return rows.map((r) => ({ ...r.s, updatedByName: r.name }));
}

/** Saves one kind's period (insert or replace). */
export async function upsertSetting(ex: Executor, v: { kind: string; days: number; at: Date; by: string | null }): Promise<void> {
  await ex
    .insert(retentionSettings)
    .values({ kind: v.kind, days: v.days, updatedAt: v.at, updatedBy: v.by })
    .onConflictDoUpdate({ target: retentionSettings.kind, set: { days: v.days, updatedAt: v.at, updatedBy: v.by } });
}

/** Opens a run row (not for dry runs: those change nothing). */
export async function insertPurgeRun(ex: Executor, v: { startedAt: Date; trigger: string }): Promise<number> {
  const [row] = await ex.insert(purgeRuns).values({ startedAt: v.startedAt, dryRun: false, trigger: v.trigger }).returning({ id: purgeRuns.id });
  return row!.id;
}

/**
 * Closes runs that never finished: their process died mid-run (SIGKILL, power loss). Called under the
 * purge lock, so no live run can be among them; what they deleted stays deleted, the rest is done by
 * the run that closes them. Returns how many were closed.
 */
export async function closeInterruptedRuns(ex: Executor, at: Date): Promise<number> {
  const rows = await ex
    .update(purgeRuns)
    .set({ finishedAt: at, error: 'interrupted: the process stopped before this run finished; the next run did the rest' })
    .where(and(isNull(purgeRuns.finishedAt), eq(purgeRuns.dryRun, false)))
    .returning({ id: purgeRuns.id });
  return rows.length;
}

/** Closes a run with its counts, anchor and error. */
export async function finishPurgeRun(ex: Executor, id: number, v: { finishedAt: Date; counts: Record<string, number>; anchorId: number | null; error: string | null }): Promise<void> {
  await ex.update(purgeRuns).set(v).where(eq(purgeRuns.id, id));
}

/** Past runs, newest first, keyset after (startedAt, id). */
export async function listPurgeRuns(ex: Executor, f: { limit: number; after?: { startedAt: Date; id: number } }): Promise<PurgeRunRow[]> {
  const a = f.after;
  return ex
    .select()
    .from(purgeRuns)
    .where(a ? or(lt(purgeRuns.startedAt, a.startedAt), and(eq(purgeRuns.startedAt, a.startedAt), lt(purgeRuns.id, a.id))) : undefined)
    .orderBy(desc(purgeRuns.startedAt), desc(purgeRuns.id))
    .limit(f.limit);
}
