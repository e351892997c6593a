/** zod request and response schemas of the personal API token routes. The token leaves only in the creation answer. */
import { z } from 'zod';
import { ROLES } from '../permissions.js';
import { MAX_TOKEN_DAYS } from './api-tokens.service.js';

export const createTokenBody = z.strictObject({
  name: z.string().trim().min(1, 'must not be blank').max(100, 'must be at most 100 characters'),
  /** defaults to the creator's role; never above it */
  role: z.enum(ROLES).optional(),
  expiresInDays: z.number().int('must be a whole number of days').min(1, 'must be at least 1').max(MAX_TOKEN_DAYS, `must be at most ${MAX_TOKEN_DAYS} (one year)`),
});

export const tokenItem = z.object({
  id: z.uuid(),
  name: z.string(),
  role: z.enum(ROLES),
  /** the first characters of the token, to recognise it */
  prefix: z.string(),
  createdAt: z.date(),
  expiresAt: z.date(),
  lastUsedAt: z.date().nullable(),
  state: z.enum(['active', 'expired', 'revoked']),
  revokedAt: z.date().nullable(),
  revokedReason: z.string().nullable(),
});

export const tokenList = z.object({ items: z.array(tokenItem) });
export const createdToken = z.object({
  item: tokenItem,
  /** shown once: only its SHA-256 is kept */
  token: z.string(),
});
export const tokenParams = z.strictObject({ id: z.uuid('must be a token id') });
