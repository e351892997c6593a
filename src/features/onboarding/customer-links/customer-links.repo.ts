/** SQL for customer onboarding links; the only place they are read or written. */
import { and, desc, eq, isNull, lt, sql } from 'drizzle-orm';
import type { Executor } from '../../../db/client.js';
import { onboardingLinks, onboardingRecords, users } from '../../../db/schema.js';

/** A link row. */
export type LinkRow = typeof onboardingLinks.$inferSelect;

/** A link with who created it and its latest onboarding record. */
export interface LinkListRow {
  link: LinkRow;
  createdByName: string | null;
  recordId: string | null;
}

/** Inserts a link. */
export async function insertLink(ex: Executor, v: typeof onboardingLinks.$inferInsert): Promise<LinkRow> {
  const [row] = await ex.insert(onboardingLinks).values(v).returning();
  return row!;
}

/** A link by the hash of its token. */
export async function findLinkByTokenHash(ex: Executor, tokenHash: string): Promise<LinkRow | null> {
  const [row] = await ex.select().from(onboardingLinks).where(eq(onboardingLinks.tokenHash, tokenHash)).limit(1);
  return row ?? null;
}

/** A link by id (locked FOR UPDATE when `lock`). */
export async function findLink(ex: Executor, id: string, lock = false): Promise<LinkRow | null> {
  const q = ex.select().from(onboardingLinks).where(eq(onboardingLinks.id, id)).limit(1);
  const [row] = lock ? await q.for('update') : await q;
  return row ?? null;
}

/** Updates a link; returns the new row. */
export async function updateLink(ex: Executor, id: string, patch: Partial<Pick<LinkRow, 'revokedAt' | 'usedAt' | 'openedAt' | 'businessName' | 'email' | 'phone'>>): Promise<LinkRow> {
  const [row] = await ex.update(onboardingLinks).set(patch).where(eq(onboardingLinks.id, id)).returning();
  return row!;
}

/** Marks the link used up (first connected onboarding wins); true when this call did it. */
export async function markLinkUsed(ex: Executor, id: string, at: Date): Promise<boolean> {
  const rows = await ex.update(onboardingLinks).set({ usedAt: at }).where(and(eq(onboardingLinks.id, id), isNull(onboardingLinks.usedAt))).returning({ id: onboardingLinks.id });
  return rows.length > 0;
}

/** The status filter of the list, as SQL over a link row at `now`. */
function statusFilter(status: 'active' | 'used' | 'revoked' | 'expired', now: Date) {
  const l = onboardingLinks;
  switch (status) {
    case 'used':
      return sql`${l.usedAt} is not null`;
    case 'revoked':
      return sql`${l.usedAt} is null and ${l.revokedAt} is not null`;
    case 'expired':
      return sql`${l.usedAt} is null and ${l.revokedAt} is null and ${l.expiresAt} <= ${now}`;
    case 'active':
      return sql`${l.usedAt} is null and ${l.revokedAt} is null and ${l.expiresAt} > ${now}`;
  }
}

/** One page of links, newest first (keyset on created_at, id). */
export async function listLinks(
  ex: Executor,
  f: { id?: string | undefined; status?: 'active' | 'used' | 'revoked' | 'expired' | undefined; now: Date; after?: { createdAt: Date; id: string } | undefined; limit: number },
): Promise<LinkListRow[]> {
  const l = onboardingLinks;
  // The record that connected through the link, else its latest attempt.
  const recordId = sql<string | null>`(select r.id from ${onboardingRecords} r where r.link_id = ${l.id} order by (r.state = 'connected') desc, r.created_at desc limit 1)`;
  return ex
    .select({ link: l, createdByName: users.displayName, recordId })
    .from(l)
    .leftJoin(users, eq(users.id, l.createdBy))
        .where(and(f.id ? eq(l.id, f.id) : undefined, f.status ? statusFilter(f.status, f.now) : undefined, f.after ? sql`(${l.createdAt}, ${l.id}) < (${f.after.createdAt}, ${f.after.id}::uuid)` : undefined))
    .orderBy(desc(l.createdAt), desc(l.id))
    .limit(f.limit);
}
