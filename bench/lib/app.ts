/**
 * The app as the benchmarks run it: a fresh database (embedded or BENCH_DATABASE_URL), the real
 * runtime (migrations, keys), the real buildApp listening on 127.0.0.1, torn down in order afterwards.
 */
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { buildApp, type AppDeps } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { warmPasswords } from '../../src/features/access/passwords.js';
import { systemClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/logger.js';
import { metaAppOf, type MetaApp } from '../../src/features/sandbox/sandbox-meta.js';
import type { MetaSimulator } from '../../src/meta-simulator/index.js';
import { openRuntime, type Runtime } from '../../src/runtime.js';
import { prepareBenchEnv, type BenchEnv } from './database.js';

export interface BenchApp {
  port: number;
  config: Config;
  rt: Runtime;
  env: BenchEnv;
}

/**
 * Runs `seed` on the migrated database, then `fn` against the listening app; everything it started is
 * stopped afterwards, whatever happens.
 */
export async function withBenchApp<T>(
  name: string,
  opts: {
    signInRateLimit?: AppDeps['signInRateLimit'];
    seed?: (rt: Runtime) => Promise<void>;
    /**
     * Listen on this port (and tell the config: sandbox mode's Graph client reaches the mounted
     * simulator through config.port) instead of any free port.
     */
    port?: number;
    /** sandbox mode: the Meta simulator to mount, created for the app's (sandbox) Meta app */
    simulator?: (meta: MetaApp) => MetaSimulator;
    /** serve this built web UI (dist/web); by default none, so API benchmarks measure the API alone */
    webDir?: string;
  },
  fn: (app: BenchApp) => Promise<T>,
): Promise<T> {
  const env = await prepareBenchEnv(name);
  try {
    const config = loadConfig({ DATA_DIR: env.dataDir, LOG_LEVEL: 'warn', ...(opts.port ? { PORT: String(opts.port) } : {}), ...env.appEnv });
    const logger = createLogger('warn', process.stderr);
    const rt = await openRuntime(config, logger, 'server');
    try {
      await opts.seed?.(rt);
      await warmPasswords();
      const app = await buildApp({
        config,
        database: rt.database,
        clock: systemClock,
        keyring: rt.keyring,
        logger,
        isReady: rt.isReady,
        webDir: opts.webDir ?? path.join(env.dataDir, 'no-web'),
        ...(opts.signInRateLimit ? { signInRateLimit: opts.signInRateLimit } : {}),
        ...(opts.simulator ? { simulator: opts.simulator(metaAppOf(config, rt.keyring)) } : {}),
      });
      try {
        await app.listen({ port: opts.port ?? 0, host: '127.0.0.1' });
        return await fn({ port: (app.server.address() as AddressInfo).port, config, rt, env });
      } finally {
        await app.close();
      }
    } finally {
      await rt.close();
    }
  } finally {
    await env.cleanup();
  }
}
