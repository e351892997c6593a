/**
 * Time-based triggers: business tokens expiring within 14 days or expired, privacy requests
 * received, due within 7 days or overdue. Each occurrence has its own dedupe key (the token's
 * expiry, the request's due date), so the minute-by-minute scan notifies it once.
 */
import type { Db } from '../../db/client.js';
import type { Clock } from '../../lib/clock.js';
import { messages } from './messages.js';
import { notify } from './notify.js';
import { requestsToNotify, SCAN_WINDOWS, tokensToNotify } from './scan.repo.js';

/** Writes intents for everything due now; returns how many were new. */
export async function scanTimeTriggers(deps: { db: Db; clock: Clock }): Promise<number> {
  const now = deps.clock.now();
  let n = 0;
  const add = async (input: Parameters<typeof notify>[2]) => {
    if (await notify(deps.db, now, input)) n++;
  };
  for (const c of await tokensToNotify(deps.db, now, 'expiring', SCAN_WINDOWS.tokenExpiring)) await add(messages.tokenExpiring(c.id, c.key, c.name, c.expiresAt));
  for (const c of await tokensToNotify(deps.db, now, 'expired', SCAN_WINDOWS.tokenExpired)) await add(messages.tokenExpired(c.id, c.key, c.name, c.expiresAt));
  for (const c of await requestsToNotify(deps.db, now, 'received', SCAN_WINDOWS.received)) await add(messages.privacyReceived(c.id, c.kind, c.dueAt));
  for (const c of await requestsToNotify(deps.db, now, 'due_soon', SCAN_WINDOWS.dueSoon)) await add(messages.privacyDueSoon(c.id, c.key, c.kind, c.dueAt));
  for (const c of await requestsToNotify(deps.db, now, 'overdue', SCAN_WINDOWS.overdue)) await add(messages.privacyOverdue(c.id, c.key, c.kind, c.dueAt));
  return n;
}
