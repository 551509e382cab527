import { LOOPBACK_NAMES } from '@poortwachter/protocol';
import { createTransport } from 'nodemailer';

/** One plain-text mail to one recipient. */
export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

/** What the notice job needs of a mail server: send one message (rejects when it was not accepted), and close. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): void;
}

export interface SmtpMailerOptions {
  /** `smtp://user:password@host:port` (STARTTLS when offered) or `smtps://…` (TLS from the start); see `kinds.smtpUrl`. */
  readonly url: string;
  /** The sender (envelope and `From`). */
  readonly from: string;
  /** Time for connecting, the greeting and each exchange (default 30 s): a hung server cannot stall the job. */
  readonly timeoutMs?: number;
}

/**
 * A mailer over SMTP (nodemailer), from the `SMTP_URL` setting. The URL is taken apart here rather
 * than by nodemailer, so that only its host, port, user and password count (a query string could
 * otherwise switch off certificate checks). The envelope is set explicitly: the recipient is exactly
 * the one address, whatever a header parser would make of it.
 *
 * @example
 * const mailer = smtpMailer({ url: 'smtps://notices:secret@mail.example.nl', from: 'noreply@example.nl' });
 * await mailer.send({ to: 'suzanne@example.nl', subject: 'Er is iets nieuws over uw gegevens', text: '…' });
 */
export function smtpMailer(options: SmtpMailerOptions): Mailer {
  const url = new URL(options.url);
  const secure = url.protocol === 'smtps:';
  const timeout = options.timeoutMs ?? 30_000;
  const user = decodeURIComponent(url.username);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const transport = createTransport({
    host,
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    // Beyond this machine, smtp:// must upgrade (STARTTLS): a server that does not offer it, or a network
    // that strips the offer, gets neither the password nor a citizen's address in the clear.
    requireTLS: !secure && !(LOOPBACK_NAMES as readonly string[]).includes(url.hostname),
    ...(user ? { auth: { user, pass: decodeURIComponent(url.password) } } : {}),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  return {
    async send(message) {
      await transport.sendMail({
        from: options.from,
        to: message.to,
        envelope: { from: options.from, to: [message.to] },
        subject: message.subject,
        text: message.text,
      });
    },
    close: () => transport.close(),
  };
}
