/**
 * A real SMTP server in the test process (npm smtp-server, the library that nodemailer's authors
 * maintain), listening on 127.0.0.1 on a free port: it takes mail with a user and password and keeps
 * each message as received (raw) and parsed (mailparser). `refuse` makes it answer 550 to every
 * message, as a full mailbox or a server that is down would.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  readonly envelopeFrom: string;
  readonly envelopeTo: readonly string[];
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  /** The message as it came over the wire, headers and all. */
  readonly raw: string;
}

export interface SmtpReceiver {
  /** `smtp://user:password@127.0.0.1:<port>`. */
  url: string;
  readonly mails: ReceivedMail[];
  /** While true every message is refused with 550. */
  refuse: boolean;
  close: () => Promise<void>;
}

export async function startSmtpReceiver(user = 'notices', password = 'geheim wachtwoord'): Promise<SmtpReceiver> {
  const mails: ReceivedMail[] = [];
  const receiver: SmtpReceiver = {
    url: '',
    mails,
    refuse: false,
    close: async () => {},
  };
  const server = new SMTPServer({
    // Plain SMTP on loopback: no certificate to make, and AUTH is still required and checked.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === password) callback(null, { user });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (receiver.refuse) {
          callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw).then(
          (parsed) => {
            const address = (value: unknown) => (value as { text?: string } | undefined)?.text ?? '';
            mails.push({
              envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              envelopeTo: session.envelope.rcptTo.map((r) => r.address),
              from: address(parsed.from),
              to: address(parsed.to),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              raw,
            });
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  receiver.url = `smtp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  receiver.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return receiver;
}
