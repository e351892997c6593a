/** A worker process that takes one job and never finishes it (the test kill -9s it mid-job). */
import { createLogger } from '../../logger.js';
import { startJobQueue } from '../queue.js';
import { countingJob } from './test-jobs.js';

const url = process.env.JOB_TEST_URL!;
const logger = createLogger('warn', process.stderr);
await startJobQueue({
  url,
  jobs: [
    countingJob('test.mid-job-kill', async () => {
      process.stdout.write('started\n');
      await new Promise(() => {});
    }, { expireInSeconds: 2 }),
  ],
  ctx: {} as never,
  logger,
  pollingIntervalSeconds: 0.5,
  superviseIntervalSeconds: 1,
});
process.stdout.write('ready\n');
