/**
 * The `messages` field reduced to content-free facts: how many inbound messages and statuses of each
 * kind, SHA-256 of the message ids (wamids), Meta's error codes, the latest timestamp, and the dedupe
 * key over (message id, status) pairs. Texts, names and end-customer numbers are never read out.
 * Pure functions.
 */
import { createHash } from 'node:crypto';
import { MESSAGE_KINDS, type MessageKind } from './webhook-fields.js';

/** What a `messages` change leaves behind. */
export interface MessagesSummary {
  kinds: Partial<Record<MessageKind, number>>;
  messageIdHashes: string[];
  errorCodes: number[];
}

const KNOWN = new Set<string>(MESSAGE_KINDS);

export const sha256Hex = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Unix seconds (number or digit string) as a Date, or null when absent or implausible. */
export function unixTime(v: unknown): Date | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,12}$/.test(v) ? Number(v) : NaN;
  // 2001-09-09 .. 2286-11-20: anything else is not a webhook timestamp
  if (!Number.isInteger(n) || n < 1_000_000_000 || n > 9_999_999_999) return null;
  return new Date(n * 1000);
}

function errorCodesOf(v: unknown, into: Set<number>): void {
  for (const e of list(v)) {
    if (isObject(e) && typeof e.code === 'number' && Number.isInteger(e.code)) into.add(e.code);
  }
}

/** The summary, the (id, status) pairs and the latest timestamp of a messages change value. */
export function summariseMessages(value: Record<string, unknown>): { summary: MessagesSummary; pairs: string[]; latest: Date | null } {
  const kinds: Partial<Record<MessageKind, number>> = {};
  const hashes = new Set<string>();
  const codes = new Set<number>();
  const pairs: string[] = [];
  let latest: Date | null = null;
  const seen = (ts: unknown) => {
    const d = unixTime(ts);
    if (d && (!latest || d > latest)) latest = d;
  };
  const count = (k: MessageKind) => {
    kinds[k] = (kinds[k] ?? 0) + 1;
  };
  for (const m of list(value.messages)) {
    if (!isObject(m)) continue;
    count('inbound');
    const id = typeof m.id === 'string' ? m.id : '';
    if (id) hashes.add(sha256Hex(id));
    pairs.push(`${id}\u0000inbound`);
    seen(m.timestamp);
    errorCodesOf(m.errors, codes);
  }
  for (const s of list(value.statuses)) {
    if (!isObject(s)) continue;
    const status = typeof s.status === 'string' ? s.status : '';
    const kind: MessageKind = status !== 'inbound' && KNOWN.has(status) ? (status as MessageKind) : 'other';
    count(kind);
    const id = typeof s.id === 'string' ? s.id : '';
    if (id) hashes.add(sha256Hex(id));
    pairs.push(`${id}\u0000${status}`);
    seen(s.timestamp);
    errorCodesOf(s.errors, codes);
  }
  errorCodesOf(value.errors, codes);
  pairs.sort();
  return { summary: { kinds, messageIdHashes: [...hashes].sort(), errorCodes: [...codes].sort((a, b) => a - b) }, pairs, latest };
}
