/**
 * Which requests act through a personal API token. The guard marks a request it authenticated by a
 * bearer token; `recordAudit` then adds `apiCredential: <token id>` to every event that request's
 * caller records, so the trail says "this user, through this token" without each service knowing
 * how the caller signed in. Keyed by the request id (a random UUID per request); the guard clears
 * the mark when the response ends, and marks older than an hour are dropped as a backstop.
 */
const marks = new Map<string, { tokenId: string; userId: string; at: number }>();
const STALE_MS = 3_600_000;

/** Marks request `requestId` as acting for `userId` through token `tokenId`. */
export function markActingCredential(requestId: string, tokenId: string, userId: string): void {
  const now = Date.now();
  if (marks.size > 10_000) for (const [k, v] of marks) if (now - v.at > STALE_MS) marks.delete(k);
  marks.set(requestId, { tokenId, userId, at: now });
}

/** Clears the mark of a finished request. */
export function clearActingCredential(requestId: string): void {
  marks.delete(requestId);
}

/** The token through which `userId` acts in request `requestId`, if any. */
export function actingCredentialOf(requestId: string | null, userId: string | null): string | null {
  if (!requestId || !userId) return null;
  const m = marks.get(requestId);
  return m && m.userId === userId ? m.tokenId : null;
}
