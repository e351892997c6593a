import { spawn } from 'node:child_process';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { useTestDatabase } from '../test-support/test-db.js';
import { startJobQueue, type JobQueue } from './queue.js';
import { countingJob } from './test-fixtures/test-jobs.js';

const tdb = useTestDatabase();
const logger = createLogger('silent');
const queues: JobQueue[] = [];

async function queue(jobs: Parameters<typeof startJobQueue>[0]['jobs']) {
  const q = await startJobQueue({ url: tdb.current.url, jobs, ctx: {} as never, logger, pollingIntervalSeconds: 0.5, superviseIntervalSeconds: 1 });
  queues.push(q);
  return q;
}

beforeAll(async () => {
  // pg-boss creates its schema on first start; do it once so the tests below do not race on it
  await queue([]);
});
afterAll(async () => {
  await Promise.all(queues.map((q) => q.stop(2000)));
});

describe('job queue (pg-boss)', () => {
  it('retries a failing job with backoff until it succeeds', async () => {
    const runs: number[] = [];
    const job = countingJob('test.retry', async () => {
      runs.push(Date.now());
      if (runs.length < 3) throw new Error('transient failure');
    });
    const q = await queue([job]);
    await q.send(job, { n: 1 });
    await expect.poll(() => runs.length, { timeout: 20_000, interval: 200 }).toBe(3);
    // backoff: the second gap is not shorter than the first
    expect(runs[2]! - runs[1]!).toBeGreaterThanOrEqual(runs[1]! - runs[0]! - 500);
  });

  it('refuses to enqueue data that does not match the job schema', async () => {
    const job = countingJob('test.schema', async () => {});
    const q = await queue([job]);
    await expect(q.send(job, { n: 'not a number' })).rejects.toThrow();
  });

  it('hands a job whose worker was killed mid-job to another worker', async () => {
    const done: number[] = [];
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/jobs/test-fixtures/hanging-worker.ts'], {
      env: { ...process.env, JOB_TEST_URL: tdb.current.url },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    try {
      await expect.poll(() => out, { timeout: 20_000 }).toContain('ready');
      const job = countingJob('test.mid-job-kill', async (d) => {
        done.push(d.n);
      }, { expireInSeconds: 2 });
      const sender = await startJobQueue({ url: tdb.current.url, jobs: [job], ctx: {} as never, logger, work: false });
      queues.push(sender);
      await sender.send(job, { n: 42 });
      await expect.poll(() => out, { timeout: 20_000 }).toContain('started');
      child.kill('SIGKILL');
      await queue([job]);
      await expect.poll(() => done, { timeout: 30_000, interval: 250 }).toEqual([42]);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('fires a cron schedule once per tick across two instances', async () => {
    const runs: number[] = [];
    const job = countingJob('test.cron', async () => {
      runs.push(Date.now());
    }, { cron: '* * * * *' });
    await queue([job]);
    await queue([job]);
    // wait past the next minute boundary, plus time for the cron worker to send and a worker to run it
    const nextMinute = Math.ceil((Date.now() + 1000) / 60_000) * 60_000;
    await expect.poll(() => runs.length, { timeout: nextMinute - Date.now() + 20_000, interval: 500 }).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 3000));
    // one job per cron tick (minute), however many instances: a run that crosses a minute boundary
    // legitimately sees two ticks, but never two jobs for the same tick
    const perTick = await tdb.current.database.db.execute<{ tick: string; n: number }>(
      sql`SELECT date_trunc('minute', created_on)::text AS tick, count(*)::int AS n FROM pgboss.job WHERE name = 'test.cron' GROUP BY 1`,
    );
    expect(perTick.rows.every((r) => r.n === 1)).toBe(true);
    expect(runs).toHaveLength(perTick.rows.length);
    expect(runs.length).toBeLessThanOrEqual(2);
  }, 100_000);
});
