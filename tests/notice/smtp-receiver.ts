/**
 * A real SMTP server in the test process: the development mailbox's (examples/dev-mail, npm
 * smtp-server with mailparser), listening on 127.0.0.1 on a free port and asking for a user and
 * password, as a bronhouder's mail server would. `refuse` makes it answer 550 to every message.
 */
import { type Mailbox, startMailbox } from '../../examples/dev-mail/src/mailbox.ts';

export type { ReceivedMail } from '../../examples/dev-mail/src/mailbox.ts';
export type SmtpReceiver = Mailbox;

export const startSmtpReceiver = (user = 'notices', password = 'geheim wachtwoord'): Promise<SmtpReceiver> =>
  startMailbox({ auth: { user, password } });
