/**
 * The sealer: appends committed audit events to the chain, one writer at a time (advisory lock),
 * in (xid, id) order. Chosen over a lock at write time (docs/decisions/0004-audit-chain-sealer.md):
 * audited writes never wait for each other, and the chain still never forks.
 */
import type { Db, Tx } from '../../../db/client.js';
import type { Clock } from '../../../lib/clock.js';
import { GENESIS_PREV_HASH, linkHash } from './canonical.js';
import { chainHead, insertLinks, lockChain, sealableEvents, tryLockChain, type NewLink } from './chain.repo.js';

const BATCH = 1000;

/** How often each instance's sealer loop runs: the chain trails committed writes by about this much. */
export const SEAL_INTERVAL_MS = 2000;

/** Seals what is sealable inside `tx`, which must already hold the chain lock. Returns links added. */
export async function sealInTx(tx: Tx, clock: Clock): Promise<number> {
  let total = 0;
  for (;;) {
    const head = await chainHead(tx);
    const events = await sealableEvents(tx, BATCH);
    if (events.length === 0) return total;
    let prev = head?.hash ?? GENESIS_PREV_HASH;
    let position = head?.position ?? 0;
    const sealedAt = clock.now();
    const links: NewLink[] = events.map((e) => {
      const hash = linkHash(prev, e);
      const link = { position: ++position, eventId: e.id, prevHash: prev, hash, sealedAt };
      prev = hash;
      return link;
    });
    await insertLinks(tx, links);
    total += links.length;
    if (events.length < BATCH) return total;
  }
}

/**
 * Seals pending events in one transaction. With `wait: false` (the periodic loop) it returns 0 at
 * once when another instance holds the lock: that one is sealing the same events.
 */
export async function sealChain(db: Db, clock: Clock, opts: { wait?: boolean } = {}): Promise<number> {
  return db.transaction(async (tx) => {
    if (opts.wait === false) {
      if (!(await tryLockChain(tx))) return 0;
    } else await lockChain(tx);
    return sealInTx(tx, clock);
  });
}

/**
 * Runs the sealer every `intervalMs` in this process (pg-boss schedules have minute granularity;
 * the chain should trail writes by seconds). Errors are logged and retried on the next tick.
 */
export function startSealerLoop(opts: {
  db: Db;
  clock: Clock;
  intervalMs: number;
  logger: { warn(obj: object, msg: string): void };
}): { stop(): Promise<void> } {
  let running: Promise<unknown> | null = null;
  let stopped = false;
  const timer = setInterval(() => {
    if (running || stopped) return;
    running = sealChain(opts.db, opts.clock, { wait: false })
      .catch((err: unknown) => opts.logger.warn({ err }, 'audit chain sealing failed; retrying'))
      .finally(() => {
        running = null;
      });
  }, opts.intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
