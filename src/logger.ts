/**
 * The one logger (pino). Every path that can carry a secret is redacted, and request URLs are logged
 * without their query string (links and verification requests carry tokens there) and without the
 * token of a customer onboarding link's path. Errors are logged without the query parameters and
 * row values a database error quotes.
 */
import pino, { type Logger } from 'pino';
import { loggableError } from './lib/loggable-error.js';

export const REDACT_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-hub-signature-256"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  '*.token',
  '*.accessToken',
  '*.access_token',
  '*.appSecret',
  '*.secret',
  '*.code',
  'password',
  'token',
];

/** A customer onboarding link carries its token in the path (/onboard/<token>): never log it. */
const ONBOARD_LINK_PATH = /^\/onboard\/(?!api(?:\/|$))[^/]+/;

/** The URL as logged: without its query string, and without an onboarding link's token. */
export function loggedUrl(url: string): string {
  return (url.split('?')[0] ?? '').replace(ONBOARD_LINK_PATH, '/onboard/[redacted]');
}

/** Builds the process logger at `level`; `destination` lets tests capture lines. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: {
        req: (req: { method: string; url: string; id: string; ip?: string }) => ({
          id: req.id,
          method: req.method,
          url: loggedUrl(req.url),
        }),
        // query parameters and row values never reach the log (src/lib/loggable-error.ts)
        err: (e: unknown) => pino.stdSerializers.err(e instanceof Error ? loggableError(e) : (e as Error)),
      },
    },
    destination,
  );
}

export type { Logger };
