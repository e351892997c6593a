/** What a job handler may use: the database, the clock, a logger, the app's settings and the onboarding deps. */
import type { Database } from '../db/client.js';
import type { OnboardingDeps } from '../features/onboarding/onboarding.types.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../logger.js';

export interface JobContext {
  database: Database;
  clock: Clock;
  logger: Logger;
  sessionIdleMs: number;
  /** Graph client, key ring and the rest the onboarding jobs run the step engine with (src/features/onboarding/onboarding.deps.ts). */
  onboarding: OnboardingDeps;
}
