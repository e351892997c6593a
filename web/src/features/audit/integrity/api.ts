/** The audit chain verification (`/api/v1/audit/verify`, see docs/API-v1-audit-chain.md). */
import { api } from '../../../lib/api.js';

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

export interface VerifyReport {
  ok: boolean;
  startPosition: number;
  headPosition: number;
  verifiedUpTo: number;
  latestAnchor: { id: number; position: number; at: string; reason: string } | null;
  newerEvents: number;
  linksChecked: number;
  anchorsChecked: number;
  firstBreak: { kind: BreakKind; position: number; eventId: number | null; anchorId: number | null; message: string } | null;
  summary: string;
}

/** Verifies now (recorded in the audit log); with `anchorFirst`, signs the current head first. */
export const verifyAuditChain = (anchorFirst: boolean) => api.post<VerifyReport>('/audit/verify', { anchorFirst });
