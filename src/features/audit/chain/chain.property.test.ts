/**
 * Properties of the chain rules (verify-walk.ts) over a model of the three tables: an untouched
 * chain verifies, and any modification, insertion, deletion, reordering or tail truncation at or
 * before the latest anchor is detected — also when the tamperer recomputes every later hash (they
 * cannot re-sign the anchor without the key).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadKeyRing } from '../../vault/keyring.js';
import { signAnchor } from './anchor-mac.js';
import { GENESIS_PREV_HASH, linkHash, type CanonicalEvent } from './canonical.js';
import { ChainWalk, type WalkAnchor, type WalkLink } from './verify-walk.js';

const keyring = loadKeyRing({ keys: `k1:${Buffer.alloc(32, 9).toString('base64')}`, dataDir: '/nonexistent', embedded: false });

interface Link {
  position: number;
  eventId: number;
  prevHash: string;
  hash: string;
}
interface Model {
  events: Map<number, CanonicalEvent>;
  links: Link[];
  anchors: WalkAnchor[];
}

const text = fc.string({ maxLength: 12 });
const eventArb = fc.record({
  at: fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().replace('Z', '000Z')),
  actorType: fc.constantFrom('user', 'system', 'cli', 'meta'),
  actorId: fc.option(text, { nil: null }),
  action: fc.constantFrom('user.invited', 'user.removed', 'audit.anchored', 'onboarding.connected'),
  targetType: fc.option(text, { nil: null }),
  targetId: fc.option(text, { nil: null }),
  requestId: fc.option(text, { nil: null }),
  changedFields: fc.array(text, { maxLength: 3 }),
  details: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v ?? {})),
});

/** Events 1..n, sealed in order, anchored at `anchorAt` (and maybe also earlier). */
function build(raw: Omit<CanonicalEvent, 'id' | 'xid'>[], anchorAt: number, extraAnchor: number | null): Model {
  const events = new Map<number, CanonicalEvent>();
  const links: Link[] = [];
  let prev = GENESIS_PREV_HASH;
  raw.forEach((r, i) => {
    const e: CanonicalEvent = { ...r, id: 100 + i, xid: String(5000 + i) };
    events.set(e.id, e);
    const hash = linkHash(prev, e);
    links.push({ position: i + 1, eventId: e.id, prevHash: prev, hash });
    prev = hash;
  });
  const anchors: WalkAnchor[] = [];
  for (const [id, pos] of [[1, extraAnchor], [2, anchorAt]] as const) {
    if (pos === null) continue;
    const fields = { position: pos, headHash: pos === 0 ? GENESIS_PREV_HASH : links[pos - 1]!.hash, at: new Date('2026-01-01T00:00:00Z'), reason: 'scheduled', purgedBelow: null };
    anchors.push({ id, ...fields, ...signAnchor(keyring, fields) });
  }
  return { events, links, anchors };
}

/** As the database driver does: links in position order with their events, then the unchained-events check. */
function verify(m: Model) {
  const walk = new ChainWalk(m.anchors, keyring);
  const ordered: WalkLink[] = [...m.links].sort((a, b) => a.position - b.position).map((l) => ({ ...l, event: m.events.get(l.eventId) ?? null }));
  walk.feed(ordered);
  const before = walk.endOfLinks();
  if (before !== null) {
    const chained = new Set(m.links.map((l) => l.eventId));
    const maxXid = Math.max(...m.links.filter((l) => l.position <= before).map((l) => Number(m.events.get(l.eventId)?.xid ?? 0)));
    walk.unchained([...m.events.values()].filter((e) => !chained.has(e.id) && Number(e.xid) <= maxXid).map((e) => e.id));
  }
  return walk;
}

/** The tamperer's best effort: rehash every link from `from` on, so each link matches its event. */
function rehashFrom(m: Model, from: number): void {
  const sorted = [...m.links].sort((a, b) => a.position - b.position);
  let prev = GENESIS_PREV_HASH;
  for (const l of sorted) {
    if (l.position >= from) {
      const e = m.events.get(l.eventId);
      l.prevHash = prev;
      if (e) l.hash = linkHash(prev, e);
    }
    prev = l.hash;
  }
}

type Tamper =
  | { kind: 'modify'; at: number; field: 'action' | 'actorId' | 'details' | 'at' | 'changedFields'; value: string }
  | { kind: 'modifyLink'; at: number }
  | { kind: 'insertLink'; at: number }
  | { kind: 'insertEvent'; at: number }
  | { kind: 'deleteEvent'; at: number }
  | { kind: 'deleteLink'; at: number }
  | { kind: 'deleteBoth'; at: number }
  | { kind: 'swap'; at: number; other: number }
  | { kind: 'truncate'; at: number };

function apply(m: Model, t: Tamper, rehash: boolean): void {
  const link = (p: number) => m.links.find((l) => l.position === p)!;
  switch (t.kind) {
    case 'modify': {
      const e = m.events.get(link(t.at).eventId)!;
      const changed = { ...e, [t.field]: t.field === 'changedFields' ? [...e.changedFields, t.value] : `${String(e[t.field])}~${t.value}` };
      m.events.set(e.id, changed);
      break;
    }
    case 'modifyLink':
      link(t.at).hash = link(t.at).hash.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
      break;
    case 'insertLink': {
      const e: CanonicalEvent = { ...m.events.get(link(t.at).eventId)!, id: 999, action: 'user.invited' };
      m.events.set(999, e);
      for (const l of m.links) if (l.position >= t.at) l.position++;
      m.links.push({ position: t.at, eventId: 999, prevHash: '', hash: '' });
      rehashFrom(m, t.at);
      break;
    }
    case 'insertEvent': {
      // a row slipped into audit_events, dated as if written before the anchored head
      const e: CanonicalEvent = { ...m.events.get(link(t.at).eventId)!, id: 999 };
      m.events.set(999, e);
      break;
    }
    case 'deleteEvent':
      m.events.delete(link(t.at).eventId);
      break;
    case 'deleteLink':
      m.links = m.links.filter((l) => l.position !== t.at);
      break;
    case 'deleteBoth': {
      // and renumber what follows, so positions stay contiguous
      const gone = link(t.at);
      m.events.delete(gone.eventId);
      m.links = m.links.filter((l) => l !== gone);
      for (const l of m.links) if (l.position > t.at) l.position--;
      if (rehash) rehashFrom(m, t.at);
      break;
    }
    case 'swap': {
      const a = link(t.at);
      const b = link(t.other);
      [a.eventId, b.eventId] = [b.eventId, a.eventId];
      break;
    }
    case 'truncate':
      for (const l of m.links.filter((x) => x.position >= t.at)) m.events.delete(l.eventId);
      m.links = m.links.filter((l) => l.position < t.at);
      break;
  }
  // (rehashing a tampered link would only restore it; rows outside the chain have nothing to rehash)
  if (rehash && !['truncate', 'deleteEvent', 'insertEvent', 'modifyLink'].includes(t.kind)) rehashFrom(m, 1);
}

/** A chain of 2..12 events, an anchor at 1..n, and a tamper at or before the anchor. */
const scenario = fc
  .array(eventArb, { minLength: 2, maxLength: 12 })
  .chain((raw) =>
    fc.record({
      raw: fc.constant(raw),
      anchorAt: fc.integer({ min: 1, max: raw.length }),
      extraAnchor: fc.option(fc.integer({ min: 0, max: raw.length }), { nil: null }),
      rehash: fc.boolean(),
    }),
  )
  .chain((s) => {
    const at = fc.integer({ min: 1, max: s.anchorAt });
    const tamper: fc.Arbitrary<Tamper> = fc.oneof(
      fc.record({ kind: fc.constant('modify' as const), at, field: fc.constantFrom('action' as const, 'actorId' as const, 'details' as const, 'at' as const, 'changedFields' as const), value: fc.string({ minLength: 1, maxLength: 4 }) }),
      fc.record({ kind: fc.constant('modifyLink' as const), at }),
      fc.record({ kind: fc.constant('insertLink' as const), at }),
      fc.record({ kind: fc.constant('insertEvent' as const), at }),
      fc.record({ kind: fc.constant('deleteEvent' as const), at }),
      fc.record({ kind: fc.constant('deleteLink' as const), at }),
      fc.record({ kind: fc.constant('deleteBoth' as const), at }),
      fc.record({ kind: fc.constant('truncate' as const), at }),
      ...(s.raw.length >= 2
        ? [
            fc
              .tuple(fc.integer({ min: 1, max: s.raw.length }), fc.integer({ min: 1, max: s.raw.length }))
              .filter(([a, b]) => a !== b && Math.min(a, b) <= s.anchorAt)
              .map(([a, b]): Tamper => ({ kind: 'swap', at: a, other: b })),
          ]
        : []),
    );
    return fc.record({ s: fc.constant(s), tamper });
  });

describe('audit chain verification (properties)', () => {
  it('an untouched chain verifies up to its latest anchor', () => {
    fc.assert(
      fc.property(scenario, ({ s }) => {
        const walk = verify(build(s.raw, s.anchorAt, s.extraAnchor));
        expect(walk.firstBreak).toBeNull();
        expect(walk.verifiedUpTo).toBe(Math.max(s.anchorAt, s.extraAnchor ?? 0));
      }),
      { numRuns: 200 },
    );
  });

  it('any modification, insertion, deletion, reordering or tail truncation up to the latest anchor is detected', () => {
    fc.assert(
      fc.property(scenario, ({ s, tamper }) => {
        const m = build(s.raw, s.anchorAt, s.extraAnchor);
        apply(m, tamper, s.rehash);
        const walk = verify(m);
        expect(walk.firstBreak, JSON.stringify(tamper)).not.toBeNull();
        expect(walk.verifiedUpTo).toBeLessThan(Math.max(s.anchorAt, s.extraAnchor ?? 0));
      }),
      { numRuns: 600 },
    );
  });

  it('is honest about its scope: a tail cut after the latest anchor is not noticed', () => {
    fc.assert(
      fc.property(
        fc.array(eventArb, { minLength: 3, maxLength: 8 }).chain((raw) => fc.record({ raw: fc.constant(raw), anchorAt: fc.integer({ min: 1, max: raw.length - 1 }) })),
        ({ raw, anchorAt }) => {
          const m = build(raw, anchorAt, null);
          apply(m, { kind: 'truncate', at: anchorAt + 1 }, false);
          expect(verify(m).firstBreak).toBeNull();
        },
      ),
      { numRuns: 50 },
    );
  });
});
