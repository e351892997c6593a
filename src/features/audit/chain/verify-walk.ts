/**
 * The verification rules, without a database: fed the anchors, then the links in position order
 * (each with its event's current content), then told which events are missing from the chain.
 * verify.ts drives it from PostgreSQL page by page; the property tests drive it from a model.
 */
import type { KeyRing } from '../../vault/keyring.js';
import { checkAnchorMac } from './anchor-mac.js';
import { GENESIS_PREV_HASH, linkHash, type CanonicalEvent } from './canonical.js';

export interface WalkAnchor {
  id: number;
  position: number;
  headHash: string;
  at: Date;
  reason: string;
  purgedBelow: number | null;
  keyId: string;
  mac: string;
}

export interface WalkLink {
  position: number;
  eventId: number;
  prevHash: string;
  hash: string;
  /** null when the event row is gone */
  event: CanonicalEvent | null;
}

export type BreakKind =
  | 'position_gap'
  | 'prev_hash_mismatch'
  | 'event_missing'
  | 'hash_mismatch'
  | 'anchor_mac_invalid'
  | 'anchor_key_unknown'
  | 'anchor_mismatch'
  | 'chain_truncated'
  | 'event_not_chained';

export interface ChainBreak {
  kind: BreakKind;
  /** the chain position where it shows (for an anchor: the position it anchors) */
  position: number;
  eventId: number | null;
  anchorId: number | null;
  /** what is wrong, in words (never event contents) */
  message: string;
}

export class ChainWalk {
  readonly startPosition: number;
  /** the valid anchor with the highest position: what verification covers */
  readonly latest: WalkAnchor | null;
  firstBreak: ChainBreak | null = null;
  linksChecked = 0;
  headPosition: number;
  private expected: number;
  private prevHash: string | null;
  private readonly anchorsAt = new Map<number, WalkAnchor[]>();
  private done = false;

  constructor(
    readonly anchors: WalkAnchor[],
    keyring: KeyRing,
  ) {
    const valid: WalkAnchor[] = [];
    for (const a of anchors) {
      const mac = checkAnchorMac(keyring, a);
      if (mac === 'ok') valid.push(a);
      else
        this.fail({
          kind: mac === 'unknown_key' ? 'anchor_key_unknown' : 'anchor_mac_invalid',
          position: a.position,
          eventId: null,
          anchorId: a.id,
          message: mac === 'unknown_key' ? `anchor ${a.id} is signed with key ${a.keyId}, which is not in the key ring` : `anchor ${a.id}: the signature does not match its contents`,
        });
    }
    // Only a validly signed purge anchor moves the start: a forged one could hide a deleted prefix.
    this.startPosition = valid.reduce((s, a) => (a.reason === 'purge' && a.purgedBelow !== null && a.purgedBelow > s ? a.purgedBelow : s), 1);
    this.latest = valid.reduce<WalkAnchor | null>((l, a) => (!l || a.position > l.position || (a.position === l.position && a.id > l.id) ? a : l), null);
    for (const a of valid) this.anchorsAt.set(a.position, [...(this.anchorsAt.get(a.position) ?? []), a]);
    for (const a of this.anchorsAt.get(0) ?? []) {
      if (a.headHash !== GENESIS_PREV_HASH) this.fail({ kind: 'anchor_mismatch', position: 0, eventId: null, anchorId: a.id, message: `anchor ${a.id} of the empty chain has a head hash other than the genesis hash` });
    }
    this.expected = this.startPosition;
    // after a purge the link before the start is gone: its hash cannot be checked
    this.prevHash = this.startPosition === 1 ? GENESIS_PREV_HASH : null;
    this.headPosition = this.startPosition - 1;
  }

  /** The position the next page should start from (inclusive). */
  get nextPosition(): number {
    return this.expected;
  }

  /** True once a break was found in the links (no need to read further). */
  get stopped(): boolean {
    return this.done;
  }

  private fail(b: ChainBreak): void {
    if (!this.firstBreak || b.position < this.firstBreak.position) this.firstBreak = b;
  }

  private stop(b: ChainBreak): void {
    this.fail(b);
    this.done = true;
  }

  /** Checks the next links, in position order, starting at nextPosition. */
  feed(links: WalkLink[]): void {
    for (const link of links) {
      if (this.done) return;
      if (link.position < this.expected) continue; // below a purge cut, or a duplicate read
      this.linksChecked++;
      if (link.position !== this.expected) {
        return this.stop({ kind: 'position_gap', position: this.expected, eventId: null, anchorId: null, message: `positions ${this.expected}..${link.position - 1} are missing (links deleted)` });
      }
      this.headPosition = link.position;
      if (this.prevHash !== null && link.prevHash !== this.prevHash) {
        return this.stop({ kind: 'prev_hash_mismatch', position: link.position, eventId: link.eventId, anchorId: null, message: "the link does not name the previous link's hash (links replaced or reordered)" });
      }
      if (!link.event) {
        return this.stop({ kind: 'event_missing', position: link.position, eventId: link.eventId, anchorId: null, message: `event ${link.eventId} is gone (deleted outside the purge)` });
      }
      if (link.event.id !== link.eventId || linkHash(link.prevHash, link.event) !== link.hash) {
        return this.stop({ kind: 'hash_mismatch', position: link.position, eventId: link.eventId, anchorId: null, message: `event ${link.eventId} no longer matches its hash (modified, or the link was moved)` });
      }
      for (const a of this.anchorsAt.get(link.position) ?? []) {
        if (a.headHash !== link.hash) {
          return this.stop({ kind: 'anchor_mismatch', position: link.position, eventId: link.eventId, anchorId: a.id, message: `anchor ${a.id} signed a different head hash for this position (chain rewritten)` });
        }
      }
      this.prevHash = link.hash;
      this.expected = link.position + 1;
    }
  }

  /** After the last link: the chain must reach the latest anchor. Returns the position whose unchained predecessors must be checked (or null). */
  endOfLinks(): number | null {
    const latest = this.latest;
    if (this.done || !latest || latest.position < this.startPosition) return null;
    if (latest.position > this.headPosition) {
      this.stop({ kind: 'chain_truncated', position: this.headPosition + 1, eventId: null, anchorId: latest.id, message: `the chain ends at position ${this.headPosition}, but anchor ${latest.id} covers position ${latest.position} (links deleted from the tail)` });
      return null;
    }
    return latest.position > 0 ? latest.position : null;
  }

  /** Events written before the anchored head but missing from the chain (found by the caller). */
  unchained(eventIds: number[]): void {
    const id = eventIds[0];
    const latest = this.latest;
    if (id === undefined || !latest) return;
    this.stop({ kind: 'event_not_chained', position: latest.position, eventId: id, anchorId: latest.id, message: `event ${id} was written before the anchored head but is not in the chain (inserted, or its link removed)` });
  }

  /** Everything up to here is covered by an anchor and verified. */
  get verifiedUpTo(): number {
    const upTo = this.latest?.position ?? 0;
    return this.firstBreak ? Math.max(0, Math.min(this.firstBreak.position - 1, upTo)) : upTo;
  }
}
