/** Builds the webhook routes' dependencies from the app's own (app.ts). */
import type { Config } from '../../config.js';
import type { Database } from '../../db/client.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../logger.js';
import { metaAppOf } from '../sandbox/sandbox-meta.js';
import type { KeyRing } from '../vault/keyring.js';
import type { WebhookDeps } from './webhooks.service.js';

/** The Meta app's secret and verify token (or the sandbox stand-ins), retention and the processing trigger. */
export function webhookDepsOf(d: { config: Config; database: Database; clock: Clock; keyring: KeyRing; logger: Logger; scheduleProcessing?: () => Promise<void> }): WebhookDeps {
  const meta = metaAppOf(d.config, d.keyring);
  return {
    db: d.database.db,
    clock: d.clock,
    logger: d.logger,
    appSecret: meta.appSecret,
    verifyToken: meta.webhookVerifyToken,
    rawRetentionHours: d.config.webhooks.rawRetentionHours,
    secure: d.config.secure,
    ...(d.scheduleProcessing ? { scheduleProcessing: d.scheduleProcessing } : {}),
  };
}
