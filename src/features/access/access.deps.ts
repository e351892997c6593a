/** What the access services need from the running app, and what they know about the caller. */
import type { Db } from '../../db/client.js';
import type { Clock } from '../../lib/clock.js';
import type { Mailer } from '../mail/mailer.js';

export interface AccessDeps {
  db: Db;
  clock: Clock;
  sessionIdleMs: number;
  sessionMaxMs: number;
  /** HMAC key of device cookies (derived from the key ring). */
  deviceKey: Buffer;
  mailer: Mailer;
  /** links in mails are built from it */
  publicUrl: URL;
}

/** The caller's network facts, for login activity and session records. */
export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}
