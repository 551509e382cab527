import { Hono } from 'hono';
import { html } from 'hono/html';
import type { ReceivedMail } from './mailbox.ts';

/**
 * The development mailbox's page: the mails it received, newest first, as text (hono's `html`
 * escapes every value), and the same as JSON at `/v1/mails`.
 */
export function createDevMailApp(mails: readonly ReceivedMail[]) {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/v1/mails', (c) =>
    c.json({
      mails: [...mails].reverse().map(({ raw: _raw, ...mail }) => mail),
    }),
  );
  app.get('/', (c) => {
    const newest = [...mails].reverse();
    return c.html(
      html`<!doctype html>
        <html lang="nl">
          <head>
            <meta charset="utf-8" />
            <meta name="viewport" content="width=device-width, initial-scale=1" />
            <title>Ontwikkel-postvak (niet voor productie)</title>
            <style>
              body { font-family: system-ui, sans-serif; max-width: 48rem; margin: 1rem auto; padding: 0 1rem; }
              article { border-top: 1px solid #767676; padding: 0.5rem 0; }
              pre { white-space: pre-wrap; }
            </style>
          </head>
          <body>
            <main>
              <h1>Ontwikkel-postvak</h1>
              <p>De e-mails die de gateways van de demo versturen. Niet voor productie. Ververs de pagina voor nieuwe.</p>
              ${newest.length === 0 ? html`<p>Nog geen e-mail ontvangen.</p>` : ''}
              ${newest.map(
                (mail) => html`<article>
                  <h2>${mail.subject}</h2>
                  <p>Aan ${mail.to}, van ${mail.from}, ontvangen ${mail.receivedAt}</p>
                  <pre>${mail.text}</pre>
                </article>`,
              )}
            </main>
          </body>
        </html>`,
    );
  });
  return app;
}
