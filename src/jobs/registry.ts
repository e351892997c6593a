/** Every job the app runs. Adding a job: define it beside its feature, then list it here. */
import { purgeExpiredSessionsJob } from '../features/access/jobs/purge-expired-sessions.job.js';
import type { JobDefinition } from './define-job.js';

export const JOBS: JobDefinition[] = [purgeExpiredSessionsJob];
