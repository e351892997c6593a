/**
 * Anchors: signed checkpoints of the chain head. A chain alone cannot show that its newest links
 * were cut off; an anchor (position, head hash, time, HMAC with a key-ring key) can, for everything
 * up to it. Written every ANCHOR_INTERVAL_MINUTES when the chain grew, at each purge, and on demand.
 */
import type { Db, Tx } from '../../../db/client.js';
import type { Clock } from '../../../lib/clock.js';
import type { Logger } from '../../../logger.js';
import type { KeyRing } from '../../vault/keyring.js';
import { recordAudit } from '../audit.service.js';
import { signAnchor, type AnchorReason } from './anchor-mac.js';
import { GENESIS_PREV_HASH } from './canonical.js';
import { actionAt, chainHead, insertAnchor, latestAnchor, lockChain } from './chain.repo.js';
import { sealInTx } from './sealer.js';

export interface AnchorDeps {
  clock: Clock;
  keyring: KeyRing;
  /** the anchor is also written to the log, so a copy lives outside the database */
  logger?: Pick<Logger, 'info'>;
}

export interface AnchorResult {
  anchorId: number;
  position: number;
  headHash: string;
  at: Date;
  reason: AnchorReason;
  purgedBelow: number | null;
}

/**
 * Seals what is pending and anchors the head, inside `tx` (which must hold the chain lock).
 * Records an 'audit.anchored' event: it is chained by the next seal, after this anchor.
 */
export async function anchorInTx(tx: Tx, deps: AnchorDeps, reason: AnchorReason, purgedBelow: number | null): Promise<AnchorResult> {
  await sealInTx(tx, deps.clock);
  const head = await chainHead(tx);
  const at = deps.clock.now();
  const fields = { position: head?.position ?? 0, headHash: head?.hash ?? GENESIS_PREV_HASH, at, reason, purgedBelow };
  const { keyId, mac } = signAnchor(deps.keyring, fields);
  const anchorId = await insertAnchor(tx, { ...fields, keyId, mac });
  await recordAudit(tx, deps.clock, { actorType: 'system', actorId: null, requestId: null }, {
    action: 'audit.anchored',
    details: { anchorId, position: fields.position, reason, purgedBelow },
  });
  return { anchorId, ...fields };
}

function logAnchor(deps: AnchorDeps, a: AnchorResult): void {
  deps.logger?.info(
    { auditAnchor: { id: a.anchorId, position: a.position, headHash: a.headHash, at: a.at.toISOString(), reason: a.reason, purgedBelow: a.purgedBelow } },
    'audit chain anchored',
  );
}

/** Anchors the chain head now (sealing pending events first). */
export async function anchorChain(db: Db, deps: AnchorDeps, reason: AnchorReason, purgedBelow?: number): Promise<AnchorResult> {
  const result = await db.transaction(async (tx) => {
    await lockChain(tx);
    return anchorInTx(tx, deps, reason, purgedBelow ?? null);
  });
  logAnchor(deps, result);
  return result;
}

/**
 * The scheduled anchor: only when the chain moved past the latest anchor (an idle system does not
 * grow a row per interval). Anchoring records an event, which the next round then covers: so an idle
 * system gets one more anchor after its last activity, then none.
 */
export async function anchorIfMoved(db: Db, deps: AnchorDeps): Promise<AnchorResult | null> {
  const result = await db.transaction(async (tx) => {
    await lockChain(tx);
    await sealInTx(tx, deps.clock);
    const [head, last] = await Promise.all([chainHead(tx), latestAnchor(tx)]);
    if (last && (head?.position ?? 0) <= last.position) return null;
    // the only new link is the previous anchor's own event: nothing else happened
    if (last && head && head.position === last.position + 1 && (await actionAt(tx, head.position)) === 'audit.anchored') return null;
    return anchorInTx(tx, deps, 'scheduled', null);
  });
  if (result) logAnchor(deps, result);
  return result;
}
