import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { MISDIRECTED_STATUS, misdirected } from '@poortwachter/protocol';
import { CliExit } from './common.ts';
import { print, shown } from './output.ts';

/** The headers of every answer of a page this machine serves to itself (no script, nothing framed). */
export const LOCAL_PAGE_SECURITY = {
  'content-security-policy':
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

/** Sends one answer with the page's security headers. */
export function sendPage(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': type, ...LOCAL_PAGE_SECURITY, ...extra });
  res.end(body);
}

/** The port of a local page: `--port`, else PORT (as `pnpm start` sets it; empty is unset), else `fallback`. */
export function pagePort(given: string | undefined, fallback: number): { port: number; source: string } {
  const [source, value] = given !== undefined ? ['--port', given] : ['PORT', process.env.PORT || String(fallback)];
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535)
    throw new CliExit(2, `${source} must be a whole number from 0 to 65535, got ${JSON.stringify(value)}.`);
  return { port, source };
}

/**
 * Serves a page for this machine only: on 127.0.0.1, answering only requests whose Host is a loopback
 * name of its port (421 otherwise: a web page elsewhere cannot reach it through DNS rebinding), and
 * refusing requests a page of another site made the browser send (Sec-Fetch-Site: cross-site). Prints
 * `what … on URL` once it listens and resolves when SIGINT or SIGTERM (or the end of the supervisor's
 * IPC channel) closed it. An error of `handle` is a 502 with its message.
 */
export async function serveLocalPage(options: {
  readonly port: number;
  readonly source: string;
  readonly what: string;
  readonly handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
}): Promise<void> {
  const { port, source } = options;
  const server = createServer((req, res) => {
    const refusal = misdirected(req.headers.host, req.socket.localPort ?? port);
    if (refusal) return sendPage(res, MISDIRECTED_STATUS, 'text/plain; charset=utf-8', refusal);
    // A page on another site may make the browser send a request here (it cannot read the answer, but
    // it would make this process sign): browsers say so in Sec-Fetch-Site.
    if (req.headers['sec-fetch-site'] === 'cross-site') {
      return sendPage(res, 403, 'text/plain; charset=utf-8', 'Open this page directly, not from another site.\n');
    }
    options.handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return res.destroy();
      sendPage(
        res,
        502,
        'text/plain; charset=utf-8',
        `The page could not be made: ${error instanceof Error ? error.message : String(error)}\n`,
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new CliExit(
          2,
          error.code === 'EADDRINUSE'
            ? `Port ${port} on 127.0.0.1 (from ${source}) is in use by another program: stop that program, or give a free port with --port (for example --port ${port === 65_535 ? port - 1 : port + 1}).`
            : error.message,
        ),
      ),
    );
    server.listen(port, '127.0.0.1', resolve);
  });
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}/`;
  print(shown`${options.what} on ${url} (this machine only; Ctrl-C stops it)\n`);
  await new Promise<void>((resolve) => {
    // The first signal closes the server (idle keep-alive connections at once); one that follows, as
    // when a wrapper passes the terminal's Ctrl-C on again, cuts what is still open instead of killing.
    let stopping = false;
    const stop = () => {
      if (stopping) return server.closeAllConnections();
      stopping = true;
      server.close(() => resolve());
      server.closeIdleConnections();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    // Started by a supervisor with an IPC channel (`pnpm start`): its end means the supervisor is gone.
    if (process.send) process.once('disconnect', stop);
  });
}

/** What went wrong with a form the page sent, and what was typed in it (shown again). */
export interface PageNotice {
  readonly kind: 'done' | 'error';
  readonly message: string;
  readonly details?: readonly string[];
  /** The form the error belongs to (`voorstel`, or a contract's hash) and its values, to fill in again. */
  readonly form?: string;
  readonly values?: Readonly<Record<string, string>>;
  /** A newly registered application's API key: shown on this answer only. */
  readonly apiKey?: string;
}
