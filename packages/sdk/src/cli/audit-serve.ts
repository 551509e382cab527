import type { IncomingMessage, ServerResponse } from 'node:http';
import { isCalendarDate, readPeriod } from '@poortwachter/protocol';
import { createAuditorClient } from '../auditor-client.ts';
import { CliExit, organisationWithKey, registryOptions, runCommand } from './common.ts';
import { coverageCsv } from './coverage-export.ts';
import { COVERAGE_PAGE_CSS, coveragePage } from './coverage-page.ts';
import type { ValuesOf } from './definitions.ts';
import { pagePort, sendPage, serveLocalPage } from './local-page.ts';

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
    const { port, source } = pagePort(values.port, 8306);
    const { registry, organisation, privateKey } = await auditorWithKey(values);

    async function report(from: string, to: string, verify: boolean) {
      // A fresh directory for every report: a change in the registry shows at once.
      const client = createAuditorClient({ oin: organisation.oin, privateKey, ...registry });
      const current = await client.directory();
      const nameOf = (oin: string) => current.organisations.find((o) => o.oin === oin)?.name ?? 'unknown';
      return { ...(await client.coverage({ from, to, verify })), nameOf };
    }

    const handle = async (req: IncomingMessage, res: ServerResponse) => {
      const send = (status: number, type: string, body: string, extra: Record<string, string> = {}) =>
        sendPage(res, status, type, body, extra);
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

    await serveLocalPage({ port, source, what: `auditor's page for ${organisation.name}`, handle });
    return 0;
  });
}
