/**
 * The job queue: pg-boss on the application database. Queues are created with each job's retry
 * policy; cron schedules are stored in the database, so they fire once whatever the number of instances;
 * a job whose worker died expires and is retried.
 */
import pg from 'pg';
import PgBoss from 'pg-boss';
import type { Logger } from '../logger.js';
import type { JobDefinition } from './define-job.js';
import type { JobContext } from './job-context.js';
import { jobFailures } from '../features/metrics/metrics.js';
import { loggableError } from '../lib/loggable-error.js';

export interface JobQueue {
  /** Enqueues a job; data is validated against the job's schema first. */
  send<D extends JobDefinition>(job: D, data: unknown, opts?: { startAfterSeconds?: number }): Promise<string | null>;
  /** Stops workers, waiting for active handlers (bounded by `timeoutMs`). */
  stop(timeoutMs?: number): Promise<void>;
  boss: PgBoss;
}

/** Starts pg-boss, creates the queues, registers schedules and workers. */
export async function startJobQueue(opts: {
  url: string;
  jobs: JobDefinition[];
  ctx: JobContext;
  logger: Logger;
  /** false in processes that only enqueue (CLI) */
  work?: boolean;
  /** polling interval; tests lower it */
  pollingIntervalSeconds?: number;
  /** how often pg-boss checks expired jobs and cron (tests lower it) */
  superviseIntervalSeconds?: number;
}): Promise<JobQueue> {
  const supervise = opts.superviseIntervalSeconds;
  const boss = new PgBoss({
    connectionString: opts.url,
    max: 3,
    application_name: 'crm-jobs',
    ...(supervise ? { maintenanceIntervalSeconds: supervise, monitorStateIntervalSeconds: supervise, cronMonitorIntervalSeconds: supervise, cronWorkerIntervalSeconds: supervise } : {}),
  });
  boss.on('error', (err: Error) => opts.logger.error({ err }, 'job queue error'));
  await boss.start();
  // Instances starting together would both find a queue missing and create it at once, which
  // deadlocks inside pg-boss (each creates the queue's partition): one instance at a time.
  await withSetupLock(opts.url, async () => {
    for (const job of opts.jobs) {
      const policy = { retryLimit: job.retryLimit, retryDelay: job.retryDelaySeconds, retryBackoff: true, expireInSeconds: job.expireInSeconds };
      if (await boss.getQueue(job.name)) await boss.updateQueue(job.name, { name: job.name, ...policy });
      else await boss.createQueue(job.name, { name: job.name, ...policy });
      if (job.cron) await boss.schedule(job.name, job.cron, {}, { tz: 'UTC' });
    }
  });
  const timers: NodeJS.Timeout[] = [];
  for (const job of opts.jobs) {
    if (opts.work !== false && job.everySeconds) {
      const every = job.everySeconds;
      const offer = () =>
        boss.send(job.name, {}, { singletonKey: job.name, singletonSeconds: every }).catch((err: unknown) => opts.logger.warn({ err, job: job.name }, 'could not offer a periodic job'));
      timers.push(setInterval(offer, every * 1000).unref());
    }
    if (opts.work !== false) {
      await boss.work(job.name, { pollingIntervalSeconds: opts.pollingIntervalSeconds ?? 2, batchSize: 1 }, async (batch) => {
        for (const j of batch) {
          const data = job.data.parse(j.data ?? {});
          try {
            await job.handler(data, opts.ctx);
          } catch (err) {
            jobFailures.inc({ job: job.name });
            // pg-boss stores the error in its job table: without query parameters or row values
            throw err instanceof Error ? loggableError(err) : err;
          }
        }
      });
    }
  }
  return {
    boss,
    async send(job, data, sendOpts) {
      const parsed = job.data.parse(data) as object;
      return boss.send(job.name, parsed, sendOpts?.startAfterSeconds ? { startAfter: sendOpts.startAfterSeconds } : {});
    },
    async stop(timeoutMs = 10_000) {
      for (const t of timers) clearInterval(t);
      await boss.stop({ graceful: true, wait: true, timeout: timeoutMs });
    },
  };
}

/** Key of the advisory lock that serialises queue set-up across instances (any constant not used elsewhere). */
const QUEUE_SETUP_LOCK = 7_215_118_402;

/** Runs `fn` holding a session advisory lock on its own connection (released when it returns or throws). */
async function withSetupLock(url: string, fn: () => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString: url, application_name: 'crm-jobs-setup' });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [QUEUE_SETUP_LOCK]);
    await fn();
  } finally {
    await client.end().catch(() => undefined);
  }
}
