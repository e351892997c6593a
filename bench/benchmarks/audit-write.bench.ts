/**
 * What auditing costs a write: the same change (a user's display name, as PATCH /me does) with and
 * without its audit event (event + two personal values, recordAudit in the same transaction), at 1
 * and at 8 concurrent writers (each on its own user, so rows never conflict), against the real
 * migrated database (embedded, or BENCH_DATABASE_URL) with the append-only triggers in place.
 *
 * The audited runs use the chain strategy the app ships: the sealer loop runs throughout, as in
 * production, chaining committed events every SEAL_INTERVAL_MS. For the decision record
 * (docs/decisions/0004-audit-chain-sealer.md) the alternative — a lock at write time: each audited
 * transaction takes the chain lock, reads the head and inserts its own link before committing — is
 * measured too (`lock_ratio_1`, `lock_ratio_8`), and so is the audit insert alone with no chain at
 * all (`unchained_ratio_8`), to tell the cost of the event rows from the cost of chaining them.
 *
 * The modes run in short chunks, interleaved with their order rotated, and time per mode is summed
 * over the chunks, so load drifting on a shared machine hits every mode alike. The sealer mode's
 * time includes sealing what its writes left unsealed (the sealing is paid for, not deferred).
 * value = audited (sealer) / plain time per change at 8 writers; ratio_1 = the same at 1 writer.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../../src/config.js';
import { openDatabase, type Database, type Tx } from '../../src/db/client.js';
import { insertUser, updateUserProfile } from '../../src/features/access/users.repo.js';
import { recordAudit } from '../../src/features/audit/audit.service.js';
import { linkHash } from '../../src/features/audit/chain/canonical.js';
import { canonicalEvent, chainHead, insertLinks, lockChain } from '../../src/features/audit/chain/chain.repo.js';
import { SEAL_INTERVAL_MS, sealChain, startSealerLoop } from '../../src/features/audit/chain/sealer.js';
import { verifyChain } from '../../src/features/audit/chain/verify.js';
import { systemClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/logger.js';
import { openRuntime } from '../../src/runtime.js';
import { prepareBenchEnv } from '../lib/database.js';
import { note, round } from '../lib/stats.js';
import type { Benchmark, Result } from '../lib/types.js';

const GOAL = 1.3;
/** chunks per writer count, and changes per writer in one chunk */
const CHUNKS = { 1: 6, 8: 8 } as const;
const CHUNK_OPS = { 1: 40, 8: 24 } as const;
const WARMUP_OPS = 30;
type Mode = 'plain' | 'bare' | 'sealer' | 'lock';

/** The change under test; `mode` decides what comes with it. */
async function change(db: Database['db'], userId: string, n: number, mode: Mode): Promise<void> {
  await db.transaction(async (tx) => {
    const displayName = `Bench User ${n}`;
    await updateUserProfile(tx, userId, { displayName, at: systemClock.now() });
    if (mode === 'plain') return;
    const eventId = await recordAudit(tx, systemClock, { actorType: 'user', actorId: userId, requestId: randomUUID() }, {
      action: 'profile.updated',
      targetType: 'user',
      targetId: userId,
      changedFields: ['displayName'],
      details: {},
      personal: [
        { field: 'displayName', kind: 'before', subjectType: 'user', subjectId: userId, value: `Bench User ${n - 1}` },
        { field: 'displayName', kind: 'after', subjectType: 'user', subjectId: userId, value: displayName },
      ],
    });
    if (mode === 'lock') await chainAtWrite(tx, eventId);
  });
}

/** The rejected alternative: link the event inside its own transaction, under the chain lock held to commit. */
async function chainAtWrite(tx: Tx, eventId: number): Promise<void> {
  await lockChain(tx);
  const head = await chainHead(tx);
  const event = (await canonicalEvent(tx, eventId))!;
  const prevHash = head?.hash ?? '0'.repeat(64);
  await insertLinks(tx, [{ position: (head?.position ?? 0) + 1, eventId, prevHash, hash: linkHash(prevHash, event), sealedAt: systemClock.now() }]);
}

/** `writers` concurrent writers doing `ops` changes each. */
async function timed(db: Database['db'], users: string[], writers: number, ops: number, mode: Mode): Promise<void> {
  await Promise.all(
    users.slice(0, writers).map(async (u) => {
      for (let i = 0; i < ops; i++) await change(db, u, i, mode);
    }),
  );
}

const bench: Benchmark = {
  name: 'audit-write',
  async run(): Promise<Result> {
    const env = await prepareBenchEnv('audit_write');
    try {
      const config = loadConfig({ DATA_DIR: env.dataDir, LOG_LEVEL: 'warn', ...env.appEnv });
      const logger = createLogger('warn', process.stderr);
      const rt = await openRuntime(config, logger, 'cli');
      const database = openDatabase(rt.database.url, { max: 12, applicationName: 'bench-audit-write' });
      try {
        const db = database.db;
        const users: string[] = [];
        for (let i = 0; i < 8; i++) {
          const u = await insertUser(db, { email: `audit.bench.${i}@example.test`, displayName: 'Bench User', role: 'admin', status: 'active', passwordHash: null, at: systemClock.now() });
          users.push(u.id);
        }
        for (const mode of ['plain', 'sealer'] as const) await timed(db, users, 8, WARMUP_OPS, mode);
        await sealChain(db, systemClock);

        // Short chunks, modes interleaved and their order rotated per chunk: on a shared machine the
        // load drifts, and every mode should see the same drift. Time per mode is summed.
        const total: Record<string, { ms: number; changes: number }> = {};
        const modes = ['plain', 'bare', 'sealer', 'lock'] as const;
        for (const writers of [1, 8] as const) {
          for (let chunk = 0; chunk < CHUNKS[writers]; chunk++) {
            for (let k = 0; k < modes.length; k++) {
              const mode = modes[(chunk + k) % modes.length]!;
              const start = process.hrtime.bigint();
              // the sealer loop runs while its mode writes, as in production; what is left unsealed
              // when the writers stop is sealed inside the measured time, so the sealing is paid for
              const loop = mode === 'sealer' ? startSealerLoop({ db, clock: systemClock, intervalMs: SEAL_INTERVAL_MS, logger }) : null;
              await timed(db, users, writers, CHUNK_OPS[writers], mode);
              await loop?.stop();
              if (mode === 'sealer') await sealChain(db, systemClock);
              const ms = Number(process.hrtime.bigint() - start) / 1e6;
              // not measured: 'bare' events are chained before the next mode (the lock mode appends to the head)
              if (mode === 'bare') await sealChain(db, systemClock);
              const t = (total[`${mode}_${writers}`] ??= { ms: 0, changes: 0 });
              t.ms += ms;
              t.changes += writers * CHUNK_OPS[writers];
            }
          }
          for (const mode of modes) {
            const t = total[`${mode}_${writers}`]!;
            note(`${mode} x${writers}: ${round(t.ms / t.changes, 3)} ms per change (${t.changes} changes)`);
          }
        }
        const m = (k: string) => total[k]!.ms / total[k]!.changes;
        const ratio8 = m('sealer_8') / m('plain_8');
        const ratio1 = m('sealer_1') / m('plain_1');
        const report = await verifyChain(db, rt.keyring);
        note(`chain after the run: ${report.summary}`);
        if (!report.ok) throw new Error(`the chain does not verify after the benchmark: ${report.summary}`);
        const events = (await db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM audit_events`)).rows[0]!.n;
        return {
          name: 'audit-write',
          value: round(ratio8, 3),
          unit: 'ratio (audited / plain time per change, 8 writers)',
          baseline: round(m('plain_8'), 3),
          ratio: round(ratio8, 3),
          goal: `<= ${GOAL}`,
          met: ratio8 <= GOAL,
          ratio_1: round(ratio1, 3),
          lock_ratio_1: round(m('lock_1') / m('plain_1'), 3),
          lock_ratio_8: round(m('lock_8') / m('plain_8'), 3),
          unchained_ratio_8: round(m('bare_8') / m('plain_8'), 3),
          plain_ms_1: round(m('plain_1'), 3),
          sealer_ms_1: round(m('sealer_1'), 3),
          lock_ms_1: round(m('lock_1'), 3),
          plain_ms_8: round(m('plain_8'), 3),
          sealer_ms_8: round(m('sealer_8'), 3),
          lock_ms_8: round(m('lock_8'), 3),
          events_chained: events,
          database: env.mode,
        };
      } finally {
        await database.close();
        await rt.close();
      }
    } finally {
      await env.cleanup();
    }
  },
};

export default bench;
