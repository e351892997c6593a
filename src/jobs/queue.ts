/**
 * The job queue: pg-boss on the application database. Queues are created with each job's retry
 * policy; cron schedules are stored in the database, so they fire once whatever the number of instances;
 * a job whose worker died expires and is retried.
 */
import PgBoss from 'pg-boss';
import type { Logger } from '../logger.js';
import type { JobDefinition } from './define-job.js';
import type { JobContext } from './job-context.js';
import { jobFailures } from '../features/metrics/metrics.js';

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
  for (const job of opts.jobs) {
    const policy = { retryLimit: job.retryLimit, retryDelay: job.retryDelaySeconds, retryBackoff: true, expireInSeconds: job.expireInSeconds };
    if (await boss.getQueue(job.name)) await boss.updateQueue(job.name, { name: job.name, ...policy });
    else await boss.createQueue(job.name, { name: job.name, ...policy });
    if (job.cron) await boss.schedule(job.name, job.cron, {}, { tz: 'UTC' });
    if (opts.work !== false) {
      await boss.work(job.name, { pollingIntervalSeconds: opts.pollingIntervalSeconds ?? 2, batchSize: 1 }, async (batch) => {
        for (const j of batch) {
          const data = job.data.parse(j.data ?? {});
          try {
            await job.handler(data, opts.ctx);
          } catch (err) {
            jobFailures.inc({ job: job.name });
            throw err;
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
      await boss.stop({ graceful: true, wait: true, timeout: timeoutMs });
    },
  };
}
