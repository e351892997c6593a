/** SQL for the development outbox. */
import { desc, lt } from 'drizzle-orm';
import { outboxMails } from '../../db/schema.js';
import type { Executor } from '../../db/client.js';

export type OutboxRow = typeof outboxMails.$inferSelect;

/** Stores one mail. */
export async function insertOutboxMail(ex: Executor, m: { to: string; subject: string; text: string }): Promise<void> {
  await ex.insert(outboxMails).values(m);
}

/** Newest first, before id `beforeId`. */
export async function listOutbox(ex: Executor, beforeId: number | null, limit: number): Promise<OutboxRow[]> {
  const q = ex.select().from(outboxMails);
  return (beforeId === null ? q : q.where(lt(outboxMails.id, beforeId))).orderBy(desc(outboxMails.id)).limit(limit);
}
