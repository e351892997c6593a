/** A real SMTP server on loopback (smtp-server) that keeps what it receives, for mail tests. */
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  raw: string;
  /** the user the client authenticated as (only when the server was started with `auth`) */
  user?: string;
}

export interface TestSmtp {
  url: string;
  mails: ReceivedMail[];
  close(): Promise<void>;
}

/**
 * Starts an SMTP server on 127.0.0.1 on a free port. With `auth`, the URL carries `user:pass@` and
 * the server accepts only that login (plain text on loopback: STARTTLS is off).
 */
export async function startTestSmtp(opts: { auth?: { user: string; pass: string } } = {}): Promise<TestSmtp> {
  const mails: ReceivedMail[] = [];
  const { auth } = opts;
  const server = new SMTPServer({
    authOptional: !auth,
    disabledCommands: ['STARTTLS'],
    logger: false,
    ...(auth
      ? {
          onAuth: ((a, _session, callback) => {
            if (a.username === auth.user && a.password === auth.pass) callback(null, { user: auth.user });
            else callback(new Error('Invalid username or password'));
          }) satisfies SMTPServerOptions['onAuth'],
        }
      : {}),
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (d: Buffer) => (raw += d.toString('utf8')));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw, ...(session.user === undefined ? {} : { user: String(session.user) }) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as { port: number }).port;
  return {
    url: `smtp://${auth ? `${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.pass)}@` : ''}127.0.0.1:${port}`,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The first link with `#token=` in a mail (quoted-printable soft breaks undone). */
export function linkIn(raw: string): string {
  const body = raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
  const m = /(https?:\/\/[^\s]+#token=[A-Za-z0-9_-]+)/.exec(body);
  if (!m) throw new Error('no link in mail');
  return m[1]!;
}
