/**
 * The development mailbox of `pnpm start` (examples/dev-mail), as a process: it takes the gateway's
 * notice over SMTP (the gateway's own mailer, as the notice job sends) and shows it on its page as
 * text, never as markup; it runs only for the demo and only on this machine.
 */
import { smtpMailer } from '@poortwachter/gateway';
import { afterAll, describe, expect, it } from 'vitest';
import { type EntryProcess, runEntry } from '../operations/server-entry.ts';
import { freePorts } from '../start-system.ts';

const ENTRY = 'examples/dev-mail/src/server.ts';
const started: EntryProcess[] = [];
afterAll(async () => {
  await Promise.all(started.map((p) => p.stop()));
});

describe('the development mailbox', () => {
  it('shows a mail it took over SMTP, its text escaped, on its page and as JSON', async () => {
    const [http, smtp] = (await freePorts(2)) as [number, number];
    const mailbox = runEntry(ENTRY, { PORT: String(http), DEV_MAIL_SMTP_PORT: String(smtp) });
    started.push(mailbox);
    expect(await mailbox.printed('development mailbox', 60_000), mailbox.output()).toBe(true);
    const mailer = smtpMailer({ url: `smtp://127.0.0.1:${smtp}`, from: 'geen-antwoord@poortwachter.example' });
    await mailer.send({
      to: 'suzanne@example.nl',
      subject: 'Er is iets nieuws over uw gegevens',
      text: 'Log in op <script>alert(1)</script> om te zien wie uw gegevens gebruikte.',
    });
    mailer.close();
    const { mails } = (await (await fetch(`http://127.0.0.1:${http}/v1/mails`)).json()) as {
      mails: { to: string; subject: string; text: string }[];
    };
    expect(mails).toMatchObject([{ to: 'suzanne@example.nl', subject: 'Er is iets nieuws over uw gegevens' }]);
    const page = await (await fetch(`http://127.0.0.1:${http}/`)).text();
    expect(page).toContain('Er is iets nieuws over uw gegevens');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain('<script>alert(1)');
  }, 90_000);

  it('does not start outside the demo, nor beyond this machine', async () => {
    const [http, smtp] = (await freePorts(2)) as [number, number];
    const env = { PORT: String(http), DEV_MAIL_SMTP_PORT: String(smtp) };
    const production = runEntry(ENTRY, { ...env, POORTWACHTER_DEMO: 'false' });
    const remote = runEntry(ENTRY, { ...env, HOST: '0.0.0.0' });
    started.push(production, remote);
    expect(await production.exited).toBe(2);
    expect(production.output()).toContain('POORTWACHTER_DEMO must be true');
    expect(await remote.exited).toBe(2);
    expect(remote.output()).toContain('refusing to listen on 0.0.0.0');
  }, 90_000);
});
