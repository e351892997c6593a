/**
 * Legal holds (owners): placed on a user or an onboarding record with a reason, lifted with a
 * reason. While a hold is active the purge skips the subject's data and deletion requests keep it.
 */
import { decodeCursor, encodeCursor } from '../../http/cursor.js';
import { AppError, fieldError } from '../../http/errors.js';
import { recordAudit } from '../audit/audit.service.js';
import type { AuditContext } from '../audit/audit.types.js';
import { findUserById } from '../access/users.repo.js';
import { findRecord } from '../onboarding/onboarding.repo.js';
import { findHold, insertHold, liftHold, listHolds, subjectNames, type HoldRow, type HoldSubject } from './legal-holds.repo.js';
import type { RetentionDeps } from './retention.deps.js';

type HoldDeps = Pick<RetentionDeps, 'db' | 'clock'>;

export interface HoldView extends HoldRow {
  /** a name for the subject as owners know it (user's name, record's business or WABA name) */
  subjectLabel: string | null;
}

/** Places a hold on an existing subject; 409 when it already has an active one. */
export async function placeHold(deps: HoldDeps, actor: AuditContext, v: { subjectType: HoldSubject; subjectId: string; reason: string }): Promise<HoldView> {
  const now = deps.clock.now();
  const hold = await deps.db.transaction(async (tx) => {
    const exists = v.subjectType === 'user' ? await findUserById(tx, v.subjectId) : await findRecord(tx, v.subjectId);
    if (!exists) throw fieldError('subjectId', v.subjectType === 'user' ? 'no user has this id' : 'no onboarding record has this id');
    const row = await insertHold(tx, { ...v, placedBy: actor.actorType === 'user' ? actor.actorId : null, at: now });
    if (!row) throw new AppError('conflict', 'subjectId: this subject is already under an active legal hold', [{ path: 'subjectId', message: 'is already under an active legal hold' }]);
    await recordAudit(tx, deps.clock, actor, { action: 'legal_hold.placed', targetType: v.subjectType, targetId: v.subjectId, details: { holdId: row.id, subjectType: v.subjectType } });
    return row;
  });
  return (await labelled(deps, [hold]))[0]!;
}

/** Lifts an active hold; 404 for an unknown hold, 409 when it was already lifted. */
export async function removeHold(deps: HoldDeps, actor: AuditContext, id: string, reason: string): Promise<HoldView> {
  const now = deps.clock.now();
  const hold = await deps.db.transaction(async (tx) => {
    const row = await liftHold(tx, id, { by: actor.actorType === 'user' ? actor.actorId : null, reason, at: now });
    if (!row) {
      if (await findHold(tx, id)) throw new AppError('conflict', 'this legal hold was already lifted');
      throw new AppError('not_found', 'no legal hold has this id');
    }
    await recordAudit(tx, deps.clock, actor, { action: 'legal_hold.lifted', targetType: row.subjectType as HoldSubject, targetId: row.subjectId, details: { holdId: row.id, subjectType: row.subjectType } });
    return row;
  });
  return (await labelled(deps, [hold]))[0]!;
}

/** A page of holds, newest first. */
export async function listHoldsPage(deps: HoldDeps, q: { active: boolean; limit: number; cursor?: string }): Promise<{ items: HoldView[]; nextCursor: string | null }> {
  let after: { placedAt: Date; id: string } | undefined;
  if (q.cursor) {
    const c = decodeCursor(q.cursor);
    if (c.value === null || Number.isNaN(Date.parse(c.value))) throw fieldError('cursor', 'is not a cursor from this list');
    after = { placedAt: new Date(c.value), id: c.id };
  }
  const rows = await listHolds(deps.db, { active: q.active, limit: q.limit + 1, after });
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return { items: await labelled(deps, page), nextCursor: rows.length > q.limit && last ? encodeCursor(last.placedAt.toISOString(), last.id) : null };
}

async function labelled(deps: HoldDeps, rows: HoldRow[]): Promise<HoldView[]> {
  const names = await subjectNames(
    deps.db,
    rows.filter((r) => r.subjectType === 'user').map((r) => r.subjectId),
    rows.filter((r) => r.subjectType === 'onboarding').map((r) => r.subjectId),
  );
  return rows.map((r) => ({ ...r, subjectLabel: names.get(r.subjectId) ?? null }));
}
