/**
 * `notifications.deliver`, every 10 s (and by cron every minute; once per slot across instances): the time-based scan
 * (tokens, privacy deadlines), then fan-out of pending intents and their mails.
 */
import { z } from 'zod';
import { defineJob } from '../../../jobs/define-job.js';
import type { JobContext } from '../../../jobs/job-context.js';
import { deliverNotifications } from '../deliver.service.js';
import type { NotificationDeps } from '../notifications.deps.js';
import { scanTimeTriggers } from '../scan.service.js';

export const DELIVER_JOB = 'notifications.deliver';

/** The job, given how to build the notification deps from the job context. */
export function createDeliverJob(depsOf: (ctx: JobContext) => NotificationDeps) {
  let deps: NotificationDeps | undefined;
  return defineJob({
    name: DELIVER_JOB,
    data: z.object({}).passthrough(),
    retryLimit: 1,
    retryDelaySeconds: 30,
    expireInSeconds: 600,
    cron: '* * * * *',
    // and every 10 s, so a security notice or a lapsed token reaches people in seconds, not a minute
    everySeconds: 10,
    async handler(_data, ctx) {
      // one mailer per process: nodemailer keeps its transport
      deps ??= { ...depsOf(ctx), logger: ctx.logger };
      await scanTimeTriggers(deps);
      await deliverNotifications(deps);
    },
  });
}
