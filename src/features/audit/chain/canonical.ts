/**
 * The canonical encoding of an audit event and the chain's hash. Pure functions: the sealer,
 * the verifier and the property tests all use these, so a row hashes the same way everywhere.
 *
 * What is hashed: the event row's own columns (never its personal side values, which the privacy
 * workflow may erase without breaking the chain). Every value is the database's own text form
 * (timestamps with microseconds in UTC, jsonb as PostgreSQL prints it, which is normalised), so
 * nothing is lost to JavaScript number or Date precision.
 */
import { createHash } from 'node:crypto';

/** The first link's previous hash: 64 zeros (no event before it). */
export const GENESIS_PREV_HASH = '0'.repeat(64);

/** Bumped if the encoding ever changes; part of every hashed string. */
export const CANONICAL_VERSION = 'crm.audit.v1';

/** An event row as text, exactly as the chain repo reads it (see chain.repo.ts eventColumns). */
export interface CanonicalEvent {
  id: number;
  /** UTC, microseconds: 2026-01-01T00:00:00.000000Z */
  at: string;
  actorType: string;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  requestId: string | null;
  changedFields: string[];
  /** jsonb's text output */
  details: string;
  /** the writing transaction id (xid8, decimal) */
  xid: string;
}

/** A JSON array in a fixed field order: unambiguous (every string is quoted and escaped). */
export function encodeEvent(e: CanonicalEvent): string {
  return JSON.stringify([
    CANONICAL_VERSION,
    String(e.id),
    e.at,
    e.actorType,
    e.actorId,
    e.action,
    e.targetType,
    e.targetId,
    e.requestId,
    e.changedFields,
    e.details,
    e.xid,
  ]);
}

/** SHA-256 (hex) over the previous link's hash, a newline, and the event's canonical encoding. */
export function linkHash(prevHash: string, e: CanonicalEvent): string {
  return createHash('sha256').update(prevHash, 'utf8').update('\n', 'utf8').update(encodeEvent(e), 'utf8').digest('hex');
}
