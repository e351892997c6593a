/** SQL for invitation and password-reset links (hashes only) and their mail delivery outcome. */
import { and, count, eq, gt, isNull } from 'drizzle-orm';
import { invitations, passwordResets } from '../../db/schema.js';
import type { Executor } from '../../db/client.js';

export type InvitationRow = typeof invitations.$inferSelect;
export type PasswordResetRow = typeof passwordResets.$inferSelect;

/** Stores a new invitation link for `userId`, replacing any earlier one. */
export async function replaceInvitation(ex: Executor, v: { userId: string; tokenHash: string; invitedBy: string | null; at: Date; expiresAt: Date }): Promise<InvitationRow> {
  await ex.delete(invitations).where(eq(invitations.userId, v.userId));
  const [row] = await ex.insert(invitations).values({ ...v, createdAt: v.at }).returning();
  return row!;
}

/** The unused, unexpired invitation with this hash; `forUpdate` locks it so it is used once. */
export async function findUsableInvitation(ex: Executor, tokenHash: string, now: Date, forUpdate = false): Promise<InvitationRow | undefined> {
  const q = ex
    .select()
    .from(invitations)
    .where(and(eq(invitations.tokenHash, tokenHash), isNull(invitations.usedAt), gt(invitations.expiresAt, now)))
    .limit(1);
  const [row] = forUpdate ? await q.for('update') : await q;
  return row;
}

/** Marks an invitation used. */
export async function markInvitationUsed(ex: Executor, id: string, at: Date): Promise<void> {
  await ex.update(invitations).set({ usedAt: at }).where(eq(invitations.id, id));
}

/** Records how the invitation mail went. */
export async function recordInvitationMail(ex: Executor, id: string, at: Date, error: string | null): Promise<void> {
  await ex.update(invitations).set(error ? { mailError: error } : { mailSentAt: at, mailError: null }).where(eq(invitations.id, id));
}

/** Stores a new reset link. */
export async function insertPasswordReset(ex: Executor, v: { userId: string; tokenHash: string; requestedBy: string | null; at: Date; expiresAt: Date }): Promise<PasswordResetRow> {
  const [row] = await ex.insert(passwordResets).values({ ...v, createdAt: v.at }).returning();
  return row!;
}

/** How many reset links were created for `userId` since `since` (per-email limit). */
export async function countRecentResets(ex: Executor, userId: string, since: Date): Promise<number> {
  const [row] = await ex
    .select({ n: count() })
    .from(passwordResets)
    .where(and(eq(passwordResets.userId, userId), gt(passwordResets.createdAt, since)));
  return row?.n ?? 0;
}

/** The unused, unexpired reset link with this hash. */
export async function findUsableReset(ex: Executor, tokenHash: string, now: Date, forUpdate = false): Promise<PasswordResetRow | undefined> {
  const q = ex
    .select()
    .from(passwordResets)
    .where(and(eq(passwordResets.tokenHash, tokenHash), isNull(passwordResets.usedAt), gt(passwordResets.expiresAt, now)))
    .limit(1);
  const [row] = forUpdate ? await q.for('update') : await q;
  return row;
}

/** Uses a reset link; every other link of that user dies with it. */
export async function consumeResets(ex: Executor, userId: string, at: Date): Promise<void> {
  await ex.update(passwordResets).set({ usedAt: at }).where(and(eq(passwordResets.userId, userId), isNull(passwordResets.usedAt)));
}

/** Records how the reset mail went. */
export async function recordResetMail(ex: Executor, id: string, at: Date, error: string | null): Promise<void> {
  await ex.update(passwordResets).set(error ? { mailError: error } : { mailSentAt: at, mailError: null }).where(eq(passwordResets.id, id));
}
