/**
 * The citizens' page and the auditor's page in a real headless Chromium, against `pnpm start` (all
 * seven parts on free ports): Suzanne Moulin logs in by keyboard after the demo traffic and sees the
 * demo's access proven, and one line that two independent witnesses vouched for the logs' heads; a confidential access stays hidden and appears once the confidentiality is
 * lifted; a record edited behind the gateway's back is marked not proven; a gateway that is down is
 * named; the auditor's page shows an access that was not covered at its moment. axe-core runs in
 * every page state; the layout is checked at 320 px and at 200 % zoom. Requests that the afnemers and
 * the registry's administrator make are built here by hand, not with the sdk.
 */
import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { demoPrivateKey, findContractHash, signAsOrganisation, signContractAs } from '@poortwachter/registry/testing';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RawJwk, sendRaw } from '../adversarial/raw-client.ts';
import { runEntry } from '../run-process.ts';
import { freePort, gatewayHasNewestDirectory, type RunningSystem, startSystem } from '../start-system.ts';
import { axeViolations, launchChromium, overflowsHorizontally, screenshotDir, tabTo } from './browser.ts';

const SUZANNE = '999993653';

const run = (entry: string, env: Record<string, string>) => runEntry(entry, [], { env });

describe("the citizens' page and the auditor's page, in Chromium", () => {
  let system: RunningSystem;
  let browser: Browser;
  let context: BrowserContext;
  let portal: string;
  let registry: string;
  let adminToken: string;
  const shots: string[] = [];
  const key = (oin: string) => JSON.parse(readFileSync(join(system.data, 'keys', `${oin}.jwk.json`), 'utf8')) as RawJwk;
  const env = () => ({ DATA_DIR: system.data, REGISTRY_URL: registry });

  /** A query by an afnemer, signed by hand, straight to the gateway. */
  const query = (oin: string, activity: string, fields: string[]) =>
    sendRaw(`http://127.0.0.1:${system.ports.gateway}`, {
      method: 'POST',
      targetUri: `http://localhost:${system.ports.gateway}/personen`,
      key: key(oin),
      processingActivity: activity,
      body: JSON.stringify({ type: 'RaadpleegMetBurgerservicenummer', burgerservicenummer: [SUZANNE], fields }),
    });

  const admin = async (method: 'POST' | 'PUT', path: string, body?: unknown) => {
    const res = await fetch(`${registry}/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect(res.status, `${method} ${path}: ${await res.clone().text()}`).toBeLessThan(300);
    return res.json() as Promise<Record<string, unknown>>;
  };

  async function shot(page: Page, name: string) {
    const file = join(screenshotDir(), `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    shots.push(file);
  }

  async function expectAccessible(page: Page, what: string) {
    const violations = await axeViolations(page);
    expect(violations, `${what}: ${JSON.stringify(violations, null, 2)}`).toEqual([]);
  }

  /** Opens the page and logs in as Suzanne Moulin by keyboard only; returns once the timeline is there. */
  async function logInAsSuzanne(page: Page, options: { check?: boolean } = {}) {
    await page.goto(`${portal}/`);
    await page.waitForSelector('#login');
    if (options.check) await expectAccessible(page, 'the logged-out page');
    await tabTo(page, (text) => text === 'Inloggen');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/authorize\?/);
    if (options.check) await expectAccessible(page, "the identity provider's login page");
    await tabTo(page, (text) => text.includes('Suzanne Moulin'));
    await page.keyboard.press('Enter');
    await page.waitForSelector('#found', { timeout: 30_000 });
    // The login code is gone from the address bar, and nothing is left in the browser's storage.
    expect(page.url()).toBe(`${portal}/`);
    expect(await page.evaluate('[sessionStorage.length, localStorage.length, document.cookie]')).toEqual([0, 0, '']);
  }

  const lines = (page: Page) =>
    page.evaluate(`[...document.querySelectorAll('li.access')].map((li) => ({
      id: li.getAttribute('data-id') ?? '',
      proven: li.classList.contains('proven'),
      text: li.innerText,
    }))`) as Promise<{ id: string; proven: boolean; text: string }[]>;

  beforeAll(async () => {
    // The gateway refreshes its directory every 20 s here, so that the test can act between two refreshes.
    system = await startSystem({ env: { DIRECTORY_REFRESH_SECONDS: '20' } });
    portal = `http://localhost:${system.ports.portal}`;
    registry = `http://localhost:${system.ports.registry}`;
    adminToken = readFileSync(join(system.data, 'registry-admin-token'), 'utf8').trim();
    const demo = await run('examples/demo/query-suzanne.ts', env());
    expect(demo.code, demo.output).toBe(0);
    browser = await launchChromium();
    context = await browser.newContext({
      locale: 'nl-NL',
      timezoneId: 'Europe/Amsterdam',
      viewport: { width: 1280, height: 900 },
    });
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await system?.stop();
    if (shots.length > 0) process.stdout.write(`screenshots:\n${shots.map((s) => `  ${s}`).join('\n')}\n`);
  });

  it("shows Suzanne the demo's access, proven in her own browser, with whom to contact", async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await logInAsSuzanne(page, { check: true });
    // The demo's three accesses: RvIG's BRP for Utrecht's Wmo, Kadaster's BRK for Utrecht's OZB (her home
    // by address) and for Haarlem's bijstand (by her BSN), in one timeline, each proven in its own log.
    const all = await lines(page);
    expect(all).toHaveLength(3);
    expect(all.every((l) => l.proven)).toBe(true);
    // Every head the lines were proven in is cosigned by both witnesses of `pnpm start` (quorum 2): one line says so.
    expect(await page.locator('#witnessed').textContent()).toBe(
      'Dit overzicht is bevestigd door 2 onafhankelijke getuigen.',
    );
    const line = all.find((l) => l.text.includes('Wmo-maatwerkvoorziening'));
    expect(line?.text).toContain('Gemeente Utrecht');
    expect(line?.text).toContain('Ja. Deze regel staat in het logboek en is niet veranderd.');
    expect(line?.text).toContain('Het logboek wordt bijgehouden door Rijksdienst voor Identiteitsgegevens.');
    const ozb = all.find((l) => l.text.includes('Heffing onroerendezaakbelastingen'));
    expect(ozb?.text).toContain('Gemeente Utrecht');
    expect(ozb?.text).toContain('Het logboek wordt bijgehouden door Kadaster.');
    const bijstand = all.find((l) => l.text.includes('Vermogensonderzoek bijstand'));
    expect(bijstand?.text).toContain('Gemeente Haarlem');
    expect(bijstand?.text).toContain('Het logboek wordt bijgehouden door Kadaster.');
    expect(await page.locator('li.access a[href^="https://wetten.overheid.nl/"]').count()).toBeGreaterThan(0);
    await expectAccessible(page, 'the timeline');
    // "Klopt dit niet?" opens by keyboard and names the privacy contact the registry holds for Utrecht.
    await tabTo(page, (text, tag) => tag === 'SUMMARY' && text === 'Klopt dit niet?');
    await page.keyboard.press('Enter');
    const help = page.locator('details.not-right').first();
    await expect.poll(() => help.getAttribute('open')).toBe('');
    // The first line's (the newest: Haarlem's, or Utrecht's when two came in the same millisecond).
    const gemeente = all[0]?.text.includes('Gemeente Haarlem') ? 'haarlem' : 'utrecht';
    expect(await help.textContent()).toContain(`privacy@${gemeente}.example`);
    await expectAccessible(page, 'the timeline with "Klopt dit niet?" open');
    await shot(page, '1-suzanne-demo-access-proven');
    // The overview as CSV, by keyboard.
    await tabTo(page, (text) => text.startsWith('Download als CSV'), 80).catch(async () => {
      await page.keyboard.press('Shift+Tab');
    });
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#download-csv').press('Enter')]);
    const csv = readFileSync((await download.path()) as string, 'utf8');
    expect(csv).toContain('Gemeente Utrecht');
    expect(csv).toContain(';ja;');
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('holds its layout at 320 px wide and at 200 % zoom, and filters by period and organisation', async () => {
    for (const [width, scale] of [
      [320, 1],
      [640, 2],
    ] as const) {
      const small = await browser.newContext({
        locale: 'nl-NL',
        viewport: { width, height: 800 },
        deviceScaleFactor: scale,
      });
      const page = await small.newPage();
      await logInAsSuzanne(page);
      expect(await overflowsHorizontally(page), `horizontal scrolling at ${width} px`).toBe(false);
      if (width === 320) await shot(page, '2-timeline-320px');
      await expectAccessible(page, `the timeline at ${width} px`);
      await small.close();
    }
    const page = await context.newPage();
    await logInAsSuzanne(page);
    await page.fill('#filter-from', '2000-01-01');
    await page.fill('#filter-to', '2000-12-31');
    await page.dispatchEvent('#filter-to', 'change');
    expect(await lines(page)).toEqual([]);
    expect(await page.locator('#count').textContent()).toContain('In deze periode heeft geen organisatie');
    await page.locator('button[type=reset]').click();
    await expect.poll(async () => (await lines(page)).length).toBe(3);
    await page.selectOption('#filter-organisation', 'Gemeente Utrecht');
    expect((await lines(page)).length).toBe(2);
    await page.close();
  }, 120_000);

  let fraudRecord = '';
  it('keeps a confidential access hidden, and shows it once the confidentiality is lifted', async () => {
    const res = await query(DEMO_OIN.sHertogenbosch, DEMO_PROCESSING_ACTIVITY.denBoschFraude, ['naam.geslachtsnaam']);
    expect(res.status, await res.clone().text()).toBe(200);
    const page = await context.newPage();
    const requested: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    await logInAsSuzanne(page);
    expect((await lines(page)).length).toBe(3);
    const html = await page.content();
    expect(html).not.toContain("'s-Hertogenbosch");
    expect(html).not.toContain('bijstandsfraude');
    expect(requested.join('\n')).not.toContain('bijstandsfraude');
    await shot(page, '3-confidential-hidden');

    // The investigation ends: a new version of the verwerkingsactiviteit, no longer confidential.
    const activity = DEMO_PROCESSING_ACTIVITY.denBoschFraude;
    const current = (await (
      await fetch(`${registry}/v1/processing-activities/${encodeURIComponent(activity)}`)
    ).json()) as {
      versions: Record<string, unknown>[];
    };
    const latest = current.versions.at(-1) as Record<string, unknown>;
    // 's-Hertogenbosch changes its own verwerkingsactiviteit: a request signed with its key.
    const change = await signAsOrganisation({
      registryUrl: registry,
      method: 'PUT',
      path: `/v1/processing-activities/${encodeURIComponent(activity)}`,
      privateKey: demoPrivateKey(join(system.data, 'keys'), String(latest.responsibleOin)),
      body: {
        name: latest.name,
        doel: latest.doel,
        grondslagIds: latest.grondslagIds,
        responsibleOin: latest.responsibleOin,
        bewaartermijn: latest.bewaartermijn,
        vertrouwelijkheid: 'normaal',
      },
    });
    const changed = await fetch(change.url, change.init);
    expect(changed.status, await changed.clone().text()).toBe(200);
    await gatewayHasNewestDirectory(system);
    await logInAsSuzanne(page);
    const now = await lines(page);
    expect(now).toHaveLength(4);
    const fraud = now.find((l) => l.text.includes("Gemeente 's-Hertogenbosch"));
    expect(fraud?.text).toContain('Onderzoek naar bijstandsfraude');
    expect(fraud?.proven).toBe(true);
    fraudRecord = fraud?.id ?? '';
    await expectAccessible(page, 'the timeline with two accesses');
    await shot(page, '4-confidential-lifted');
    await page.close();
  }, 180_000);

  it("marks a record edited behind the gateway's back (pnpm demo:tamper) as not proven", async () => {
    const tamper = await run('examples/demo/tamper-one-record.ts', env());
    expect(tamper.code, tamper.output).toBe(0);
    const page = await context.newPage();
    await logInAsSuzanne(page);
    const all = await lines(page);
    const edited = all.find((l) => l.id === fraudRecord);
    expect(edited?.proven).toBe(false);
    expect(edited?.text).toContain('Nee. We konden niet bewijzen dat deze regel klopt.');
    expect(all.filter((l) => l.proven)).toHaveLength(3);
    expect(await page.locator('.summary .warning').textContent()).toContain('1 regel kon niet worden gecontroleerd');
    await expectAccessible(page, 'the timeline with a record not proven');
    await shot(page, '5-tampered-not-proven');
    await page.close();
  }, 120_000);

  it('names a gateway that is down, and still shows what the others gave', async () => {
    // A second bronhouder's gateway in the directory, stopped: nothing listens on its port.
    const stopped = `http://127.0.0.1:${await freePort()}`;
    const brp = (await (await fetch(`${registry}/v1/services/brp-personen`)).json()) as Record<string, unknown>;
    const { id: _id, revokedAt: _r, createdAt: _c, updatedAt: _u, ...fields } = brp;
    await admin('POST', '/services', {
      ...fields,
      id: 'brp-personen-archief',
      name: 'BRP-archief',
      gatewayUrl: stopped,
    });
    await gatewayHasNewestDirectory(system);
    const page = await context.newPage();
    await logInAsSuzanne(page);
    const alert = (await page.locator('#incomplete').textContent()) ?? '';
    expect(alert).toContain('We konden niet alles ophalen');
    expect(alert).toContain(`Rijksdienst voor Identiteitsgegevens (BRP-archief, ${stopped}) is nu niet bereikbaar.`);
    expect((await lines(page)).length).toBe(4);
    await expectAccessible(page, 'the timeline with a gateway down');
    await shot(page, '6-gateway-down-named');
    await page.close();
  }, 120_000);

  it('shows the auditor an access that was not covered at its moment, with the chart and the exports', async () => {
    // Revocation lag: RvIG revokes a contract, and the gateway still works with the directory it
    // fetched before (it refreshes every 20 s). An access in that window was not covered.
    let uncovered: string | undefined;
    for (const [oin, activity] of [
      [DEMO_OIN.uwv, DEMO_PROCESSING_ACTIVITY.uwvWw],
      [DEMO_OIN.rotterdam, DEMO_PROCESSING_ACTIVITY.rotterdamBijstand],
    ] as const) {
      await gatewayHasNewestDirectory(system);
      const terms = { afnemerOin: oin, serviceId: 'brp-personen', processingActivityId: activity };
      const hash = await findContractHash(registry, terms);
      const revoked = await signContractAs(registry, join(system.data, 'keys'), DEMO_OIN.rvig, hash, 'revoke');
      expect(revoked.status, await revoked.clone().text()).toBe(200);
      const res = await query(oin, activity, ['naam.geslachtsnaam']);
      // Refused: the gateway refreshed in between (not likely in the 20 s between refreshes); try the next.
      if (res.status !== 200) continue;
      uncovered = res.headers.get('fsc-transaction-id') ?? '';
      break;
    }
    expect(uncovered).toBeTruthy();
    // Its own process on this machine serves it at its own origin (it holds the key); the citizens' page
    // links to it by the same name as its own, so that the click is same-site.
    const direct = `http://127.0.0.1:${system.ports.auditor}`;
    const auditor = `http://localhost:${system.ports.auditor}`;
    const page = await context.newPage();
    const today = new Date().toISOString().slice(0, 10);
    await page.goto(`${portal}/`);
    await page.getByRole('link', { name: /Coverage report/ }).click();
    await page.waitForURL(`${auditor}/`);
    expect(await page.locator('h1').textContent()).toBe('Coverage report');
    await page.goto(`${auditor}/?from=${today}&to=${today}`);
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toMatch(/Accesses not covered at their moment \(must be none\): [1-9]/);
    // One report per gateway (Kadaster's, RvIG's): RvIG's holds the access.
    expect(await page.locator('[id^="invalid-"]').allTextContents()).toContain('1');
    expect(text).toMatch(/no (valid )?autorisatie/i);
    expect(await page.locator('svg.chart').count()).toBe(2);
    expect(text).toContain('Gateways that gave no report');
    await expectAccessible(page, "the auditor's page");
    expect(await overflowsHorizontally(page)).toBe(false);
    await shot(page, '7-auditor-uncovered-access');
    const csv = await (await fetch(`${auditor}/coverage.csv?from=${today}&to=${today}`)).text();
    expect(await (await fetch(`${direct}/coverage.csv?from=${today}&to=${today}`)).text()).toBe(csv);
    expect(csv).toMatch(/^invalid_access,/m);
    // A bad date is named, as the CLI would.
    const bad = await fetch(`${auditor}/coverage.csv?from=yesterday`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { invalidParams: { name: string }[] }).invalidParams[0]?.name).toBe('from');
    for (const [query, field] of [
      ['to=abc', 'to'],
      [`from=${today}&to=2000-01-01`, 'to'],
      ['from=2026-13-45', 'from'],
    ] as const) {
      const res = await fetch(`${auditor}/coverage.json?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(((await res.json()) as { invalidParams: { name: string }[] }).invalidParams[0]?.name).toBe(field);
      const page = await fetch(`${auditor}/?${query}`);
      expect(page.status, query).toBe(400);
      expect(await page.text()).toContain('aria-invalid="true"');
    }
    // Only this machine's own name: a page elsewhere cannot reach it by DNS rebinding.
    // (node:http: fetch does not let a caller set Host.)
    const rebound = await new Promise<number | undefined>((resolve, reject) =>
      get(`${direct}/`, { headers: { host: `evil.example:${system.ports.auditor}` } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      }).on('error', reject),
    );
    expect(rebound).toBe(421);
    const crossSite = await fetch(`${direct}/`, { headers: { 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.status).toBe(403);
    await page.close();
  }, 180_000);
});
