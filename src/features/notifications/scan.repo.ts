/**
 * The scans behind time-based notifications. Each returns only occurrences not yet notified (the
 * intent's dedupe key is built here in SQL, exactly as the scan service passes it to notify), so a
 * scan every minute costs an index walk, not a write per candidate.
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';

const DAY_MS = 86_400_000;
/** a timestamp as integer milliseconds, the form keys carry (values come from JS dates: exact) */
const msOf = (col: string) => sql.raw(`((extract(epoch from ${col}) * 1000)::bigint)::text`);
const notYet = (kind: string, key: ReturnType<typeof sql>) =>
  sql`NOT EXISTS (SELECT 1 FROM notification_intents i WHERE i.dedupe_key = ${`${kind}:`} || ${key})`;

export interface TokenCandidate {
  id: string;
  key: string;
  expiresAt: Date;
  name: string | null;
}

/** Records whose business token expires within `withinMs`, or expired less than `recentMs` ago. */
export async function tokensToNotify(ex: Executor, now: Date, which: 'expiring' | 'expired', windowMs: number): Promise<TokenCandidate[]> {
  const key = sql`r.id::text || ':' || ${msOf('r.token_expires_at')}`;
  const when =
    which === 'expiring'
      ? sql`r.token_expires_at > ${now} AND r.token_expires_at <= ${new Date(now.getTime() + windowMs)}`
      : sql`r.token_expires_at <= ${now} AND r.token_expires_at > ${new Date(now.getTime() - windowMs)}`;
  const r = await ex.execute<{ id: string; key: string; expires_at: Date | string; name: string | null }>(sql`
    SELECT r.id, ${key} AS key, r.token_expires_at AS expires_at, COALESCE(r.waba_name, r.business_name) AS name
      FROM onboarding_records r
     WHERE r.state IN ('connected', 'action_required') AND ${when} AND ${notYet(`token.${which}`, key)}
     ORDER BY r.token_expires_at LIMIT 500`);
  return r.rows.map((x) => ({ id: x.id, key: x.key, expiresAt: new Date(x.expires_at), name: x.name }));
}

export interface RequestCandidate {
  id: string;
  key: string;
  kind: string;
  dueAt: Date;
}

const OPEN = sql`p.state IN ('received', 'verifying', 'in_progress')`;

/** Open privacy requests: received lately, due within `windowMs`, or overdue since less than `windowMs`. */
export async function requestsToNotify(ex: Executor, now: Date, which: 'received' | 'due_soon' | 'overdue', windowMs: number): Promise<RequestCandidate[]> {
  const key = which === 'received' ? sql`p.id::text` : sql`p.id::text || ':' || ${msOf('p.due_at')}`;
  const when =
    which === 'received'
      ? sql`p.received_at > ${new Date(now.getTime() - windowMs)}`
      : which === 'due_soon'
        ? sql`p.due_at > ${now} AND p.due_at <= ${new Date(now.getTime() + windowMs)}`
        : sql`p.due_at <= ${now} AND p.due_at > ${new Date(now.getTime() - windowMs)}`;
  const r = await ex.execute<{ id: string; key: string; kind: string; due_at: Date | string }>(sql`
    SELECT p.id, ${key} AS key, p.kind, p.due_at
      FROM privacy_requests p
     WHERE ${OPEN} AND ${when} AND ${notYet(`privacy.${which}`, key)}
     ORDER BY p.due_at LIMIT 500`);
  return r.rows.map((x) => ({ id: x.id, key: x.key, kind: x.kind, dueAt: new Date(x.due_at) }));
}

export const SCAN_WINDOWS = { tokenExpiring: 14 * DAY_MS, tokenExpired: 14 * DAY_MS, received: 7 * DAY_MS, dueSoon: 7 * DAY_MS, overdue: 14 * DAY_MS };
