/**
 * Issue 28's done-when, from outside: `pnpm start` (every part its own process); Haarlem proposes a
 * contract for BRP fields under its bijstand activity with the CLI; its signed query (raw HTTP, signed
 * with node:crypto, not our sdk) is refused until RvIG accepts on its management page in Chromium, by
 * keyboard; then it works; Haarlem revokes with the CLI and after one directory refresh it is refused
 * again. The page is checked with axe, at 320 px, and against a post from another page.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RawJwk, sendRaw } from '../adversarial/raw-client.ts';
import { axeViolations, launchChromium, overflowsHorizontally } from '../portal/browser.ts';
import { runCli } from '../run-process.ts';
import { gatewayHasNewestDirectory, type RunningSystem, startSystem } from '../start-system.ts';

const BIJSTAND = DEMO_PROCESSING_ACTIVITY.haarlemBijstand;
// Searching by BSN selects on burgerservicenummer: the contract names that field too.
const FIELDS = ['burgerservicenummer', 'naam.voornamen', 'naam.geslachtsnaam', 'geboorte.datum'];
const UNTIL = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);

interface View {
  readonly hash: string;
  readonly state: string;
  readonly content: {
    validity: { not_before: number; not_after: number };
    grants: [{ data: { service: { name: string }; properties: { processing_activity_id: string } } }];
  };
  readonly signatureDetails: { oin: string; type: string; reason?: string }[];
}

/** Presses Tab until the focused element (`el` in `test`, JavaScript run in the page) fits, as someone with only a keyboard would. */
async function tabUntil(page: Page, test: string, max = 400): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(`(() => { const el = document.activeElement; return Boolean(${test}); })()`)) return;
  }
  throw new Error(`not reached by Tab within ${max} presses: ${test}`);
}

const articleOf = (hash: string) => `c-${hash.replace(/[^A-Za-z0-9_-]/g, '')}`;

describe('a contract asked for, accepted on the page, revoked: the gateway follows (issue 28)', () => {
  let system: RunningSystem;
  let browser: Browser;
  let page: Page;
  const registry = () => `http://127.0.0.1:${system.ports.registry}`;
  const rvigPage = () => `http://127.0.0.1:${system.ports.beheerRvig}`;
  const haarlemPage = () => `http://127.0.0.1:${system.ports.beheerHaarlem}`;
  const cli = (args: readonly string[]) => runCli(args, { env: { DATA_DIR: system.data, REGISTRY_URL: registry() } });
  const haarlemKey = () =>
    JSON.parse(readFileSync(join(system.data, 'keys', `${DEMO_OIN.haarlem}.jwk.json`), 'utf8')) as RawJwk;
  /** Haarlem's query for Suzanne Moulin under its bijstand activity, straight to RvIG's inway. */
  const haarlemAsks = () =>
    sendRaw(`http://127.0.0.1:${system.ports.gateway}`, {
      method: 'POST',
      targetUri: `http://localhost:${system.ports.gateway}/personen`,
      key: haarlemKey(),
      processingActivity: BIJSTAND,
      body: JSON.stringify({
        type: 'RaadpleegMetBurgerservicenummer',
        burgerservicenummer: ['999993653'],
        fields: FIELDS,
      }),
    });
  const contracts = async (oin: string, state?: string) => {
    const query = new URLSearchParams({ oin, ...(state ? { state } : {}) });
    const res = await fetch(`${registry()}/v1/contracts?${query}`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { contracts: View[] }).contracts;
  };
  const propose = async () => {
    const proposed = await cli([
      'contract',
      'propose',
      '--oin',
      DEMO_OIN.haarlem,
      '--service',
      'brp-personen',
      '--activity',
      BIJSTAND,
      '--grondslag',
      'participatiewet-art-7',
      '--fields',
      FIELDS.join(','),
      '--search-types',
      'RaadpleegMetBurgerservicenummer',
      '--until',
      UNTIL,
      '--json',
    ]);
    expect(proposed.code, proposed.output).toBe(0);
    return JSON.parse(proposed.out) as View;
  };

  beforeAll(async () => {
    system = await startSystem({ env: { DIRECTORY_REFRESH_SECONDS: '1' } });
    browser = await launchChromium();
    // en-US: the date field takes its parts as month, day, year.
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    // The demo's seeded bijstand contract of Haarlem is revoked first (with the CLI), so that this
    // test starts where the issue does: Haarlem has no contract for the BRP under bijstand.
    for (const c of await contracts(DEMO_OIN.haarlem)) {
      const grant = c.content.grants[0].data;
      if (!['inForce', 'notYetValid', 'proposed'].includes(c.state)) continue;
      if (grant.service.name !== 'brp-personen' || grant.properties.processing_activity_id !== BIJSTAND) continue;
      const revoked = await cli([
        'contract',
        'revoke',
        c.hash,
        '--oin',
        DEMO_OIN.haarlem,
        '--reason',
        'Opnieuw aanvragen.',
      ]);
      expect(revoked.code, revoked.output).toBe(0);
    }
    await gatewayHasNewestDirectory(system);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  it('refuses until RvIG accepts on its page, answers then, and refuses again one refresh after the revoke', async () => {
    const before = await haarlemAsks();
    expect(before.status, await before.clone().text()).toBe(403);

    const proposal = await propose();
    expect(proposal.state).toBe('proposed');
    expect(proposal.signatureDetails).toEqual([expect.objectContaining({ oin: DEMO_OIN.haarlem, type: 'accept' })]);
    await gatewayHasNewestDirectory(system);
    const pending = await haarlemAsks();
    expect(pending.status, 'a proposal grants nothing').toBe(403);

    // RvIG's administrator, keyboard only: Tab to the proposal's Accepteren, Enter.
    await page.goto(`${rvigPage()}/`);
    expect(await page.locator('h2#in').count()).toBe(1);
    const articleId = `c-${proposal.hash.replace(/[^A-Za-z0-9_-]/g, '')}`;
    let focusedAccept = false;
    for (let i = 0; i < 300 && !focusedAccept; i++) {
      await page.keyboard.press('Tab');
      focusedAccept = (await page.evaluate(`(() => {
        const el = document.activeElement;
        return el?.tagName === 'BUTTON' && el.value === 'accept' && el.closest('article')?.id === ${JSON.stringify(articleId)};
      })()`)) as boolean;
    }
    expect(focusedAccept, 'the accept button of the proposal is reached by Tab').toBe(true);
    await Promise.all([page.waitForURL(/gedaan=accept/), page.keyboard.press('Enter')]);
    expect(await page.locator('#melding').textContent()).toContain('U hebt akkoord gegeven');
    expect(await page.locator(`section[aria-labelledby=geldt] article#${articleId}`).count()).toBe(1);

    await gatewayHasNewestDirectory(system);
    const accepted = await haarlemAsks();
    const body = await accepted.text();
    expect(accepted.status, body).toBe(200);
    expect(body).toContain('Suzanne');

    const revoked = await cli(['contract', 'revoke', proposal.hash, '--oin', DEMO_OIN.haarlem, '--reason', 'Klaar.']);
    expect(revoked.code, revoked.output).toBe(0);
    await gatewayHasNewestDirectory(system);
    const after = await haarlemAsks();
    expect(after.status, 'refused one directory refresh after the revoke').toBe(403);

    // The history, as the CLI shows it: who signed what, when and why.
    const shown = await cli(['contract', 'show', proposal.hash]);
    expect(shown.code, shown.output).toBe(0);
    expect(shown.out).toMatch(/Rijksdienst voor Identiteitsgegevens\s+accept/);
    expect(shown.out).toMatch(/Gemeente Haarlem\s+revoke\s+Klaar\./);
  }, 240_000);

  it("works by keyboard alone: propose on Haarlem's page, reject with a reason on RvIG's, revoke; dates in Amsterdam time", async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    const year = new Date().getUTCFullYear() + 1;
    // Haarlem's administrator fills the form by keyboard: each list by typing the start of a choice.
    const proposeByKeyboard = async () => {
      const before = new Set((await contracts(DEMO_OIN.haarlem)).map((c) => c.hash));
      await page.goto(`${haarlemPage()}/`);
      await tabUntil(page, `el?.id === 'dienst'`);
      await page.keyboard.type('BRP');
      await tabUntil(page, `el?.id === 'activiteit'`);
      await page.keyboard.type('Bijstandsverlening');
      await tabUntil(page, `el?.id === 'grondslag'`);
      await page.keyboard.type('Taak van het college');
      await tabUntil(page, `el?.id === 'gegevens'`);
      await page.keyboard.type(FIELDS.join('\n'));
      await tabUntil(page, `el?.id === 'zoekvragen'`);
      await page.keyboard.type('RaadpleegMetBurgerservicenummer');
      await tabUntil(page, `el?.id === 'tot'`);
      await page.keyboard.type(`1231${year}`);
      await tabUntil(page, `el?.tagName === 'BUTTON' && el.closest('form')?.action.endsWith('/voorstellen')`);
      await Promise.all([page.waitForURL(/gedaan=propose/), page.keyboard.press('Enter')]);
      const created = (await contracts(DEMO_OIN.haarlem)).filter((c) => !before.has(c.hash));
      expect(created.map((c) => c.state)).toEqual(['proposed']);
      return created[0] as View;
    };
    const first = await proposeByKeyboard();
    // "Geldig tot en met 31 december" means through 23:59:59 of that day in Amsterdam (winter time: +01:00).
    expect(first.content.validity.not_after).toBe(Date.parse(`${year}-12-31T22:59:59Z`) / 1000);
    const shown = await cli(['contract', 'show', first.hash]);
    expect(shown.out).toMatch(new RegExp(`^valid\\s+\\S+ to ${year}-12-31T23:59:59\\+01:00$`, 'm'));

    // RvIG's administrator rejects it with a reason, by keyboard.
    await page.goto(`${rvigPage()}/`);
    const article = articleOf(first.hash);
    expect(await page.locator(`article#${article}`).textContent()).toContain(`tot en met 31 december ${year}`);
    await tabUntil(page, `el?.tagName === 'TEXTAREA' && el.closest('article')?.id === '${article}'`);
    await page.keyboard.type('Geboortedatum is niet nodig voor bijstand.');
    await tabUntil(page, `el?.value === 'reject' && el.closest('article')?.id === '${article}'`);
    await Promise.all([page.waitForURL(/gedaan=reject/), page.keyboard.press('Enter')]);
    const rejected = (await contracts(DEMO_OIN.haarlem)).find((c) => c.hash === first.hash);
    expect(rejected?.state).toBe('rejected');
    expect(rejected?.signatureDetails).toContainEqual(
      expect.objectContaining({
        oin: DEMO_OIN.rvig,
        type: 'reject',
        reason: 'Geboortedatum is niet nodig voor bijstand.',
      }),
    );

    // Proposed again and accepted (the CLI, as README types it); Haarlem revokes it on its page, by keyboard.
    const second = await proposeByKeyboard();
    const accepted = await cli(['contract', 'accept', second.hash, '--oin', 'rvig']);
    expect(accepted.code, accepted.output).toBe(0);
    await page.goto(`${haarlemPage()}/`);
    const inForce = articleOf(second.hash);
    expect(await page.locator(`section[aria-labelledby=geldt] article#${inForce}`).count()).toBe(1);
    await tabUntil(page, `el?.tagName === 'TEXTAREA' && el.closest('article')?.id === '${inForce}'`);
    await page.keyboard.type('De regeling is beëindigd.');
    await tabUntil(page, `el?.value === 'revoke' && el.closest('article')?.id === '${inForce}'`);
    await Promise.all([page.waitForURL(/gedaan=revoke/), page.keyboard.press('Enter')]);
    expect(await page.locator('#melding').textContent()).toContain('U hebt het contract ingetrokken');
    const revoked = (await contracts(DEMO_OIN.rvig)).find((c) => c.hash === second.hash);
    expect(revoked?.state).toBe('revoked');
    expect(revoked?.signatureDetails).toContainEqual(
      expect.objectContaining({ oin: DEMO_OIN.haarlem, type: 'revoke', reason: 'De regeling is beëindigd.' }),
    );
  }, 240_000);

  it('passes axe (WCAG 2.1 AA), fits 320 px, and signs nothing for a post from another page', async () => {
    const proposal = await propose();
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${rvigPage()}/`);
    expect(await axeViolations(page)).toEqual([]);
    await page.setViewportSize({ width: 320, height: 640 });
    await page.reload();
    expect(await overflowsHorizontally(page), 'horizontal scrolling at 320 px').toBe(false);
    expect(await axeViolations(page)).toEqual([]);

    const post = (headers: Record<string, string>) =>
      fetch(`${rvigPage()}/ondertekenen`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams({ hash: proposal.hash, actie: 'accept', reden: '' }).toString(),
      });
    expect((await post({ origin: 'http://evil.example' })).status).toBe(403);
    expect((await post({ 'sec-fetch-site': 'same-site', origin: 'http://localhost:8305' })).status).toBe(403);
    expect((await post({ 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    const still = (await contracts(DEMO_OIN.rvig)).find((c) => c.hash === proposal.hash);
    expect(still?.state, 'nothing was signed').toBe('proposed');

    // Rejecting needs a reason: without one the page says so and signs nothing; with one, it is signed.
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${rvigPage()}/`);
    const article = page.locator(`article#c-${proposal.hash.replace(/[^A-Za-z0-9_-]/g, '')}`);
    await article.locator('button[value=reject]').click();
    expect(await page.locator('#melding').textContent()).toContain('Reden: vul dit in.');
    await article.locator('textarea').fill('Deze gegevens zijn niet nodig voor bijstand.');
    await Promise.all([page.waitForURL(/gedaan=reject/), article.locator('button[value=reject]').click()]);
    const rejected = (await contracts(DEMO_OIN.haarlem)).find((c) => c.hash === proposal.hash);
    expect(rejected?.state).toBe('rejected');
    expect(rejected?.signatureDetails).toContainEqual(
      expect.objectContaining({
        oin: DEMO_OIN.rvig,
        type: 'reject',
        reason: 'Deze gegevens zijn niet nodig voor bijstand.',
      }),
    );
  }, 120_000);
});
