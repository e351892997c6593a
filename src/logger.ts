/**
 * The one logger (pino). Every path that can carry a secret is redacted, and request URLs are logged
 * without their query string (links and verification requests carry tokens there).
 */
import pino, { type Logger } from 'pino';

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
          url: req.url.split('?')[0],
        }),
        err: pino.stdSerializers.err,
      },
    },
    destination,
  );
}

export type { Logger };
