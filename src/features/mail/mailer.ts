/**
 * The one way mail leaves the app. With SMTP_URL: nodemailer. Without it, while PUBLIC_URL is http
 * (development, sandbox): the outbox table, readable by owners and admins. With an https PUBLIC_URL and
 * no SMTP_URL, mail cannot be sent: flows resting on owning a mailbox are refused, because an outbox
 * that admins can read would let an admin act as anyone.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import { AppError } from '../../http/errors.js';
import { insertOutboxMail } from './outbox.repo.js';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export type MailMode = 'smtp' | 'outbox' | 'none';

export interface Mailer {
  mode: MailMode;
  /** Throws a clear 503 naming SMTP_URL when mail cannot be sent at all. */
  assertAvailable(): void;
  /** Sends one mail; resolves to null when delivered, or a short reason (no secrets) when not. */
  send(mail: Mail): Promise<string | null>;
}

/** The mail mode a configuration implies. */
export function mailModeOf(config: Pick<Config, 'smtpUrl' | 'secure'>): MailMode {
  if (config.smtpUrl) return 'smtp';
  return config.secure ? 'none' : 'outbox';
}

/** A short, secret-free reason for a failed delivery. */
function describeFailure(err: unknown): string {
  const e = err as { code?: string; responseCode?: number; command?: string };
  if (e.responseCode) return `the mail server refused the message (${e.responseCode}${e.command ? ` at ${e.command}` : ''})`;
  if (e.code) return `could not reach the mail server (${e.code})`;
  return 'the mail could not be sent';
}

/** Builds the mailer for this configuration. */
export function createMailer(config: Pick<Config, 'smtpUrl' | 'secure' | 'mailFrom' | 'meta'>, db: Db): Mailer {
  const mode = mailModeOf(config);
  let transport: Transporter | undefined;
  return {
    mode,
    assertAvailable() {
      if (mode === 'none') {
        throw new AppError('unavailable', 'Mail is not configured: set SMTP_URL so invitations, password resets and verification mails can be sent.');
      }
    },
    async send(mail) {
      this.assertAvailable();
      if (mode === 'outbox') {
        await insertOutboxMail(db, mail);
        return null;
      }
      transport ??= nodemailer.createTransport(config.smtpUrl!, { from: config.mailFrom });
      try {
        await transport.sendMail({ from: config.mailFrom, to: mail.to, subject: mail.subject, text: mail.text });
        return null;
      } catch (err) {
        return describeFailure(err);
      }
    },
  };
}
