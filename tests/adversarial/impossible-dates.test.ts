/**
 * Dates that do not exist, against `pnpm start`: 30 February, month 13, 29 February of a year that is
 * not a leap year. `Date.parse` rolls them over (2026-02-30 is 2 March); every surface that reads a
 * period refuses them instead, naming the parameter: the auditor's page and its exports (400), the
 * gateway's citizen, audit and Logboek reads (problem+json 400 with invalidParams), and every CLI
 * command that takes a date (exit 2 with one line naming the option). A period that ends before it
 * starts is refused the same way, by the same rule (`readPeriod`), on every one of them. Raw HTTP, signed by
 * `raw-client.ts`; the CLI as a child process.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_OIN } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../run-process.ts';
import { type RunningSystem, startSystem } from '../start-system.ts';
import { type RawJwk, sendRaw } from './raw-client.ts';

interface Problem {
  readonly status: number;
  readonly invalidParams?: readonly { readonly name: string; readonly code: string; readonly reason: string }[];
}

/** A problem+json 400 whose invalidParams name exactly `names`. */
async function expectRefused(res: Response, names: string[], what: string) {
  const text = await res.text();
  expect(res.status, `${what}: ${text.slice(0, 300)}`).toBe(400);
  expect(res.headers.get('content-type'), what).toMatch(/^application\/problem\+json/);
  expect(
    (JSON.parse(text) as Problem).invalidParams?.map((p) => p.name),
    what,
  ).toEqual(names);
}

async function cli(args: string[], env: Record<string, string>) {
  const { code, err, out } = await runCli(args, { env });
  return { code, stderr: err, stdout: out };
}

describe('dates that do not exist are refused, never rolled over', () => {
  let system: RunningSystem;
  let auditorPage: string;
  let gateway: string;
  const key = (oin: string) => JSON.parse(readFileSync(join(system.data, 'keys', `${oin}.jwk.json`), 'utf8')) as RawJwk;

  beforeAll(async () => {
    system = await startSystem();
    auditorPage = `http://127.0.0.1:${system.ports.auditor}`;
    gateway = `http://localhost:${system.ports.gateway}`;
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  });

  const PERIODS = [
    ['from=2026-02-30&to=2026-02-31', 'from'],
    ['from=2026-02-28&to=2026-02-30', 'to'],
    ['from=2025-02-29&to=2025-03-01', 'from'],
    ['from=2026-13-01&to=2026-13-02', 'from'],
    ['from=2026-04-31&to=2026-05-01', 'from'],
  ] as const;

  it("the auditor's exports: 400 naming the field, and no file named after a day that does not exist", async () => {
    for (const [query, field] of PERIODS) {
      for (const file of ['coverage.csv', 'coverage.json']) {
        const res = await fetch(`${auditorPage}/${file}?${query}`);
        expect(res.headers.get('content-disposition'), `${file}?${query}`).toBeNull();
        await expectRefused(res, [field], `${file}?${query}`);
      }
    }
    // A date that exists still gives the report (2024 was a leap year).
    const leap = await fetch(`${auditorPage}/coverage.json?from=2024-02-29&to=2024-02-29`);
    expect(leap.status).toBe(200);
    expect(leap.headers.get('content-disposition')).toContain('coverage-2024-02-29-2024-02-29.json');
  });

  it("the auditor's page: 400, the field marked, and a title that does not say 30 February", async () => {
    for (const [query, field] of PERIODS) {
      const res = await fetch(`${auditorPage}/?${query}&verify=1`);
      const html = await res.text();
      expect(res.status, query).toBe(400);
      expect(html).toContain(`id="${field}" name="${field}" type="date"`);
      expect(html).toMatch(new RegExp(`id="${field}"[^>]*aria-invalid="true"`));
      const title = /<title>([^<]*)<\/title>/.exec(html)?.[1] ?? '';
      expect(title, query).not.toMatch(/\d{4}-\d{2}-\d{2}/);
      expect(html).not.toContain('Download:');
    }
  });

  it("the gateway's citizen read: /inzage/v1/verwerkingen?van=2026-02-30 is a 400 naming van", async () => {
    const token = await fetch(`http://localhost:${system.ports.idp}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ bsn: '999993653' }),
    });
    expect(token.status).toBe(200);
    const { access_token } = (await token.json()) as { access_token: string };
    const read = (query: string) =>
      fetch(`${gateway}/inzage/v1/verwerkingen?${query}`, { headers: { authorization: `Bearer ${access_token}` } });
    expect((await read('van=2026-02-28&tot=2026-03-01')).status).toBe(200);
    await expectRefused(await read('van=2026-02-30'), ['van'], 'van=2026-02-30');
    await expectRefused(await read('tot=2025-02-29'), ['tot'], 'tot=2025-02-29');
    await expectRefused(await read('van=2026-02-30T10:00:00Z'), ['van'], 'a date-time on 30 February');
    await expectRefused(await read('van=2026-03-01T24:00:00Z'), ['van'], 'hour 24');
    await expectRefused(await read('van=2026-02-30&tot=2026-02-31'), ['van', 'tot'], 'both');
    await expectRefused(await read('van=2026-12-01&tot=2026-11-01'), ['tot'], 'reversed');
    expect((await read('van=2026-11-01&tot=2026-11-01')).status).toBe(200);
  });

  it("the gateway's audit and Logboek reads: from, to, startTime and endTime are named", async () => {
    const signed = (path: string, oin: string, body: unknown) =>
      sendRaw(gateway.replace('localhost', '127.0.0.1'), {
        method: 'POST',
        targetUri: `${gateway}${path}`,
        key: key(oin),
        body: JSON.stringify(body),
      });
    const auditor = DEMO_OIN.autoriteitPersoonsgegevens;
    await expectRefused(
      await signed('/audit/v1/coverage', auditor, { from: '2026-02-30', to: '2026-03-31' }),
      ['from'],
      'coverage from',
    );
    await expectRefused(
      await signed('/audit/v1/coverage', auditor, { from: '2026-02-01', to: '2026-02-29' }),
      ['to'],
      'coverage to',
    );
    await expectRefused(
      await signed('/processing-activities', DEMO_OIN.utrecht, { startTime: '2026-02-30T00:00:00Z' }),
      ['startTime'],
      'Logboek startTime',
    );
    await expectRefused(
      await signed('/processing-activities', DEMO_OIN.utrecht, { endTime: '2026-13-01' }),
      ['endTime'],
      'Logboek endTime',
    );
    // A period that ends before it starts is refused the same way, naming its end.
    await expectRefused(
      await signed('/processing-activities', DEMO_OIN.utrecht, {
        startTime: '2026-12-01T00:00:00Z',
        endTime: '2026-11-01T00:00:00Z',
      }),
      ['endTime'],
      'Logboek reversed',
    );
    await expectRefused(
      await signed('/audit/v1/coverage', auditor, { from: '2026-12-01', to: '2026-11-01' }),
      ['to'],
      'coverage reversed',
    );
  });

  it('every CLI command that takes a date exits 2 with one line naming the option', async () => {
    const env = {
      DATA_DIR: system.data,
      REGISTRY_URL: `http://localhost:${system.ports.registry}`,
      IDP_URL: `http://localhost:${system.ports.idp}`,
    };
    for (const [args, option] of [
      [['audit', 'coverage', '--from', '2026-02-30', '--to', '2026-03-31'], '--from'],
      [['audit', 'coverage', '--to', '2025-02-29'], '--to'],
      [['audit', 'reconcile', '--as', 'utrecht', '--from', '2026-02-30'], '--from'],
      [['audit', 'reconcile', '--as', 'utrecht', '--to', '2026-13-01'], '--to'],
      [['inzage', '--bsn', '999993653', '--van', '2026-02-30'], '--van'],
      [['inzage', '--bsn', '999993653', '--tot', '2026-02-31T10:00:00Z'], '--tot'],
      // A period that ends before it starts: a usage error too, before anything is asked or shown.
      [['inzage', '--bsn', '999993653', '--van', '2026-12-01', '--tot', '2026-11-01'], '--tot'],
      [['audit', 'coverage', '--from', '2026-12-01', '--to', '2026-11-01'], '--to'],
      [
        ['audit', 'reconcile', '--as', 'utrecht', '--from', '2026-12-01T10:00:00Z', '--to', '2026-12-01T09:00:00Z'],
        '--to',
      ],
    ] as const) {
      const { code, stderr, stdout } = await cli([...args], env);
      expect(code, `${args.join(' ')}: ${stderr}`).toBe(2);
      // Never "0 keer … Niemand heeft uw gegevens bekeken" first.
      expect(stdout, args.join(' ')).toBe('');
      const lines = stderr.trim().split('\n');
      expect(lines, args.join(' ')).toHaveLength(1);
      expect(lines[0]).toContain(option);
    }
  }, 120_000);
});
