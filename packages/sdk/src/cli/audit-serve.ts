import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isCalendarDate, MISDIRECTED_STATUS, misdirected, readPeriod } from '@poortwachter/protocol';
import { createAuditorClient } from '../auditor-client.ts';
import { CliExit, organisationWithKey, registryOptions, runCommand } from './common.ts';
import { coverageCsv } from './coverage-export.ts';
import { COVERAGE_PAGE_CSS, coveragePage } from './coverage-page.ts';
import type { ValuesOf } from './definitions.ts';
import { print, shown } from './output.ts';

const SECURITY = {
  'content-security-policy':
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

/**
 * The period of a request: `from` and `to` as dates that exist (inclusive), each given once, by the
 * project's one period rule (`readPeriod`: the end not before the start), or the problem with the field
 * it names (2026-02-30 is one: it is never read as 2 March; `from=…&from=…` another).
 */
export function periodOf(
  params: URLSearchParams,
  today: string,
): { from: string; to: string; problem?: { field: string; message: string } } {
  const from = params.get('from') || `${today.slice(0, 8)}01`;
  const to = params.get('to') || today;
  for (const field of ['from', 'to'] as const) {
    if (params.getAll(field).length > 1)
      return {
        from,
        to,
        problem: { field, message: `${field}: give it once, not ${params.getAll(field).length} times.` },
      };
  }
  if (!isCalendarDate(from))
    return { from, to, problem: { field: 'from', message: 'from: give a date that exists, as 2026-11-01.' } };
  if (!isCalendarDate(to))
    return { from, to, problem: { field: 'to', message: 'to: give a date that exists, as 2026-11-30.' } };
  if (readPeriod(from, to).problems.length > 0)
    return { from, to, problem: { field: 'to', message: 'to: the end lies before the start.' } };
  return { from, to };
}

/**
 * The auditor the command acts as (`--as`, or the demo organisation with the role auditor), with its
 * private key (`--key`, or ./data/keys), the pinned registry and the verified directory.
 */
export async function auditorWithKey(values: {
  as?: string | undefined;
  key?: string | undefined;
  registry?: string | undefined;
  'registry-key'?: string | undefined;
}) {
  const registry = registryOptions(values);
  const bootstrap = createAuditorClient({ oin: '', privateKey: {}, ...registry });
  const directory = await bootstrap.directory();
  const { organisation, privateKey } = organisationWithKey(directory, values.as, values.key, 'auditor');
  if (!organisation.roles.includes('auditor')) {
    throw new CliExit(2, `${organisation.name} does not have the role auditor in the registry.`);
  }
  return { registry, directory, organisation, privateKey };
}

/**
 * `poortwachter audit serve [--port 8306] [--as ORG] [--key FILE]`: the coverage report as a web page
 * on this machine, at its own origin (http://127.0.0.1:8306/). The auditor's private key stays in this
 * process: the page is rendered here and the browser only ever sees HTML, CSV and JSON. It listens on
 * 127.0.0.1 only and answers only requests whose Host is a loopback name of its port (421 otherwise:
 * a web page elsewhere cannot reach it through DNS rebinding); nothing passes it through. It changes
 * nothing, so a request from another site's page can at most make it fetch a report.
 */
export async function auditServeCommand(values: ValuesOf<'audit serve'>): Promise<number> {
  return runCommand(async () => {
    // --port, else PORT (as `pnpm start` sets it; empty is unset), else 8306.
    const [source, given] = values.port !== undefined ? ['--port', values.port] : ['PORT', process.env.PORT || '8306'];
    const port = Number(given);
    if (!/^\d+$/.test(given) || port > 65_535)
      throw new CliExit(2, `${source} must be a whole number from 0 to 65535, got ${JSON.stringify(given)}.`);
    const { registry, organisation, privateKey } = await auditorWithKey(values);

    async function report(from: string, to: string, verify: boolean) {
      // A fresh directory for every report: a change in the registry shows at once.
      const client = createAuditorClient({ oin: organisation.oin, privateKey, ...registry });
      const current = await client.directory();
      const nameOf = (oin: string) => current.organisations.find((o) => o.oin === oin)?.name ?? 'unknown';
      return { ...(await client.coverage({ from, to, verify })), nameOf };
    }

    const handle = async (req: IncomingMessage, res: ServerResponse) => {
      const send = (status: number, type: string, body: string, extra: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': type, ...SECURITY, ...extra });
        res.end(body);
      };
      // The port the request came in on: this server's own.
      const refusal = misdirected(req.headers.host, req.socket.localPort ?? port);
      if (refusal) return send(MISDIRECTED_STATUS, 'text/plain; charset=utf-8', refusal);
      // A page on another site may make the browser send a request here (it cannot read the answer, but
      // it would make this process sign report requests): browsers say so in Sec-Fetch-Site.
      if (req.headers['sec-fetch-site'] === 'cross-site') {
        return send(403, 'text/plain; charset=utf-8', 'Open this page directly, not from another site.\n');
      }
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return send(405, 'text/plain; charset=utf-8', 'GET only.\n', { allow: 'GET' });
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname === '/healthz') return send(200, 'application/json', '{"status":"ok"}');
      const path = url.pathname;
      if (path === '/style.css') return send(200, 'text/css; charset=utf-8', COVERAGE_PAGE_CSS);
      const today = new Date().toISOString().slice(0, 10);
      const period = periodOf(url.searchParams, today);
      // Dates as the CLI sends them: the gateway reads a date `to` as the end of that day (inclusive).
      const verify = url.searchParams.get('verify') === '1';
      if (path === '/') {
        if (period.problem) {
          return send(
            400,
            'text/html; charset=utf-8',
            coveragePage({
              auditor: organisation.name,
              ...period,
              verify,
              reports: [],
              missing: [],
              nameOf: (o) => o,
            }),
          );
        }
        const result = await report(period.from, period.to, verify);
        return send(
          200,
          'text/html; charset=utf-8',
          coveragePage({ auditor: organisation.name, ...period, verify, ...result }),
        );
      }
      if (path === '/coverage.csv' || path === '/coverage.json') {
        if (period.problem) {
          return send(
            400,
            'application/problem+json',
            JSON.stringify({
              type: 'https://poortwachter.nl/problems/paramsValidation',
              title: 'The period is not valid.',
              status: 400,
              detail: period.problem.message,
              invalidParams: [{ name: period.problem.field, code: 'date', reason: period.problem.message }],
            }),
          );
        }
        const result = await report(period.from, period.to, false);
        const name = `coverage-${period.from}-${period.to}`;
        return path.endsWith('.csv')
          ? send(200, 'text/csv; charset=utf-8', coverageCsv(result.reports, result.nameOf), {
              'content-disposition': `attachment; filename="${name}.csv"`,
            })
          : send(
              200,
              'application/json',
              `${JSON.stringify({ reports: result.reports, missing: result.missing }, null, 2)}\n`,
              {
                'content-disposition': `attachment; filename="${name}.json"`,
              },
            );
      }
      return send(404, 'text/plain; charset=utf-8', 'Not found.\n');
    };

    const server = createServer((req, res) => {
      handle(req, res).catch((error: unknown) => {
        if (res.headersSent) return res.destroy();
        res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY });
        res.end(`The report could not be made: ${error instanceof Error ? error.message : String(error)}\n`);
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
    print(shown`auditor's page for ${organisation.name} on ${url} (this machine only; Ctrl-C stops it)\n`);
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
    return 0;
  });
}
