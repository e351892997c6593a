/**
 * Verification against the database: feeds the chain, page by page, to the rules in
 * verify-walk.ts and reports "verified up to position P (anchor at T); N newer events not yet
 * anchored", or the first broken link. Never writes.
 *
 * Scope (said in the report): everything up to the latest anchor is covered. Links after it are
 * checked the same way, but a deletion from the tail after it could not be noticed until the next anchor.
 */
import type { Executor } from '../../../db/client.js';
import type { KeyRing } from '../../vault/keyring.js';
import { chainPage, countUnchained, listAnchors, unchainedEventsBefore } from './chain.repo.js';
import { ChainWalk, type ChainBreak } from './verify-walk.js';

export type { BreakKind, ChainBreak } from './verify-walk.js';

const PAGE = 5000;

export interface VerifyReport {
  ok: boolean;
  /** the first position checked (1, or the cut of the latest purge) */
  startPosition: number;
  /** the last chained position reached (0: empty chain) */
  headPosition: number;
  /** everything up to here is covered by an anchor and verified (0: nothing anchored yet) */
  verifiedUpTo: number;
  latestAnchor: { id: number; position: number; at: string; reason: string } | null;
  /** links after the latest anchor, plus events the sealer has not chained yet */
  newerEvents: number;
  linksChecked: number;
  anchorsChecked: number;
  firstBreak: ChainBreak | null;
  /** one line for people */
  summary: string;
}

export function summarize(r: Omit<VerifyReport, 'summary'>): string {
  const b = r.firstBreak;
  if (b) return `BROKEN at position ${b.position}${b.eventId !== null ? ` (event ${b.eventId})` : ''}: ${b.message}`;
  const anchored = r.latestAnchor
    ? `verified up to position ${r.verifiedUpTo} (anchor at ${r.latestAnchor.at})`
    : 'chain links verified, but no anchor yet: a cut-off tail would not show';
  return `${anchored}; ${r.newerEvents} newer event${r.newerEvents === 1 ? '' : 's'} not yet anchored`;
}

/** Walks the chain and the anchors. */
export async function verifyChain(ex: Executor, keyring: KeyRing): Promise<VerifyReport> {
  const walk = new ChainWalk(await listAnchors(ex), keyring);
  while (!walk.stopped) {
    const page = await chainPage(ex, walk.nextPosition, PAGE);
    walk.feed(page);
    if (page.length < PAGE) break;
  }
  const checkBefore = walk.endOfLinks();
  if (checkBefore !== null) walk.unchained(await unchainedEventsBefore(ex, checkBefore, 1));
  const latest = walk.latest;
  const newerEvents = Math.max(0, walk.headPosition - (latest?.position ?? 0)) + (await countUnchained(ex));
  const base = {
    ok: walk.firstBreak === null,
    startPosition: walk.startPosition,
    headPosition: Math.max(walk.headPosition, 0),
    verifiedUpTo: walk.verifiedUpTo,
    latestAnchor: latest ? { id: latest.id, position: latest.position, at: latest.at.toISOString(), reason: latest.reason } : null,
    newerEvents,
    linksChecked: walk.linksChecked,
    anchorsChecked: walk.anchors.length,
    firstBreak: walk.firstBreak,
  };
  return { ...base, summary: summarize(base) };
}
