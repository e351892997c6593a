/**
 * What the public status page of a deletion request shows: its state in plain words, when it was
 * received and completed, what was deleted and what was kept and why. Nothing about anyone else:
 * no Meta user id, no record ids.
 */
import { z } from 'zod';
import { findByConfirmationCode, type PrivacyRequestRow } from './meta-callbacks.repo.js';
import type { MetaCallbackDeps } from './meta-callbacks.types.js';

/** The shape of a confirmation code (anything else is not looked up). */
export const CONFIRMATION_CODE = /^[A-Za-z0-9]{16,64}$/;

/** Plain words per contract state. */
export const STATE_TEXT: Record<PrivacyRequestRow['state'], string> = {
  received: 'We have received your request and will start on it soon.',
  verifying: 'We are waiting for you to confirm the request from the email we sent. Nothing is deleted until it is confirmed.',
  in_progress: 'Your request is confirmed and we are working on it. It is finished within one month of when we received it.',
  completed: 'Your request is complete.',
  rejected: 'We could not carry out this request. The note below says why.',
  cancelled: 'This request was cancelled.',
};

/** The status page's content (the JSON answer as is). */
export const deletionStatusSchema = z.object({
  state: z.enum(['received', 'verifying', 'in_progress', 'completed', 'rejected', 'cancelled']),
  stateText: z.string(),
  receivedAt: z.string(),
  completedAt: z.string().nullable(),
  deleted: z.array(z.string()),
  kept: z.array(z.object({ what: z.string(), why: z.string() })),
  note: z.string().nullable(),
});
export type DeletionStatus = z.output<typeof deletionStatusSchema>;

/** Reads the public parts of `outcome`, ignoring anything else the workflow keeps there. */
const outcomeSchema = z.object({
  deleted: z.array(z.string().max(500)).max(100).catch([]).default([]),
  kept: z
    .array(z.object({ what: z.string().max(500), why: z.string().max(2000) }))
    .max(100)
    .catch([])
    .default([]),
  note: z.string().max(2000).nullable().catch(null).default(null),
});

/** The view of a request row. */
export function presentStatus(row: PrivacyRequestRow): DeletionStatus {
  const parsed = outcomeSchema.safeParse(row.outcome ?? {});
  const outcome = parsed.success ? parsed.data : { deleted: [], kept: [], note: null };
  return {
    state: row.state,
    stateText: STATE_TEXT[row.state],
    receivedAt: row.receivedAt.toISOString(),
    completedAt: row.completedAt ? row.completedAt.toISOString() : null,
    deleted: outcome.deleted.map((d) => d),
    kept: outcome.kept.map((k) => ({ what: k.what, why: k.why })),
    note: outcome.note,
  };
}

/** The status of the request with this code, or null (unknown or malformed code). */
export async function deletionStatus(deps: MetaCallbackDeps, code: string): Promise<DeletionStatus | null> {
  if (!CONFIRMATION_CODE.test(code)) return null;
  const row = await findByConfirmationCode(deps.onboarding.db, code);
  return row ? presentStatus(row) : null;
}
