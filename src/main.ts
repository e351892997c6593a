/**
 * Start: config -> database -> migrations -> jobs -> app -> listen. Shutdown on SIGTERM/SIGINT in
 * order (HTTP, jobs, pool, embedded server) under one deadline, then exit 0.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from './config.js';
import { loadPolicySource } from './features/privacy/public/policy-source.js';
import { MigrationError } from './db/migrate.js';
import { systemClock } from './lib/clock.js';
import type { JobQueue } from './jobs/queue.js';
import { createLogger } from './logger.js';
import { openRuntime, type Runtime } from './runtime.js';

/** The heavy modules (HTTP stack, job queue), loaded while PostgreSQL starts in its own process. */
async function loadServerModules() {
  const [app, queue, registry, setup, passwords, simulator, dialog, sandboxMeta, onboardingDeps, sweep] = await Promise.all([
    import('./app.js'),
    import('./jobs/queue.js'),
    import('./jobs/registry.js'),
    import('./features/access/setup.service.js'),
    import('./features/access/passwords.js'),
    import('./meta-simulator/index.js'),
    import('./meta-simulator/dialog/index.js'),
    import('./features/sandbox/sandbox-meta.js'),
    import('./features/onboarding/onboarding.deps.js'),
    import('./features/onboarding/jobs/sweep-interrupted.job.js'),
  ]);
  return {
    buildApp: app.buildApp,
    startJobQueue: queue.startJobQueue,
    JOBS: registry.JOBS,
    resumeStepsJob: registry.resumeStepsJob,
    processWebhooksJob: registry.processWebhooksJob,
    createOnboardingDeps: onboardingDeps.createOnboardingDeps,
    sweepInterrupted: sweep.sweepInterrupted,
    setup,
    warmPasswords: passwords.warmPasswords,
    sandbox: { createMetaSimulator: simulator.createMetaSimulator, startSignupDialog: dialog.startSignupDialog, metaAppOf: sandboxMeta.metaAppOf },
  };
}

const SHUTDOWN_DEADLINE_MS = 20_000;

/** Where the built web UI lives: dist/web beside dist/server. */
function webDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'web');
}

/** Runs the server until a signal stops it. */
export async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
    // A set but unreadable PRIVACY_POLICY_FILE stops start-up here, with the one-line message below.
    loadPolicySource(config.privacyPolicyFile);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  let runtime: Runtime;
  const modules = loadServerModules();
  try {
    runtime = await openRuntime(config, logger, 'server');
  } catch (err) {
    const known = err instanceof MigrationError || (err as Error).name === 'EmbeddedPostgresError' || err instanceof ConfigError;
    process.stderr.write(`Start-up failed: ${(err as Error).message}\n`);
    if (!known) logger.error({ err }, 'start-up failed');
    process.exit(1);
  }
  const rt = runtime;
  rt.embedded?.onUnexpectedExit((info) => {
    logger.fatal({ code: info.code, signal: info.signal, lastLog: info.lastLog }, 'embedded PostgreSQL exited unexpectedly');
    void shutdown('postgres-exit', 1);
  });

  const { buildApp, startJobQueue, JOBS, resumeStepsJob, processWebhooksJob, createOnboardingDeps, sweepInterrupted, setup, warmPasswords, sandbox } = await modules;
  const clock = systemClock;
  // Sandbox mode: one simulator serves the Graph API (mounted in the app) and the signup dialog,
  // which runs on a second loopback port: its own origin, as facebook.com is in production.
  let simulator: ReturnType<typeof sandbox.createMetaSimulator> | undefined;
  let dialog: Awaited<ReturnType<typeof sandbox.startSignupDialog>> | undefined;
  if (config.meta.sandbox) {
    const meta = sandbox.metaAppOf(config, rt.keyring);
    simulator = sandbox.createMetaSimulator({ appId: meta.appId, appSecret: meta.appSecret, logger, now: () => clock.now() });
    dialog = await sandbox.startSignupDialog({ simulator, appOrigin: config.publicUrl.origin, host: '127.0.0.1', port: config.meta.sandboxDialogPort });
  }
  // The queue starts in parallel with buildApp: scheduling a resume waits for it (late-bound).
  let queueStarted: Promise<JobQueue> | undefined;
  const scheduleResume = async (recordId: string): Promise<void> => {
    if (!queueStarted) throw new Error('the job queue is not started');
    await (await queueStarted).send(resumeStepsJob, { recordId });
  };
  const scheduleWebhookProcessing = async (): Promise<void> => {
    if (!queueStarted) throw new Error('the job queue is not started');
    await (await queueStarted).send(processWebhooksJob, {});
  };
  const onboarding = createOnboardingDeps({ config, db: rt.database.db, clock, keyring: rt.keyring, logger, scheduleResume });
  queueStarted = startJobQueue({
    url: rt.database.url,
    jobs: JOBS,
    ctx: { database: rt.database, clock, logger, sessionIdleMs: config.sessionIdleMs, onboarding },
    logger,
  });
  // Independent of each other: the queue's start-up queries, the dummy hash, building the routes.
  const [jobs, , app] = await Promise.all([
    queueStarted,
    warmPasswords(),
    buildApp({
      config,
      database: rt.database,
      clock,
      keyring: rt.keyring,
      logger,
      isReady: rt.isReady,
      onboarding,
      storageProblem: rt.storageProblem,
      webDir: webDir(),
      ...(simulator ? { simulator } : {}),
      ...(dialog ? { sandboxDialogOrigin: dialog.origin } : {}),
      scheduleResume,
      scheduleWebhookProcessing,
    }),
  ]);

  // The audit chain's sealer: every instance tries every few seconds; one seals at a time (advisory lock).
  const { startSealerLoop, SEAL_INTERVAL_MS } = await import('./features/audit/chain/sealer.js');
  const sealer = startSealerLoop({ db: rt.database.db, clock, intervalMs: SEAL_INTERVAL_MS, logger });

  let stopping = false;
  async function shutdown(reason: string, code = 0) {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'shutting down');
    const timer = setTimeout(() => {
      process.stderr.write('Shutdown deadline passed; exiting.\n');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    timer.unref();
    // each step timed: a slow shutdown says where it spent its time (the deadline message follows)
    let last = performance.now();
    const step = async (name: string, fn: () => Promise<unknown>) => {
      await fn();
      const now = performance.now();
      logger.info({ shutdownStep: name, ms: Math.round(now - last) }, 'shutdown step done');
      last = now;
    };
    try {
      await step('http', async () => {
        // A kept-alive connection that goes idle after close() began would stay open until its
        // keep-alive timeout (72 s) and hold close() up: close such connections as they go idle.
        const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
        try {
          await app.close();
        } finally {
          clearInterval(sweep);
        }
      });
      await step('sandbox dialog', async () => dialog?.close());
      await step('jobs', () => jobs.stop(8_000));
      await step('audit sealer', () => sealer.stop());
      await step('database', () => rt.close());
    } catch (err) {
      logger.error({ err }, 'error during shutdown');
      code = 1;
    }
    clearTimeout(timer);
    process.exit(code);
  }
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  logger.info({ url: config.publicUrl.toString(), embedded: rt.embedded !== null }, 'listening');

  // Records a previous process left in progress resume now rather than at the next minute's sweep
  // (after listen: in sandbox mode the Graph API is served by this listener).
  void sweepInterrupted(onboarding).then(
    (s) => {
      if (s.found > 0) logger.info({ sweep: s }, 'interrupted onboardings resumed at start-up');
    },
    (err: unknown) => logger.error({ err }, 'start-up sweep of interrupted onboardings failed'),
  );

  // First start, embedded mode only: a one-time link on the terminal (not in the structured log).
  if (rt.embedded) {
    const token = await setup.firstStartSetupLink({ db: rt.database.db, clock });
    if (token) {
      process.stderr.write(
        `\n  No users yet. Create the owner account within 1 hour at:\n\n    ${setup.setupUrl(config.publicUrl, token)}\n\n`,
      );
    }
  }
}

await main();
