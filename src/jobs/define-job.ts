/**
 * A job definition: a name, a zod schema for its data, retry policy, an optional cron schedule, and
 * its handler. Each job lives in its own file beside the feature it serves; src/jobs/registry.ts lists them.
 */
import type { z } from 'zod';
import type { JobContext } from './job-context.js';

export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  data: S;
  /** retries after the first attempt, with exponential backoff from `retryDelaySeconds` */
  retryLimit: number;
  retryDelaySeconds: number;
  /** a job still active after this long is considered lost (worker died) and retried */
  expireInSeconds: number;
  /** cron expression (UTC); the schedule fires once across all instances */
  cron?: string;
  /**
   * Also run about this often (seconds), for work people wait on (cron's granularity is a minute):
   * every working instance offers the job once per slot of this length, and pg-boss's singleton
   * throttling creates one job per slot across instances.
   */
  everySeconds?: number;
  handler(data: z.infer<S>, ctx: JobContext): Promise<void>;
}

/** Declares a job with its types inferred from the schema. */
export function defineJob<S extends z.ZodType>(def: JobDefinition<S>): JobDefinition<S> {
  return def;
}
