/**
 * A realistic stream of distinct, signed webhook deliveries for load and crash tests, built with the
 * simulator's event builders and serialised as Meta sends them: 70 % outbound message statuses
 * (mostly one per POST, some batched), 20 % inbound texts, 10 % management fields. Every change is
 * distinct (fresh wamids; each management change is about its own WABA), so none is a duplicate.
 */
import { buildWebhookBody, hubSignature, metaJson, type EventSpec } from '../../../meta-simulator/event-builders.js';
import type { SimWorld } from '../../../meta-simulator/types.js';
import { seedWorld } from '../../../meta-simulator/world.js';

export type DeliveryKind = 'status' | 'inbound' | 'management';

/** One pre-signed delivery. */
export interface SignedDelivery {
  kind: DeliveryKind;
  /** the exact bytes (ASCII: metaJson escapes everything else) */
  body: string;
  /** X-Hub-Signature-256 */
  signature: string;
}

const STATUSES = ['sent', 'sent', 'delivered', 'delivered', 'read', 'failed'] as const;
const MANAGEMENT: Omit<EventSpec, 'wabaId'>[] = [
  { field: 'phone_number_quality_update', event: 'UPGRADE' },
  { field: 'phone_number_quality_update', event: 'FLAGGED' },
  { field: 'phone_number_name_update', event: 'APPROVED' },
  { field: 'account_review_update', event: 'APPROVED' },
  { field: 'account_update', event: 'ACCOUNT_VIOLATION' },
  { field: 'account_update', event: 'DISABLED_UPDATE' },
  { field: 'account_update', event: 'PARTNER_ADDED' },
  { field: 'business_capability_update' },
];

/** A small deterministic PRNG (mulberry32): the same seed gives the same mix. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A customer WABA of its own (cloned from a seeded one) for management change `i`. */
function ownWaba(world: SimWorld, template: SimWorld, i: number, base: number): string {
  const w = [...template.wabas.values()][i % template.wabas.size]!;
  const p = [...template.phoneNumbers.values()].find((x) => x.wabaId === w.id)!;
  const id = String(base + i);
  world.wabas.set(id, { ...w, id, subscriptions: new Map() });
  world.phoneNumbers.set(String(base + 500_000_000 + i), { ...p, id: String(base + 500_000_000 + i), wabaId: id, registrationCalls: [] });
  return id;
}

/**
 * `count` distinct deliveries signed with `appSecret`. `idBase` keeps the synthetic WABA ids of two
 * calls apart (pass a different one per call in the same database).
 */
export function signedDeliveries(count: number, opts: { appSecret: string; now?: Date; seed?: number; idBase?: number }): SignedDelivery[] {
  const rnd = prng(opts.seed ?? 42);
  const template = seedWorld();
  const world = seedWorld();
  const phones = [...template.phoneNumbers.values()];
  const now = opts.now ?? new Date();
  const base = opts.idBase ?? 900_000_000_000_000;
  const out: SignedDelivery[] = [];
  let managed = 0;
  for (let i = 0; i < count; i++) {
    const r = rnd();
    let kind: DeliveryKind;
    let spec: EventSpec;
    if (r < 0.7) {
      const phone = phones[Math.floor(rnd() * phones.length)]!;
      const batched = rnd() < 0.1;
      kind = 'status';
      spec = { field: 'messages', event: STATUSES[Math.floor(rnd() * STATUSES.length)]!, wabaId: phone.wabaId, phoneNumberId: phone.id, count: batched ? 2 + Math.floor(rnd() * 4) : 1 };
    } else if (r < 0.9) {
      const phone = phones[Math.floor(rnd() * phones.length)]!;
      kind = 'inbound';
      spec = { field: 'messages', event: 'text', wabaId: phone.wabaId, phoneNumberId: phone.id };
    } else {
      kind = 'management';
      const m = MANAGEMENT[managed % MANAGEMENT.length]!;
      spec = { ...m, wabaId: ownWaba(world, template, managed, base) };
      managed++;
    }
    const body = metaJson(buildWebhookBody({ world, now }, spec));
    out.push({ kind, body, signature: hubSignature(opts.appSecret, body) });
  }
  return out;
}
