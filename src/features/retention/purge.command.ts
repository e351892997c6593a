/** `npm run cli -- purge [--dry-run]`: the retention purge from the command line, counts per kind. */
import type { Config } from '../../config.js';
import { systemClock } from '../../lib/clock.js';
import type { Runtime } from '../../runtime.js';
import { runPurge } from './purge.service.js';
import { KIND_SPECS, RETENTION_KINDS } from './retention-kinds.js';
import { envDefaultsOf } from './retention.deps.js';

export async function runPurgeCommand(config: Config, runtime: Runtime, opts: { dryRun: boolean }, out: (line: string) => void): Promise<number> {
  const result = await runPurge(
    { db: runtime.database.db, clock: systemClock, keyring: runtime.keyring, sessionIdleMs: config.sessionIdleMs, envDefaults: envDefaultsOf(config) },
    { dryRun: opts.dryRun, trigger: 'cli' },
  );
  out(opts.dryRun ? 'Dry run: nothing was changed. The purge would now delete or erase:' : `Purge run ${result.runId} done. Deleted or erased:`);
  const width = Math.max(...RETENTION_KINDS.map((k) => k.length));
  for (const kind of RETENTION_KINDS) out(`  ${kind.padEnd(width)}  ${String(result.counts[kind]).padStart(9)}   (${KIND_SPECS[kind].label}, before ${result.cutoffs[kind].toISOString()})`);
  if (!opts.dryRun) out(`Audit chain anchor: ${result.anchorId ?? 'none written'}`);
  return 0;
}
