/**
 * Boots the whole runtime shared by the server and the CLI: database (embedded or external),
 * migrations, key ring. Returns handles and an ordered close().
 */
import { openDatabase, type Database } from './db/client.js';
import { resolveDatabase } from './db/connect.js';
import type { EmbeddedServer } from './db/embedded/index.js';
import { watchStorage } from './db/embedded/storage.js';
import type { StorageProblem } from './db/unavailable.js';
import { expectedMigrationCount, migrationsApplied, runMigrations } from './db/migrate.js';
import type { Config } from './config.js';
import { verifyKeyRing } from './features/vault/key-check.js';
import { loadKeyRing, type KeyRing } from './features/vault/keyring.js';
import type { Logger } from './logger.js';

export interface Runtime {
  database: Database;
  embedded: EmbeddedServer | null;
  keyring: KeyRing;
  isReady(): Promise<boolean>;
  /** the embedded database's volume is full or read-only (server mode; null with DATABASE_URL: that server's disk is not ours to see) */
  storageProblem(): Promise<StorageProblem | null>;
  /** Ends the pool, then stops the embedded server if this process owns it. */
  close(): Promise<void>;
}

/**
 * Applies migrations on the app's pool, or — with DATABASE_MIGRATION_URL — on a short-lived
 * connection as the migration role, which then owns the schema (docs/SECURITY.md: the runtime role
 * cannot drop the audit triggers).
 */
async function migrate(config: Config, database: Database): Promise<void> {
  if (!config.databaseMigrationUrl) return runMigrations(database.pool);
  const owner = openDatabase(config.databaseMigrationUrl, { max: 1, applicationName: 'crm-migrate' });
  try {
    await runMigrations(owner.pool);
  } finally {
    await owner.close();
  }
}

/** Opens the database, applies migrations and loads keys. */
export async function openRuntime(config: Config, logger: Logger, mode: 'server' | 'cli'): Promise<Runtime> {
  const keyring = loadKeyRing({
    keys: config.encryptionKeys,
    key: config.encryptionKey,
    dataDir: config.dataDir,
    embedded: config.databaseUrl === undefined,
  });
  const target = await resolveDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger, mode });
  const database = openDatabase(target.url, { applicationName: mode === 'server' ? 'crm' : 'crm-cli' });
  const storage = mode === 'server' && target.embedded ? watchStorage({ dir: target.embedded.dataDirectory, logger }) : null;
  const close = async () => {
    storage?.stop();
    await database.close().catch(() => {});
    if (target.embedded?.owned) await target.embedded.stop();
  };
  try {
    await migrate(config, database);
    // an instance started with a different key must refuse before it writes anything
    await verifyKeyRing(database.db, keyring);
  } catch (err) {
    await close();
    throw err;
  }
  const expected = expectedMigrationCount();
  return {
    database,
    embedded: target.embedded,
    keyring,
    async isReady() {
      return migrationsApplied(database.pool, expected);
    },
    async storageProblem() {
      return storage ? (await storage.check()).problem : null;
    },
    close,
  };
}
