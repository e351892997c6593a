/** Request and response shapes of /api/v1/audit/verify. */
import { z } from 'zod';

export const verifyBody = z
  .object({
    /** sign a 'manual' anchor of the current head first, so the check covers everything written so far */
    anchorFirst: z.boolean().default(false),
  })
  .strict()
  .optional();

const breakKind = z.enum([
  'position_gap',
  'prev_hash_mismatch',
  'event_missing',
  'hash_mismatch',
  'anchor_mac_invalid',
  'anchor_key_unknown',
  'anchor_mismatch',
  'chain_truncated',
  'event_not_chained',
]);

export const verifyReport = z.object({
  ok: z.boolean(),
  startPosition: z.number().int(),
  headPosition: z.number().int(),
  verifiedUpTo: z.number().int(),
  latestAnchor: z.object({ id: z.number().int(), position: z.number().int(), at: z.string(), reason: z.string() }).nullable(),
  newerEvents: z.number().int(),
  linksChecked: z.number().int(),
  anchorsChecked: z.number().int(),
  firstBreak: z
    .object({ kind: breakKind, position: z.number().int(), eventId: z.number().int().nullable(), anchorId: z.number().int().nullable(), message: z.string() })
    .nullable(),
  summary: z.string(),
});
