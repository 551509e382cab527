/**
 * Terminal escape injection through the registry's names, against `pnpm start`. A name with ESC, BEL,
 * CR, LF, C1 or a bidi override rewrites a line on the reader's terminal ("Niemand"), writes its
 * clipboard (OSC 52), sets its title, hides text (SGR 8), breaks a table's rows or reads backwards.
 * Both ends hold: the registry's admin API (raw HTTP) refuses every such character in every text
 * member of every record, naming the member; and rows already in a database (written here straight
 * into the registry's SQLite file, as an old row would be) reach the CLI (a child process) in every
 * format, and the auditor's page, with each control character written as its visible escape.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { openDatabase, type RegistryDatabase } from '@poortwachter/registry';
import { REQUEST_SAMPLES, textMembers } from '@poortwachter/registry/testing';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { querySuzanne } from '../operations/server-entry.ts';
import { type Finished, runCli } from '../run-process.ts';
import { gatewayHasNewestDirectory, type RunningSystem, startSystem } from '../start-system.ts';
import type { RawJwk } from './raw-client.ts';

/** The tester's name: OSC 52 (clipboard), BEL, CR, erase the line, "Niemand", SGR 8 (hidden). */
const UTRECHT = 'Gemeente Utrecht\u001b]52;c;ZWNobyBwd25lZA==\u0007\r\u001b[2KNiemand\u001b[8m';
/** How every surface must show it: each control character as its escape. */
const UTRECHT_SHOWN = 'Gemeente Utrecht\\u001b]52;c;ZWNobyBwd25lZA==\\u0007\\r\\u001b[2KNiemand\\u001b[8m';
const AUDITOR = 'Autoriteit Persoonsgegevens\u001b]0;pwned\u0007';
const ROTTERDAM = 'Gemeente Rotterdam\n| forged | row |';
const WMO = { name: 'Wmo\n| forged | row |\u2028maatwerk\u009b2K', doel: 'Onderzoeken\r\u001b[2KNiets\u202e' };
const GRONDSLAG = { id: 'wmo-2015-art-2.3.2', law_name: 'Wmo 2015\u0085', article: '2.3.2\u001b[8m' };

/** Every character that can forge or hide a line, line feeds aside (the output's own line breaks). */
const CONTROL_BUT_LF = /[^\P{Cc}\n]|[\p{Bidi_Control}\u2028\u2029]/u;

/** Each kind of character the registry refuses, as the tester and the terminal know them. */
const CONTROLS = {
  esc: '\u001b[2K',
  osc52: '\u001b]52;c;ZWNobyBwd25lZA==\u0007',
  title: '\u001b]0;pwned\u0007',
  bel: '\u0007',
  cr: '\r',
  lf: '\n',
  tab: '\t',
  nul: '\u0000',
  del: '\u007f',
  nel: '\u0085',
  csi: '\u009b2K',
  lineSeparator: '\u2028',
  paragraphSeparator: '\u2029',
  rightToLeftOverride: '\u202e',
  isolate: '\u2066',
  rightToLeftMark: '\u200f',
  arabicLetterMark: '\u061c',
};

/** Where the control characters came out, with a little context, for the failure message. */
function controlCharacters(text: string): string[] {
  return [...text.matchAll(new RegExp(CONTROL_BUT_LF, 'gu'))].map((m) =>
    JSON.stringify(text.slice(Math.max(0, m.index - 20), m.index + 5)),
  );
}

describe('no control character from outside reaches a terminal or the registry', () => {
  let system: RunningSystem;
  let registry: string;
  let adminToken: string;
  let env: Record<string, string>;

  const admin = (method: string, path: string, body: unknown) =>
    fetch(`${registry}/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    system = await startSystem({ env: { DIRECTORY_REFRESH_SECONDS: '1' } });
    registry = `http://localhost:${system.ports.registry}`;
    adminToken = readFileSync(join(system.data, 'registry-admin-token'), 'utf8').trim();
    env = {
      DATA_DIR: system.data,
      REGISTRY_URL: registry,
      IDP_URL: `http://127.0.0.1:${system.ports.idp}`,
    };
    // Rows as a database from before the rule may hold them: written past the admin API, then
    // published (the serial raised) as any change is.
    const { db, close } = openDatabase<RegistryDatabase>(`sqlite:${join(system.data, 'registry.db')}`);
    try {
      const rename = (oin: string, name: string) =>
        db.updateTable('organisations').set({ name }).where('oin', '=', oin).execute();
      await rename(DEMO_OIN.utrecht, UTRECHT);
      await rename(DEMO_OIN.autoriteitPersoonsgegevens, AUDITOR);
      await rename(DEMO_OIN.rotterdam, ROTTERDAM);
      await db
        .updateTable('processing_activity_versions')
        .set(WMO)
        .where('id', '=', DEMO_PROCESSING_ACTIVITY.utrechtWmo)
        .execute();
      await db
        .updateTable('grondslagen')
        .set({ law_name: GRONDSLAG.law_name, article: GRONDSLAG.article })
        .where('id', '=', GRONDSLAG.id)
        .execute();
      await db
        .updateTable('directory_state')
        .set((eb) => ({ serial: eb('serial', '+', 1) }))
        .where('id', '=', 1)
        .execute();
    } finally {
      await close();
    }
    await gatewayHasNewestDirectory(system);
    // One access by Utrecht under the Wmo activity, so that the reports and the timeline carry the names.
    const key = JSON.parse(readFileSync(join(system.data, 'keys', `${DEMO_OIN.utrecht}.jwk.json`), 'utf8')) as RawJwk;
    const res = await querySuzanne(`http://127.0.0.1:${system.ports.gateway}`, system.ports.gateway, key, [
      'naam.geslachtsnaam',
    ]);
    expect(res.status, await res.text()).toBe(200);
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
  });

  describe('the registry refuses them (admin API, raw HTTP)', () => {
    it("refuses the tester's name for Utrecht: 400 problem+json naming `name`", async () => {
      const res = await admin('PUT', `/organisations/${DEMO_OIN.utrecht}`, {
        name: UTRECHT,
        kind: 'gemeente',
        roles: ['afnemer'],
      });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      const problem = (await res.json()) as { invalidParams?: { name: string; code: string; reason: string }[] };
      expect(problem.invalidParams).toEqual([expect.objectContaining({ name: 'name', code: 'pattern' })]);
      expect(problem.invalidParams?.[0]?.reason).toMatch(/stuurteken/);
    });

    it('refuses each kind of control character in a name', async () => {
      for (const [kind, control] of Object.entries(CONTROLS)) {
        const res = await admin('PUT', `/organisations/${DEMO_OIN.haarlem}`, {
          name: `Gemeente ${control}Haarlem`,
          kind: 'gemeente',
          roles: ['afnemer'],
        });
        const body = (await res.json()) as { invalidParams?: { name: string }[] };
        expect({ kind, status: res.status, names: body.invalidParams?.map((p) => p.name) }).toEqual({
          kind,
          status: 400,
          names: ['name'],
        });
      }
    });

    it('refuses one in every text member of every record, naming the member', async () => {
      const kinds = Object.values(CONTROLS);
      let n = 0;
      for (const sample of REQUEST_SAMPLES) {
        for (const member of textMembers(sample.body)) {
          const control = kinds[n++ % kinds.length] as string;
          const res = await admin(sample.method, sample.path, member.replace(`${member.value}${control}`));
          const body = (await res.json()) as { invalidParams?: { name: string; code: string }[] };
          const where = `${sample.method} ${sample.path} ${member.name} ${JSON.stringify(control)}`;
          expect(res.status, where).toBe(400);
          expect(body.invalidParams, where).toContainEqual(
            expect.objectContaining({ name: member.name, code: 'pattern' }),
          );
        }
      }
      expect(n).toBeGreaterThan(40);
    }, 60_000);

    it('has stored none of what it refused', async () => {
      const res = await fetch(`${registry}/v1/organisations/${DEMO_OIN.haarlem}`);
      expect(((await res.json()) as { name: string }).name).toBe('Gemeente Haarlem');
    });
  });

  describe('the CLI shows old rows with every control character escaped', () => {
    /** Nothing in stdout or stderr that a terminal obeys but a line feed; the exit as expected. */
    function expectVisible(run: Finished, codes: number[] = [0]) {
      expect(codes, run.output.slice(0, 2000)).toContain(run.code);
      expect(controlCharacters(run.out), 'stdout').toEqual([]);
      expect(controlCharacters(run.err), 'stderr').toEqual([]);
    }

    it('audit coverage as a table, Markdown, CSV and JSON', async () => {
      const formats = ['table', 'markdown', 'csv', 'json'] as const;
      const runs = await Promise.all(
        formats.map((format) => runCli(['audit', 'coverage', '--format', format], { env })),
      );
      for (const [i, run] of runs.entries()) {
        expectVisible(run, [0, 1]);
        expect(run.out, formats[i]).toContain(UTRECHT_SHOWN);
      }
      const [table, markdown, csv, json] = runs as [Finished, Finished, Finished, Finished];
      expect(table.out).toContain('auditor: Autoriteit Persoonsgegevens\\u001b]0;pwned\\u0007');
      expect(table.out).toContain('Wmo\\n| forged | row |\\u2028maatwerk\\u009b2K');
      // A line feed in a name does not start a row of its own, nor does a | add a column.
      expect(markdown.out).toContain('Wmo\\n\\| forged \\| row \\|\\u2028maatwerk\\u009b2K');
      expect(markdown.out.split('\n').filter((line) => line.startsWith('| forged'))).toEqual([]);
      expect(csv.out.split('\n')[0]).toMatch(/^kind,gateway,afnemer,/);
      // JSON keeps the data as it is, C1 and the bidi controls as escapes too.
      expect(JSON.stringify(JSON.parse(json.out))).toContain(JSON.stringify(WMO.name).slice(1, -1));
      expect(json.out).toContain('\\u009b2K');
    }, 120_000);

    it('directory, as a table and as JSON', async () => {
      const [table, json] = await Promise.all([
        runCli(['directory'], { env }),
        runCli(['directory', '--json'], { env }),
      ]);
      expectVisible(table);
      expectVisible(json);
      expect(table.out).toContain(UTRECHT_SHOWN);
      expect(table.out).toContain('Gemeente Rotterdam\\n| forged | row |');
      expect(table.out.split('\n').filter((line) => line.startsWith('| forged'))).toEqual([]);
      expect(json.out).toContain(UTRECHT_SHOWN);
    }, 60_000);

    it('inzage, as a table (with --verify) and as JSON', async () => {
      const [table, json] = await Promise.all([
        runCli(['inzage', '--bsn', '999993653', '--verify'], { env }),
        runCli(['inzage', '--bsn', '999993653', '--json'], { env }),
      ]);
      expectVisible(table);
      expectVisible(json);
      expect(table.out).toContain(UTRECHT_SHOWN);
      expect(table.out).toContain('Onderzoeken\\r\\u001b[2KNiets\\u202e');
      expect(table.out).toContain('Wmo 2015\\u0085 2.3.2\\u001b[8m');
      expect(json.out).toContain(UTRECHT_SHOWN);
    }, 60_000);

    it('query, log verify and audit reconcile', async () => {
      const runs = await Promise.all([
        runCli(['query', '--as', DEMO_OIN.utrecht, '--bsn', '999993653', '--fields', 'naam.geslachtsnaam'], { env }),
        runCli(['log', 'verify'], { env }),
        runCli(
          ['audit', 'reconcile', '--as', DEMO_OIN.utrecht, '--outway', `http://localhost:${system.ports.outway}`],
          {
            env,
          },
        ),
      ]);
      for (const run of runs) expectVisible(run, [0, 1]);
      const [query, log, reconcile] = runs as [Finished, Finished, Finished];
      expect(query.out).toContain(UTRECHT_SHOWN);
      expect(log.out).toContain('Autoriteit Persoonsgegevens\\u001b]0;pwned\\u0007');
      expect(reconcile.out, reconcile.err).toContain(UTRECHT_SHOWN);
    }, 120_000);

    it("the auditor's page shows them as escapes, markup as entities", async () => {
      const today = new Date().toISOString().slice(0, 10);
      const res = await fetch(`http://127.0.0.1:${system.ports.auditor}/?from=${today}&to=${today}`);
      const html = await res.text();
      expect(res.status).toBe(200);
      expect(controlCharacters(html)).toEqual([]);
      expect(html).toContain(UTRECHT_SHOWN);
    });
  });

  it('audit serve on a port in use says which port, where it came from and what to do (exit 2)', async () => {
    const port = String(system.ports.auditor);
    const { code, err } = await runCli(['audit', 'serve', '--port', port], { env });
    expect(code).toBe(2);
    expect(err).toContain(`Port ${port} on 127.0.0.1 (from --port) is in use`);
    expect(err).toMatch(/stop that program, or give a free port with --port/);
  }, 60_000);
});

describe('an answer that is not what the CLI expects prints no control character either', () => {
  /** A development identity provider on 127.0.0.1 that answers `/token` with `status` and `body`. */
  async function identityProvider(status: number, type: string, body: string) {
    const server = createServer((_req, res) => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    return { url, close: () => new Promise((resolve) => server.close(resolve)) };
  }

  it.each([
    // Node repeats the first characters of a body that is not JSON in its error's message.
    [
      'a body that is not JSON (an error no command expected)',
      200,
      'text/plain',
      '\u001b]0;pwned\u0007\r\u001b[2K',
      '\\u001b]0;pwned',
    ],
    [
      'a refusal whose detail carries them',
      400,
      'application/json',
      JSON.stringify({ detail: UTRECHT }),
      UTRECHT_SHOWN,
    ],
  ])(
    '%s',
    async (_case, status, type, body, shown) => {
      const idp = await identityProvider(status, type, body);
      try {
        const run = await runCli(['inzage', '--bsn', '999993653', '--idp', idp.url], {
          env: { REGISTRY_URL: 'http://127.0.0.1:9' },
        });
        expect(run.code, run.output).toBe(1);
        expect(controlCharacters(run.output)).toEqual([]);
        expect(run.err).toContain(shown);
      } finally {
        await idp.close();
      }
    },
    30_000,
  );
});
