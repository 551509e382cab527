/**
 * NOT FOR PRODUCTION: the development mailbox's server entry. It takes mail on `DEV_MAIL_SMTP_PORT`
 * (no password, no TLS) and shows what it received on `PORT`, both on loopback only, and runs only
 * with POORTWACHTER_DEMO=true: `pnpm start` points the inways' notices here (README: Notices).
 */
import { createLogger, failSetting, listen, runServer, startupSettings, stopOnSignals } from '@poortwachter/operations';
import { bindHost, isLoopback } from '@poortwachter/registry';
import { createDevMailApp } from './app.ts';
import { startMailbox } from './mailbox.ts';
import { devMailSettings } from './settings.ts';

const log = createLogger('dev-mail');
await runServer(log, async () => {
  const settings = startupSettings(log, devMailSettings);
  if (!settings.POORTWACHTER_DEMO)
    failSetting('POORTWACHTER_DEMO must be true for the development mailbox: it is for the demo only');
  const host = bindHost({ HOST: settings.HOST });
  if (!isLoopback(host)) failSetting(`refusing to listen on ${host}: the development mailbox is for this machine only`);
  const mailbox = await startMailbox({ host, port: settings.DEV_MAIL_SMTP_PORT });
  const listening = await listen({
    fetch: createDevMailApp(mailbox.mails).fetch,
    port: settings.PORT,
    hostname: host,
    forThisMachineOnly: true,
  });
  log.info(
    { url: listening.url, smtp: mailbox.url },
    `development mailbox (NOT FOR PRODUCTION) on ${listening.url}, taking mail at ${mailbox.url}`,
  );
  stopOnSignals(listening, {
    component: 'dev-mail',
    log,
    drainTimeoutMs: settings.DRAIN_TIMEOUT_SECONDS * 1000,
    close: () => mailbox.close(),
  });
});
