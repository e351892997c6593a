/**
 * Shared accounts (contract.md: a separate kind): WABAs Meta reports as shared with the app
 * (account_update PARTNER_ADDED / PARTNER_APP_INSTALLED, kept in shared_wabas by webhook processing)
 * that have no onboarding record. GET /api/v1/onboarding/shared-accounts.
 */
import { z } from 'zod';
import { decodeCursor, encodeCursor } from '../../http/cursor.js';
import { AppError } from '../../http/errors.js';
import { SHARE_EVENTS } from '../webhooks/webhook-fields.js';
import type { OnboardingDeps } from './onboarding.types.js';
import { listSharedWithoutRecord } from './shared-accounts.repo.js';

export const sharedAccountsQuery = z.strictObject({
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const sharedAccountSchema = z.object({
  wabaId: z.string(),
  ownerBusinessId: z.string().nullable(),
  /** when Meta first reported the share (the event's own time) */
  sharedAt: z.date(),
  /** the latest account_update event about the share (PARTNER_ADDED ... PARTNER_REMOVED) and its time */
  lastEvent: z.string(),
  lastEventAt: z.date(),
  /** false once the latest event ended the share (PARTNER_REMOVED, ...) */
  shared: z.boolean(),
});

export const sharedAccountListSchema = z.object({ items: z.array(sharedAccountSchema), nextCursor: z.string().nullable() });

/** WABA ids are Meta's digits. */
const WABA_ID = /^\d{1,30}$/;
const SHARE = new Set<string>(SHARE_EVENTS);

/** One page of shared accounts, newest share first. */
export async function listSharedAccounts(deps: Pick<OnboardingDeps, 'db'>, q: z.output<typeof sharedAccountsQuery>): Promise<z.input<typeof sharedAccountListSchema>> {
  let after: { sharedAt: Date; wabaId: string } | undefined;
  if (q.cursor) {
    const c = decodeCursor(q.cursor, WABA_ID);
    const at = c.value ? new Date(c.value) : null;
    if (!at || Number.isNaN(at.getTime())) throw new AppError('validation_failed', 'cursor: is not a cursor from this list', [{ path: 'cursor', message: 'is not a cursor from this list' }]);
    after = { sharedAt: at, wabaId: c.id };
  }
  const rows = await listSharedWithoutRecord(deps.db, { after, limit: q.limit + 1 });
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({ wabaId: r.wabaId, ownerBusinessId: r.ownerBusinessId, sharedAt: r.sharedAt, lastEvent: r.lastEvent, lastEventAt: r.lastEventAt, shared: SHARE.has(r.lastEvent) })),
    nextCursor: rows.length > q.limit && last ? encodeCursor(last.sharedAt.toISOString(), last.wabaId) : null,
  };
}
