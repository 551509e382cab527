/**
 * Issue 29's done-when, in a real headless Chromium against `pnpm start` (every part on free ports):
 * Suzanne Moulin logs in by keyboard, sees her BRP data and her home in the BRK, downloads the signed
 * file (the CLI verifies it; edited by one character it does not), asks for a correction of her address
 * and sees "Gemeld"; RvIG takes it in hand and closes it through its inway's bronhouder API (signed here
 * by hand, not with the sdk); she sees the outcome; her timeline shows her own look; Gemeente Utrecht's
 * report of doubt about her postcode shows on her page. axe-core in every state, keyboard only, 320 px.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RawJwk, sendRaw } from '../adversarial/raw-client.ts';
import { runCli } from '../run-process.ts';
import { type RunningSystem, startSystem } from '../start-system.ts';
import {
  axeViolations,
  launchChromium,
  logInByKeyboard,
  overflowsHorizontally,
  screenshotDir,
  tabTo,
} from './browser.ts';

/** The smallest PNG there is (1×1): an attachment whose bytes match its type. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

/** The address she gives for notices. */
const MAILBOX_ADDRESS = 'suzanne.moulin@example.nl';

describe("Suzanne's own data on the citizens' page, in Chromium (issue 29's done-when)", () => {
  let system: RunningSystem;
  let browser: Browser;
  let context: BrowserContext;
  let portal: string;
  let work: string;
  const shots: string[] = [];
  const env = () => ({ DATA_DIR: system.data, REGISTRY_URL: `http://localhost:${system.ports.registry}` });

  async function expectAccessible(page: Page, what: string) {
    const violations = await axeViolations(page);
    expect(violations, `${what}: ${JSON.stringify(violations, null, 2)}`).toEqual([]);
  }

  async function shot(page: Page, name: string) {
    const file = join(screenshotDir(), `own-data-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    shots.push(file);
  }

  /** Logs in as Suzanne and waits until her own data and her meldingen are there. */
  async function logIn(page: Page) {
    const said: string[] = [];
    page.on('console', (m) => said.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => said.push(`error: ${e.message}`));
    try {
      await logInByKeyboard(page, portal, 'Suzanne Moulin', '#found');
      await page.waitForSelector('#mijn-meldingen-content :is(#meldingen-none, #meldingen-list)');
    } catch (error) {
      const status = await page
        .locator('#status')
        .textContent()
        .catch(() => '');
      throw new Error(`the page did not finish: "${status}"; its console: ${said.join(' | ')}`, { cause: error });
    }
  }

  /** "Mijn gegevens ophalen", by keyboard: only then does the page read (and the inways log) her data. */
  async function showOwnData(page: Page) {
    await tabTo(page, (text) => text === 'Mijn gegevens ophalen', 60);
    await page.keyboard.press('Enter');
    await page.waitForSelector('section.bron', { timeout: 60_000 });
    // The focus moves to the section, so that the next Tab goes through her data.
    expect(await page.evaluate('document.activeElement?.id')).toBe('mijn-gegevens-title');
  }

  /** What the page shows per bronhouder: its service and its text. */
  const sources = (page: Page) =>
    page.evaluate(`[...document.querySelectorAll('section.bron')].map((s) => ({
      dienst: s.getAttribute('data-dienst'),
      text: s.innerText,
    }))`) as Promise<{ dienst: string; text: string }[]>;

  /** RvIG, as bronhouder, changes a melding's status at its inway: a request signed by hand with its key. */
  async function rvigSets(id: string, body: Record<string, string>) {
    const key = JSON.parse(readFileSync(join(system.data, 'keys', `${DEMO_OIN.rvig}.jwk.json`), 'utf8')) as RawJwk;
    const path = `/terugmeldingen/${encodeURIComponent(id)}/status`;
    const res = await sendRaw(`http://127.0.0.1:${system.ports.gateway}`, {
      method: 'POST',
      targetUri: `http://localhost:${system.ports.gateway}${path}`,
      key,
      body: JSON.stringify(body),
    });
    expect(res.status, await res.clone().text()).toBeLessThan(300);
  }

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'poortwachter-own-data-'));
    system = await startSystem();
    portal = `http://localhost:${system.ports.portal}`;
    browser = await launchChromium();
    context = await browser.newContext({
      locale: 'nl-NL',
      timezoneId: 'Europe/Amsterdam',
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
    });
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await system?.stop();
    rmSync(work, { recursive: true, force: true });
    if (shots.length > 0) process.stdout.write(`screenshots:\n${shots.map((s) => `  ${s}`).join('\n')}\n`);
  });

  let melding = '';

  it('shows Suzanne her BRP data and her home in the BRK; the downloaded file verifies, and not once edited', async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await logIn(page);
    // Nothing of her data is read before she asks.
    expect(await page.locator('section.bron').count()).toBe(0);
    await expectAccessible(page, 'the page before her data is fetched');
    await showOwnData(page);
    const bronnen = await sources(page);
    const brp = bronnen.find((b) => b.dienst === 'brp-personen')?.text ?? '';
    const brk = bronnen.find((b) => b.dienst === 'brk-bevragen')?.text ?? '';
    expect(brp).toContain('Bij Rijksdienst voor Identiteitsgegevens');
    expect(brp).toContain('Moulin');
    expect(brp).toContain('Boterdiep');
    expect(brp).toContain('3077AW');
    // Her home in the BRK: the house at her address.
    expect(brk).toContain('Bij Kadaster');
    expect(brk).toContain('Boterdiep');
    // Labels in words, as the timeline names fields; a "Klopt dit niet?" beside each value.
    expect(brp).toContain('achternaam');
    expect(await page.locator('section.bron button.link').count()).toBeGreaterThan(10);
    // Her look is an access at each bronhouder: the timeline, fetched again, shows both at once.
    await expect.poll(() => page.locator('li.access.own-look').count(), { timeout: 30_000 }).toBe(2);
    await expectAccessible(page, 'Mijn gegevens');
    await shot(page, '1-mijn-gegevens');

    // Download, by keyboard.
    await tabTo(page, (text) => text.startsWith('Download mijn gegevens'), 300);
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    const file = join(work, 'mijn-gegevens.json');
    await download.saveAs(file);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as {
      formaat: string;
      bronnen: { dienst: string; antwoord: { body: string } }[];
    };
    expect(saved.formaat).toBe('poortwachter-gegevens/1');
    expect(saved.bronnen.map((b) => b.dienst).sort()).toEqual(['brk-bevragen', 'brp-personen']);
    const verified = await runCli(['verify-download', file], { env: env() });
    expect(verified.code, verified.output).toBe(0);

    // One character edited in what RvIG signed: the CLI refuses it and names the bron.
    const edited = structuredClone(saved);
    const brpAnswer = edited.bronnen.find((b) => b.dienst === 'brp-personen')?.antwoord;
    if (!brpAnswer) throw new Error('no BRP answer in the download');
    expect(brpAnswer.body).toContain('Boterdiep');
    brpAnswer.body = brpAnswer.body.replace('Boterdiep', 'Boterdiap');
    const editedFile = join(work, 'bewerkt.json');
    writeFileSync(editedFile, `${JSON.stringify(edited, null, 2)}\n`);
    const refused = await runCli(['verify-download', editedFile], { env: env() });
    expect(refused.code, refused.output).toBe(1);
    expect(refused.output).toContain('brp-personen');
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it('takes her correction of her address by keyboard, to RvIG, and shows it as Gemeld', async () => {
    const page = await context.newPage();
    await logIn(page);
    await showOwnData(page);
    await tabTo(page, (text, tag) => tag === 'BUTTON' && /^Klopt dit niet\?\s*\(straat\)$/.test(text), 300);
    await page.keyboard.press('Enter');
    const form = page.locator('form.correction:not([hidden])');
    await expect.poll(() => form.count()).toBe(1);
    expect(await form.textContent()).toContain('Nu staat er: Boterdiep');
    // Sending it empty names what is missing, at the field.
    await tabTo(page, (text) => text === 'Versturen', 10);
    await page.keyboard.press('Enter');
    expect(await form.locator('.field-error').first().textContent()).toBe('Vul dit in.');
    expect(await page.evaluate('document.activeElement?.name')).toBe('voorgesteldeWaarde');
    await page.keyboard.type('Oude Boteringestraat');
    await page.keyboard.press('Tab');
    // HTML is kept as text, never as markup.
    await page.keyboard.type('Ik woon hier sinds <b>1 maart</b>.');
    await form
      .locator('input[type=file]')
      .setInputFiles({ name: 'huurcontract.png', mimeType: 'image/png', buffer: PNG });
    await expectAccessible(page, 'the correction form');
    await shot(page, '2-klopt-dit-niet');
    await tabTo(page, (text) => text === 'Versturen', 10);
    await page.keyboard.press('Enter');
    await page.waitForSelector('text=Uw melding is verstuurd');
    const item = page.locator('li.melding').first();
    await expect.poll(() => item.getAttribute('data-status'), { timeout: 15_000 }).toBe('Gemeld');
    const text = (await item.textContent()) ?? '';
    expect(text).toContain('U meldde dat uw straat niet klopt');
    expect(text).toContain('Gemeld');
    expect(text).toContain('Oude Boteringestraat');
    expect(text).toContain('Ik woon hier sinds <b>1 maart</b>.');
    expect(text).toContain('huurcontract.png');
    expect(await item.locator('b').count()).toBe(0);
    melding = (await item.getAttribute('data-id')) ?? '';
    expect(melding).not.toBe('');
    await expectAccessible(page, 'Mijn meldingen with a new melding');
    await shot(page, '3-gemeld');
    await page.close();
  }, 180_000);

  it('shows her the outcome once RvIG took it in hand and closed it, and her own look in the timeline', async () => {
    await rvigSets(melding, { status: 'In behandeling' });
    const page = await context.newPage();
    await logIn(page);
    await expect
      .poll(() => page.locator(`li.melding[data-id="${melding}"]`).getAttribute('data-status'))
      .toBe('In behandeling');
    await page.close();
    await rvigSets(melding, {
      status: 'Afgehandeld',
      uitkomst: 'gecorrigeerd',
      bericht: 'Wij hebben uw adres verbeterd.',
    });
    const again = await context.newPage();
    await logIn(again);
    const item = again.locator(`li.melding[data-id="${melding}"]`);
    expect(await item.getAttribute('data-status')).toBe('Afgehandeld');
    const text = (await item.textContent()) ?? '';
    expect(text).toContain('gecorrigeerd');
    expect(text).toContain('Uw gegevens zijn verbeterd.');
    expect(text).toContain('Wij hebben uw adres verbeterd.');
    // Final: no "Intrekken" any more.
    expect(await item.locator('button.withdraw').count()).toBe(0);
    // Her own looks (this login's and the earlier ones) are in the timeline, proven, in plain words.
    const own = again.locator('li.access.own-look');
    expect(await own.count()).toBeGreaterThan(0);
    expect(await own.first().textContent()).toContain('U heeft zelf uw gegevens bekeken');
    expect(await own.first().getAttribute('class')).toContain('proven');
    // Berichten: `pnpm start`'s gateways mail the development mailbox; she asks both to tell her, by keyboard.
    await again.waitForSelector('#berichten-now');
    expect(await again.locator('#berichten-now').textContent()).toBe('U krijgt nu geen e-mail.');
    await again.locator('#berichten-email').focus();
    await again.keyboard.type(MAILBOX_ADDRESS);
    await tabTo(again, (text, tag) => tag === 'BUTTON' && text === 'Opslaan', 40);
    await again.keyboard.press('Enter');
    await again.waitForSelector('text=Opgeslagen. U krijgt een e-mail als er iets nieuws is.');
    expect(await again.locator('#berichten-now').textContent()).toBe(`U krijgt nu e-mail op ${MAILBOX_ADDRESS}.`);
    expect(await again.locator('.berichten-problems').count()).toBe(0);
    await expectAccessible(again, 'the outcome and the timeline');
    await shot(again, '4-afgehandeld');
    await again.close();
  }, 180_000);

  it("shows her an organisation's report of doubt about her data, which she cannot withdraw", async () => {
    // Gemeente Utrecht doubts her postcode: a terugmelding signed by hand with its key, under its Wmo
    // activity, at RvIG's inway (as its outway would send it).
    const key = JSON.parse(readFileSync(join(system.data, 'keys', `${DEMO_OIN.utrecht}.jwk.json`), 'utf8')) as RawJwk;
    const melding = {
      terugMeldingBody: {
        objectIdentificatie: [
          { objectType: 'persoon', attribuutUrn: 'urn:brp-personen:burgerservicenummer', idWaarde: '999993653' },
        ],
        terugMeldingGegevens: [
          {
            attribuutUrn: 'urn:brp-personen:verblijfplaats.verblijfadres.postcode',
            betwijfeldeWaarde: '3077AW',
            voorgesteldeWaarde: '3077AX',
            eigenvelden: { toelichting: 'Post kwam terug.' },
          },
        ],
      },
    };
    const res = await sendRaw(`http://127.0.0.1:${system.ports.gateway}`, {
      method: 'POST',
      targetUri: `http://localhost:${system.ports.gateway}/terugmeldingen`,
      key,
      processingActivity: DEMO_PROCESSING_ACTIVITY.utrechtWmo,
      body: JSON.stringify(melding),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const page = await context.newPage();
    await logIn(page);
    const item = page.locator('li.melding', { hasText: 'Gemeente Utrecht meldde twijfel over uw postcode' });
    expect(await item.count()).toBe(1);
    expect(await item.getAttribute('data-status')).toBe('Gemeld');
    expect(await item.locator('button.withdraw').count()).toBe(0);
    await expectAccessible(page, "an organisation's melding");
    await page.close();
  }, 120_000);

  it('lets her withdraw an open melding of her own, by keyboard', async () => {
    const page = await context.newPage();
    await logIn(page);
    await showOwnData(page);
    await tabTo(page, (text, tag) => tag === 'BUTTON' && /^Klopt dit niet\?\s*\(huisnummer\)$/.test(text), 300);
    await page.keyboard.press('Enter');
    await page.keyboard.type('33');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Vergissing.');
    await tabTo(page, (text) => text === 'Versturen', 10);
    await page.keyboard.press('Enter');
    await page.waitForSelector('text=Uw melding is verstuurd');
    const open = page.locator('li.melding', { hasText: 'U meldde dat uw huisnummer niet klopt' });
    await expect.poll(() => open.getAttribute('data-status')).toBe('Gemeld');
    const id = (await open.getAttribute('data-id')) ?? '';
    await tabTo(page, (text, tag) => tag === 'BUTTON' && text === 'Intrekken', 400);
    expect(await page.evaluate('document.activeElement?.closest("li.melding")?.getAttribute("data-id")')).toBe(id);
    await page.keyboard.press('Enter');
    await page.waitForSelector('text=Uw melding is ingetrokken.');
    // The button is gone with the list: the focus is on what happened, not lost.
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Uw melding is ingetrokken.');
    const withdrawn = page.locator(`li.melding[data-id="${id}"]`);
    expect(await withdrawn.getAttribute('data-status')).toBe('Ingetrokken');
    expect(await withdrawn.locator('button.withdraw').count()).toBe(0);
    await expectAccessible(page, 'a withdrawn melding');
    await page.close();
  }, 120_000);

  it("mails her a notice of the news (Utrecht's report) through the development mailbox, naming nothing", async () => {
    // The notice job runs every minute and counts records older than a minute: at most about two.
    const mailbox = `http://127.0.0.1:${system.ports.devMail}/v1/mails`;
    let mails: { to: string; subject: string; text: string }[] = [];
    for (const deadline = Date.now() + 170_000; Date.now() < deadline; ) {
      mails = ((await (await fetch(mailbox)).json()) as { mails: typeof mails }).mails.filter(
        (m) => m.to === MAILBOX_ADDRESS,
      );
      if (mails.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
    expect(mails.length).toBeGreaterThan(0);
    expect(mails[0]?.subject).toBe('Er is iets nieuws over uw gegevens');
    expect(mails[0]?.text.trim()).toBe(
      `Log in op http://localhost:${system.ports.portal} om te zien wie uw gegevens gebruikte.`,
    );
    for (const personal of ['999993653', 'Moulin', 'Suzanne', 'Utrecht'])
      expect(mails[0]?.text).not.toContain(personal);
  }, 200_000);

  it('holds its layout at 320 px, with a correction form open', async () => {
    const small = await browser.newContext({ locale: 'nl-NL', viewport: { width: 320, height: 800 } });
    const page = await small.newPage();
    await logIn(page);
    await showOwnData(page);
    await page.locator('section.bron button.link').first().click();
    expect(await overflowsHorizontally(page), 'horizontal scrolling at 320 px').toBe(false);
    await expectAccessible(page, 'the page at 320 px');
    await shot(page, '5-320px');
    await small.close();
  }, 120_000);
});
