/** SQL of the public deletion form: the request it opens, and its email verification link. */
import { eq } from 'drizzle-orm';
import type { Executor, Tx } from '../../../db/client.js';
import { privacyRequests } from '../../../db/schema.js';

export type PrivacyRequestRow = typeof privacyRequests.$inferSelect;

export interface NewPublicDeletion {
  email: string;
  message: string | null;
  scope: string[];
  confirmationCode: string;
  receivedAt: Date;
  dueAt: Date;
  subjectUserId: string | null;
  verifyTokenHash: string;
  verifyExpiresAt: Date;
}

/** Inserts a public-form deletion request waiting for its email verification. */
export async function insertPublicDeletion(ex: Executor, v: NewPublicDeletion): Promise<PrivacyRequestRow> {
  const [row] = await ex
    .insert(privacyRequests)
    .values({
      kind: 'deletion',
      source: 'public_form',
      state: 'verifying',
      email: v.email,
      message: v.message,
      details: { scope: v.scope },
      confirmationCode: v.confirmationCode,
      receivedAt: v.receivedAt,
      dueAt: v.dueAt,
      updatedAt: v.receivedAt,
      subjectUserId: v.subjectUserId,
      verifyTokenHash: v.verifyTokenHash,
      verifyExpiresAt: v.verifyExpiresAt,
    })
    .returning();
  return row!;
}

/** The request whose verification link has this token hash (locked when `forUpdate`). */
export async function findByVerifyHash(ex: Executor | Tx, tokenHash: string, forUpdate = false): Promise<PrivacyRequestRow | undefined> {
  const q = ex.select().from(privacyRequests).where(eq(privacyRequests.verifyTokenHash, tokenHash)).limit(1);
  const [row] = forUpdate ? await q.for('update') : await q;
  return row;
}

/** Marks a request verified by its email link: in_progress, the link's hash cleared (single use). */
export async function markVerifiedByLink(ex: Executor, id: string, at: Date): Promise<PrivacyRequestRow> {
  const [row] = await ex
    .update(privacyRequests)
    .set({ state: 'in_progress', verifiedAt: at, verifiedHow: 'email_link', verifyTokenHash: null, verifyExpiresAt: null, updatedAt: at })
    .where(eq(privacyRequests.id, id))
    .returning();
  return row!;
}
