/** SQL for one-time setup links. */
import { and, eq, gt, isNull } from 'drizzle-orm';
import { setupTokens } from '../../db/schema.js';
import type { Executor } from '../../db/client.js';

export type SetupTokenRow = typeof setupTokens.$inferSelect;

/** Stores a new link (hash only). */
export async function insertSetupToken(
  ex: Executor,
  v: { tokenHash: string; email: string | null; displayName: string | null; at: Date; expiresAt: Date },
): Promise<void> {
  await ex.insert(setupTokens).values({ tokenHash: v.tokenHash, email: v.email, displayName: v.displayName, createdAt: v.at, expiresAt: v.expiresAt });
}

/** The unused, unexpired link with this hash; `forUpdate` locks it so it is used once. */
export async function findUsableSetupToken(ex: Executor, tokenHash: string, now: Date, forUpdate = false): Promise<SetupTokenRow | undefined> {
  const q = ex
    .select()
    .from(setupTokens)
    .where(and(eq(setupTokens.tokenHash, tokenHash), isNull(setupTokens.usedAt), gt(setupTokens.expiresAt, now)))
    .limit(1);
  const [row] = forUpdate ? await q.for('update') : await q;
  return row;
}

/** Marks a link used. */
export async function markSetupTokenUsed(ex: Executor, id: string, at: Date): Promise<void> {
  await ex.update(setupTokens).set({ usedAt: at }).where(eq(setupTokens.id, id));
}

/** Invalidates every unused link (a new link replaces older ones). */
export async function expireSetupTokens(ex: Executor, at: Date): Promise<void> {
  await ex.update(setupTokens).set({ expiresAt: at }).where(isNull(setupTokens.usedAt));
}
