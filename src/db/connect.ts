/**
 * Chooses the database once, at boot: DATABASE_URL when set (the embedded package is then never
 * loaded), otherwise the embedded PostgreSQL server in DATA_DIR.
 */
import type { Logger } from '../logger.js';
import type { EmbeddedServer } from './embedded/index.js';

export const EMBEDDED_DATABASE = 'crm';

export interface DatabaseTarget {
  url: string;
  embedded: EmbeddedServer | null;
}

/** Resolves the application database URL, starting (or, for the CLI, attaching to) the embedded server. */
export async function resolveDatabase(opts: {
  databaseUrl: string | undefined;
  dataDir: string;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  mode: 'server' | 'cli';
}): Promise<DatabaseTarget> {
  if (opts.databaseUrl) return { url: opts.databaseUrl, embedded: null };
  const { startEmbeddedPostgres, ensureDatabase } = await import('./embedded/index.js');
  const log = opts.logger;
  const embedded = await startEmbeddedPostgres({
    dataDir: opts.dataDir,
    mode: opts.mode,
    logger: { info: (m) => log.info(m), warn: (m) => log.warn(m), error: (m) => log.error(m) },
  });
  await ensureDatabase(embedded, EMBEDDED_DATABASE);
  return { url: embedded.urlFor(EMBEDDED_DATABASE), embedded };
}
