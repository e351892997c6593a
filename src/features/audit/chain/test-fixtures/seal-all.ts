/**
 * Seals until every written event is chained. The sealer only takes events older than the oldest
 * transaction still running anywhere on the PostgreSQL server (other databases included), so on a
 * shared test server another test's open transaction can hold it back for a moment.
 */
import type { Db } from '../../../../db/client.js';
import type { Clock } from '../../../../lib/clock.js';
import { countUnchained } from '../chain.repo.js';
import { sealChain } from '../sealer.js';

export async function sealAll(db: Db, clock: Clock, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    await sealChain(db, clock);
    if ((await countUnchained(db)) === 0) return;
    if (Date.now() > until) throw new Error('events still unchained: a transaction stays open on the server');
    await new Promise((r) => setTimeout(r, 25));
  }
}
