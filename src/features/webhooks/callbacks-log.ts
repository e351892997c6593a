/**
 * The Meta callbacks log (GET /api/v1/webhooks/callbacks): the deauthorize and data deletion
 * callbacks Meta sent (verified ones only: refused callbacks are never stored), newest first, with
 * what each came to — the records it matched and what happened to each, or "no match".
 * Never a signed_request, a confirmation code or anything else from the privacy request.
 */
import { z } from 'zod';
import type { Db } from '../../db/client.js';
import { decodeCursor, encodeCursor } from '../../http/cursor.js';
import { AppError } from '../../http/errors.js';
import { listMetaCallbacks, recordNames, type MetaCallbackRow } from '../meta-callbacks/meta-callbacks.repo.js';

export const CALLBACK_KINDS = ['deauthorize', 'data_deletion'] as const;

export const callbackListQuery = z.strictObject({
  kind: z.enum(CALLBACK_KINDS).optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const callbackItemSchema = z.object({
  id: z.number().int(),
  kind: z.enum(CALLBACK_KINDS),
  receivedAt: z.date(),
  /** signed_request's issued_at (Meta's time), when given */
  issuedAt: z.date().nullable(),
  metaUserId: z.string(),
  outcome: z.object({
    /** matched: records were linked to the Meta user; no_match: none (a normal outcome); repeat: a data deletion request Meta sent before */
    result: z.enum(['matched', 'no_match', 'repeat']),
    /**
     * deauthorize: each matched record and what happened to it (disconnected, kept, check_failed,
     * no_token, running, already_disconnected, changed, failed), with its name when it still exists
     */
    records: z.array(z.object({ recordId: z.string(), result: z.string(), name: z.string().nullable() })),
    /** data deletion: how many records were linked to the Meta user when it arrived */
    linkedRecords: z.number().int().nullable(),
    /** data deletion: the privacy request it opened (or repeated) and that request's state then */
    deletionRequest: z.object({ id: z.string(), state: z.string().nullable() }).nullable(),
  }),
});
export type CallbackItem = z.input<typeof callbackItemSchema>;

export const callbackListSchema = z.object({ items: z.array(callbackItemSchema), nextCursor: z.string().nullable() });

const ID = /^\d{1,18}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The records a deauthorize outcome names (only well-formed entries). */
function matchedRecords(outcome: Json): { recordId: string; result: string }[] {
  const list = Array.isArray(outcome.records) ? outcome.records : [];
  return list.flatMap((r) => (isObj(r) && typeof r.recordId === 'string' && UUID.test(r.recordId) ? [{ recordId: r.recordId, result: typeof r.result === 'string' ? r.result.slice(0, 40) : 'unknown' }] : []));
}

/** One stored callback as the API shows it (outcome written by deauthorize.service.ts / data-deletion.service.ts). */
function present(row: MetaCallbackRow, names: Map<string, { businessName: string | null; wabaName: string | null }>): CallbackItem {
  const o: Json = isObj(row.outcome) ? row.outcome : {};
  const kind = row.kind === 'data_deletion' ? 'data_deletion' : 'deauthorize';
  const issuedAt = row.issuedAt !== null ? new Date(row.issuedAt * 1000) : null;
  const base = { id: row.id, kind, receivedAt: row.receivedAt, issuedAt: issuedAt && !Number.isNaN(issuedAt.getTime()) ? issuedAt : null, metaUserId: row.metaUserId } as const;
  if (kind === 'deauthorize') {
    const records = matchedRecords(o).map((r) => {
      const n = names.get(r.recordId);
      return { ...r, name: n ? (n.businessName ?? n.wabaName) : null };
    });
    return { ...base, outcome: { result: records.length > 0 ? 'matched' : 'no_match', records, linkedRecords: null, deletionRequest: null } };
  }
  const linked = typeof o.linkedRecords === 'number' && Number.isInteger(o.linkedRecords) ? o.linkedRecords : null;
  const requestId = typeof o.privacyRequestId === 'string' && UUID.test(o.privacyRequestId) ? o.privacyRequestId : null;
  return {
    ...base,
    outcome: {
      result: o.repeat === true ? 'repeat' : (linked ?? 0) > 0 ? 'matched' : 'no_match',
      records: [],
      linkedRecords: linked,
      deletionRequest: requestId ? { id: requestId, state: typeof o.state === 'string' ? o.state.slice(0, 40) : null } : null,
    },
  };
}

/** One page of callbacks, newest first. */
export async function listCallbacks(deps: { db: Db }, q: z.output<typeof callbackListQuery>): Promise<z.input<typeof callbackListSchema>> {
  let after: { receivedAt: Date; id: number } | undefined;
  if (q.cursor) {
    const c = decodeCursor(q.cursor, ID);
    const at = c.value ? new Date(c.value) : null;
    if (!at || Number.isNaN(at.getTime())) throw new AppError('validation_failed', 'cursor: is not a cursor from this list', [{ path: 'cursor', message: 'is not a cursor from this list' }]);
    after = { receivedAt: at, id: Number(c.id) };
  }
  const rows = await listMetaCallbacks(deps.db, { kind: q.kind, after, limit: q.limit + 1 });
  const page = rows.slice(0, q.limit);
  const ids = [...new Set(page.flatMap((r) => (isObj(r.outcome) && r.kind === 'deauthorize' ? matchedRecords(r.outcome).map((m) => m.recordId) : [])))];
  const names = await recordNames(deps.db, ids);
  const last = page[page.length - 1];
  return { items: page.map((r) => present(r, names)), nextCursor: rows.length > q.limit && last ? encodeCursor(last.receivedAt.toISOString(), String(last.id)) : null };
}
