/** What the retention feature runs on; built once in app.ts, the job context and the CLI. */
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import type { Clock } from '../../lib/clock.js';
import type { KeyRing } from '../vault/keyring.js';
import type { EnvDefaults } from './retention-kinds.js';

export interface RetentionDeps {
  db: Db;
  clock: Clock;
  /** the audit chain's anchors are signed with it (purgeAuditEvents) */
  keyring: KeyRing;
  /** a session idle longer than this has ended (SESSION_IDLE_MINUTES) */
  sessionIdleMs: number;
  envDefaults: EnvDefaults;
  /** rows per purge statement (default 5,000): each statement is its own short transaction */
  batchSize?: number;
  /** observes every purge statement (tests check batches stay bounded) */
  onBatch?: (kind: string, rows: number) => void;
}

/** The env-backed defaults from the app's config. */
export function envDefaultsOf(config: Pick<Config, 'webhooks' | 'onboardingLinks'>): EnvDefaults {
  return { webhookRawHours: config.webhooks.rawRetentionHours, linkPrefillDays: config.onboardingLinks.prefillRetentionDays };
}
