/** What a job handler may use: the database, the clock, a logger and the app's settings. */
import type { Database } from '../db/client.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../logger.js';

export interface JobContext {
  database: Database;
  clock: Clock;
  logger: Logger;
  sessionIdleMs: number;
}
