import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { specProblemErrors } from '@poortwachter/gateway/testing';
import { openDatabase } from '@poortwachter/registry';
import {
  BRP_OPENAPI_PATH,
  createBrpValidator,
  DEMO_OIN,
  DEMO_PROCESSING_ACTIVITY,
  demoAutorisaties,
} from '@poortwachter/seeds';
import createClient from 'openapi-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SOURCE_LOADER } from '../../scripts/source-loader.ts';
import { freePort, type RunningSystem, root, startSystem } from '../start-system.ts';
import type { components, paths } from './brp-api.d.ts';
import { generatedAndCommitted } from './generated-types.ts';

type Schemas = components['schemas'];
type PersonenQuery = Schemas['PersonenQuery'];
type SearchBody =
  | Schemas['RaadpleegMetBurgerservicenummer']
  | Schemas['ZoekMetPostcodeEnHuisnummer']
  | Schemas['ZoekMetGeslachtsnaamEnGeboortedatum'];

const validator = createBrpValidator();
const specErrors = (schema: string, body: unknown) => {
  const checked = validator.validate(schema, body);
  return checked.valid ? [] : checked.errors.map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
};

/** One spec body per search type, with fields Utrecht's Wmo autorisatie covers. */
const EXAMPLES: Record<string, SearchBody> = {
  RaadpleegMetBurgerservicenummer: {
    type: 'RaadpleegMetBurgerservicenummer',
    burgerservicenummer: ['999993653'],
    fields: ['burgerservicenummer', 'naam.voornamen', 'naam.geslachtsnaam', 'geboorte.datum'],
  },
  ZoekMetPostcodeEnHuisnummer: {
    type: 'ZoekMetPostcodeEnHuisnummer',
    postcode: '3077AW',
    huisnummer: 31,
    fields: ['burgerservicenummer', 'naam.geslachtsnaam', 'geboorte.datum'],
  },
};

/**
 * A gemeente's existing application, as it calls the BRP API: a client generated from the spec by
 * openapi-typescript and openapi-fetch, an X-API-KEY, no signing code of ours, against `pnpm start`.
 */
describe("Utrecht's application through the outway (a generated BRP API client, pnpm start)", () => {
  let system: RunningSystem;
  let apiKey: string;
  let client: ReturnType<typeof createClient<paths>>;

  beforeAll(async () => {
    system = await startSystem();
    apiKey = readFileSync(join(system.data, 'outway-api-key'), 'utf8').trim();
    client = createClient<paths>({
      baseUrl: `http://127.0.0.1:${system.ports.outway}/brp-personen`,
      headers: { 'X-API-KEY': apiKey },
    });
  }, 90_000);
  afterAll(async () => {
    await system?.stop();
  });

  it('uses a client generated from the committed spec (the committed types are what the generator makes)', () => {
    const { generated, committed } = generatedAndCommitted(BRP_OPENAPI_PATH, 'brp-api.d.ts');
    expect(generated).toBe(committed);
  });

  it('gets a spec-valid answer for every search type Utrecht may use', async () => {
    const now = new Date();
    const mayUse = demoAutorisaties(now)
      .filter((a) => a.afnemerOin === DEMO_OIN.utrecht && Date.parse(a.validFrom) <= now.getTime())
      .flatMap((a) => a.searchTypes);
    expect(mayUse.length).toBeGreaterThan(1);
    for (const type of new Set(mayUse)) {
      const body = EXAMPLES[type];
      expect(body, `an example body for ${type}`).toBeDefined();
      const { data, error, response } = await client.POST('/personen', { body: body as PersonenQuery });
      expect(error, `${type}: ${JSON.stringify(error)}`).toBeUndefined();
      expect(response.status).toBe(200);
      expect(specErrors(`${type}Response`, data), type).toEqual([]);
      expect((data as { personen?: unknown[] } | undefined)?.personen?.length, type).toBeGreaterThan(0);
      expect(response.headers.get('fsc-transaction-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('gets every refusal as spec-valid problem+json, from the outway and from the provider', async () => {
    const raadpleeg = EXAMPLES.RaadpleegMetBurgerservicenummer as Schemas['RaadpleegMetBurgerservicenummer'];
    const zoek: Schemas['ZoekMetGeslachtsnaamEnGeboortedatum'] = {
      type: 'ZoekMetGeslachtsnaamEnGeboortedatum',
      geslachtsnaam: 'Moulin',
      geboortedatum: '1983-05-26',
      fields: ['naam.voornamen'],
    };
    const post = (body: SearchBody, headers: Record<string, string> = {}) =>
      client.POST('/personen', { body: body as PersonenQuery, headers });
    const cases: [string, number, Promise<{ error?: unknown; response: Response }>][] = [
      ['unauthorised field', 403, post({ ...raadpleeg, fields: ['nationaliteiten'] })],
      ['unauthorised search type', 403, post(zoek)],
      ['BSN that fails the elfproef', 400, post({ ...raadpleeg, burgerservicenummer: ['123456789'] })],
      ['no API key', 401, post(raadpleeg, { 'X-API-KEY': '' })],
      ['wrong API key', 401, post(raadpleeg, { 'X-API-KEY': 'pwk_wrong' })],
      [
        'activity the application is not bound to',
        403,
        post(raadpleeg, { 'Processing-Activity': DEMO_PROCESSING_ACTIVITY.haarlemBijstand }),
      ],
      [
        'autorisatie not yet in force',
        403,
        post(raadpleeg, { 'Processing-Activity': DEMO_PROCESSING_ACTIVITY.utrechtJeugd }),
      ],
      ['a body that is no JSON object', 400, post('{' as unknown as SearchBody)],
    ];
    for (const [name, status, call] of cases) {
      const { error, response } = await call;
      expect(response.status, name).toBe(status);
      expect(response.headers.get('content-type'), name).toMatch(/^application\/problem\+json/);
      expect(specProblemErrors(error), name).toEqual([]);
    }
  });

  it('reconciles with the CLI: both logs agree, then a query around the outway is found (exit 1)', () => {
    const cli = (args: string[]) => {
      try {
        return {
          code: 0,
          out: execFileSync(process.execPath, [...SOURCE_LOADER, 'packages/sdk/src/cli/main.ts', ...args], {
            cwd: root,
            env: { ...process.env, DATA_DIR: system.data, REGISTRY_URL: `http://127.0.0.1:${system.ports.registry}` },
            encoding: 'utf8',
          }),
        };
      } catch (error) {
        const e = error as { status: number; stdout: string; stderr: string };
        return { code: e.status, out: `${e.stdout}${e.stderr}` };
      }
    };
    const reconcile = ['audit', 'reconcile', '--as', 'utrecht', '--outway', `http://localhost:${system.ports.outway}`];
    const agree = cli(reconcile);
    expect(agree.out).toContain('The two logs agree.');
    expect(agree.code).toBe(0);
    expect(cli(['query', '--as', 'utrecht', '--bsn', '999993653', '--fields', 'naam.voornamen']).code).toBe(0);
    const differ = cli(reconcile);
    expect(differ.out).toMatch(/ONLY AT THE PROVIDER \(1\)/);
    expect(differ.code).toBe(1);
  }, 60_000);

  it('keeps every answer an application received on record when the outway is killed (-9) under load', async () => {
    const port = await freePort();
    const database = join(system.data, 'crash-outway.db');
    const keyFile = join(system.data, 'crash-outway-api-key');
    const start = () =>
      spawn(process.execPath, [...SOURCE_LOADER, 'packages/gateway/src/server/outway-main.ts'], {
        cwd: root,
        env: {
          ...process.env,
          POORTWACHTER_DEMO: 'true',
          PORT: String(port),
          DATA_DIR: system.data,
          DATABASE_URL: `sqlite:${database}`,
          REGISTRY_URL: `http://127.0.0.1:${system.ports.registry}`,
          ORGANISATION_OIN: DEMO_OIN.utrecht,
          DEMO_APPLICATION_KEY_FILE: keyFile,
          ADMIN_TOKEN_FILE: join(system.data, 'crash-outway-admin-token'),
          LOG_KEY_FILE: join(system.data, 'keys', 'crash-outway-log.key'),
          INSTANCE_ID: 'crash-outway',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    const outway: ChildProcess = start();
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`the outway did not start:\n${output}`)), 60_000);
      const collect = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('listening on')) {
          clearTimeout(timer);
          resolve();
        }
      };
      outway.stdout?.on('data', collect);
      outway.stderr?.on('data', collect);
    });
    const key = readFileSync(keyFile, 'utf8').trim();
    const received: string[] = [];
    let stop = false;
    const worker = async () => {
      while (!stop) {
        try {
          const res = await fetch(`http://127.0.0.1:${port}/brp-personen/personen`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-api-key': key },
            body: JSON.stringify(EXAMPLES.RaadpleegMetBurgerservicenummer),
          });
          const text = await res.text();
          if (res.status === 200 && text.includes('Suzanne'))
            received.push(res.headers.get('fsc-transaction-id') ?? '');
        } catch {
          // the outway is gone
          return;
        }
      }
    };
    const workers = Array.from({ length: 16 }, worker);
    // Killed in the middle of the load, once it is answering (not after a fixed time: on a busy machine a
    // fresh outway may answer its first requests only seconds later).
    for (let waited = 0; received.length < 40 && waited < 40_000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    outway.kill('SIGKILL');
    await new Promise((resolve) => outway.once('exit', resolve));
    stop = true;
    await Promise.all(workers);
    expect(received.length, `${received.length} answers received`).toBeGreaterThan(20);
    console.log(`crash test: ${received.length} answers received before kill -9, all checked`);
    const opened = openDatabase<{ access_log: { transaction_id: string } }>(`sqlite:${database}`);
    const rows = await opened.db.selectFrom('access_log').select('transaction_id').execute();
    await opened.close();
    const logged = new Set(rows.map((r) => r.transaction_id));
    expect(received.filter((id) => !logged.has(id))).toEqual([]);
  }, 150_000);
});
