/**
 * NOT FOR PRODUCTION: an SMTP server (npm smtp-server) that keeps what it receives in memory, parsed
 * (mailparser): the demo's mailbox for the inways' notices, and the tests' real SMTP receiver. Plain
 * SMTP (no STARTTLS: loopback only, no certificate to make); with `auth` it asks for and checks a user
 * and password, as a mail server of a bronhouder would. `refuse` answers 550 to every message.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  readonly receivedAt: string;
  readonly envelopeFrom: string;
  readonly envelopeTo: readonly string[];
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  /** The message as it came over the wire, headers and all. */
  readonly raw: string;
}

export interface Mailbox {
  /** `smtp://[user:password@]host:port`: what an inway's `SMTP_URL` is set to. */
  readonly url: string;
  readonly port: number;
  /** Received mails, oldest first (at most `keep`). */
  readonly mails: ReceivedMail[];
  /** While true every message is refused with 550, as a full mailbox or a server that is down would. */
  refuse: boolean;
  close(): Promise<void>;
}

export interface MailboxOptions {
  readonly port?: number;
  readonly host?: string;
  readonly auth?: { readonly user: string; readonly password: string };
  /** How many mails it keeps (default 200): the oldest go first. */
  readonly keep?: number;
}

export async function startMailbox(options: MailboxOptions = {}): Promise<Mailbox> {
  const host = options.host ?? '127.0.0.1';
  const keep = options.keep ?? 200;
  const mails: ReceivedMail[] = [];
  const state = { refuse: false };
  const { auth } = options;
  const server = new SMTPServer({
    disabledCommands: auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    allowInsecureAuth: true,
    authOptional: !auth,
    authMethods: ['PLAIN', 'LOGIN'],
    size: 1_000_000,
    onAuth(given, _session, callback) {
      if (auth && given.username === auth.user && given.password === auth.password) callback(null, { user: auth.user });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (state.refuse) {
          callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw).then(
          (parsed) => {
            const address = (value: unknown) => (value as { text?: string } | undefined)?.text ?? '';
            mails.push({
              receivedAt: new Date().toISOString(),
              envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              envelopeTo: session.envelope.rcptTo.map((r) => r.address),
              from: address(parsed.from),
              to: address(parsed.to),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              raw,
            });
            if (mails.length > keep) mails.splice(0, mails.length - keep);
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  const credentials = auth ? `${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.password)}@` : '';
  return {
    url: `smtp://${credentials}${host}:${port}`,
    port,
    mails,
    get refuse() {
      return state.refuse;
    },
    set refuse(value: boolean) {
      state.refuse = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
