/** What the notification services need. */
import type { Db } from '../../db/client.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../logger.js';
import type { Mailer } from '../mail/mailer.js';

export interface NotificationDeps {
  db: Db;
  clock: Clock;
  mailer: Mailer;
  /** the app's address: mails name the page to open (never a link that signs anyone in) */
  publicUrl: URL;
  logger?: Pick<Logger, 'info' | 'warn'>;
}
