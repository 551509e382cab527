/**
 * Issue 29 (D): an afnemer's doubt about a value, from outside. `pnpm start`; Utrecht's demo
 * application sends a TerugMelding about Suzanne's address through Utrecht's outway (raw HTTP with its
 * API key), which signs it, sends it to RvIG's inway and keeps a record of it; RvIG lists, takes in
 * hand and closes it with the CLI (a child process signing with RvIG's key); the application reads
 * the outcome back through the outway; Suzanne's own client sees that Utrecht reported doubt. RvIG's
 * management page (started by `pnpm start`) handles a second melding in Chromium, by keyboard.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCitizenClient } from '@poortwachter/sdk';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RawJwk, sendRaw } from '../adversarial/raw-client.ts';
import { axeViolations, launchChromium, overflowsHorizontally, tabTo } from '../portal/browser.ts';
import { runEntry } from '../run-process.ts';
import { type RunningSystem, startSystem } from '../start-system.ts';

const SUZANNE = '999993653';
const STRAAT = 'verblijfplaats.verblijfadres.officieleStraatnaam';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A TerugMelding (Logius' shape) about one value of Suzanne's in the BRP. */
const melding = (path: string, betwijfeld: string, voorgesteld: string, service = 'brp-personen') => ({
  terugMeldingBody: {
    objectIdentificatie: [
      { objectType: 'persoon', attribuutUrn: `urn:${service}:burgerservicenummer`, idWaarde: SUZANNE },
    ],
    terugMeldingGegevens: [
      {
        attribuutUrn: `urn:${service}:${path}`,
        betwijfeldeWaarde: betwijfeld,
        voorgesteldeWaarde: voorgesteld,
        eigenvelden: { toelichting: 'De bewoner meldde zich aan de balie met een <b>ander</b> adres.' },
      },
    ],
  },
});

describe("terugmelding through Utrecht's outway, RvIG's CLI and RvIG's management page (issue 29)", () => {
  let system: RunningSystem;
  let apiKey: string;
  let reference = '';
  let browser: Browser | undefined;
  let page: Page;
  const outway = () => `http://127.0.0.1:${system.ports.outway}`;
  const cli = (...args: string[]) =>
    runEntry('packages/sdk/src/cli/main.ts', args, {
      env: { DATA_DIR: system.data, REGISTRY_URL: `http://localhost:${system.ports.registry}` },
    });
  const send = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${outway()}/terugmeldingen`, {
      method: 'POST',
      headers: { 'x-api-key': apiKey, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const keyOf = (oin: string) =>
    JSON.parse(readFileSync(join(system.data, 'keys', `${oin}.jwk.json`), 'utf8')) as RawJwk;

  beforeAll(async () => {
    system = await startSystem();
    apiKey = readFileSync(join(system.data, 'outway-api-key'), 'utf8').trim();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  it("sends Utrecht's doubt about Suzanne's street to RvIG (201 Gemeld) and keeps it in the outway's log", async () => {
    const res = await send(melding(STRAAT, 'Teststraat', 'Dorpsstraat'), { 'x-user-reference': 'medewerker-7' });
    const body = await res.text();
    expect(res.status, body).toBe(201);
    const ontvangen = JSON.parse(body) as { terugMeldingReferentie: string; status: string };
    expect(ontvangen.status).toBe('Gemeld');
    expect(ontvangen.terugMeldingReferentie).toMatch(UUID);
    reference = ontvangen.terugMeldingReferentie;
    const transaction = res.headers.get('fsc-transaction-id');
    expect(res.headers.get('content-digest')).toMatch(/^sha-256=:/);

    // The outway's own log, read as Utrecht (a signed Logboek read): the record of this exchange.
    const read = await sendRaw(outway(), {
      method: 'POST',
      targetUri: `http://localhost:${system.ports.outway}/processing-activities`,
      body: JSON.stringify({ 'dpl.core.data_subject_id': SUZANNE }),
      key: keyOf(DEMO_OIN.utrecht),
    });
    const page = (await read.json()) as { processingActivities: { attributes: Record<string, unknown> }[] };
    expect(read.status).toBe(200);
    const record = page.processingActivities.find(
      (r) => r.attributes['poortwachter.fsc_transaction_id'] === transaction,
    )?.attributes;
    expect(record).toMatchObject({
      'poortwachter.search_type': 'Terugmelding',
      'poortwachter.service_id': 'brp-personen',
      'poortwachter.released_fields': [STRAAT],
      'poortwachter.terugmelding': { id: reference, status: 'Gemeld' },
      'poortwachter.user_reference': 'medewerker-7',
      'dpl.core.foreign_operation.processor': DEMO_OIN.rvig,
      'dpl.core.processing_activity_id': DEMO_PROCESSING_ACTIVITY.utrechtWmo,
    });
    expect(record?.['poortwachter.evidence']).toBeDefined();
  }, 60_000);

  it('refuses a melding about two services (400 naming the urn) and passes on the inway’s refusal of a field outside the autorisatie', async () => {
    const mixed = melding(STRAAT, 'Teststraat', 'Dorpsstraat');
    const two = {
      terugMeldingBody: {
        ...mixed.terugMeldingBody,
        terugMeldingGegevens: [
          ...mixed.terugMeldingBody.terugMeldingGegevens,
          { attribuutUrn: 'urn:brk-bevragen:perceelnummer', betwijfeldeWaarde: '1', voorgesteldeWaarde: '2' },
        ],
      },
    };
    const refused = await send(two);
    const problem = (await refused.json()) as { invalidParams?: { name: string }[] };
    expect(refused.status).toBe(400);
    expect(problem.invalidParams?.[0]?.name).toBe('terugMeldingBody.terugMeldingGegevens.1.attribuutUrn');

    // Utrecht's Wmo autorisatie does not hold the geboorteplaats: RvIG's inway refuses, the outway passes it on.
    const outside = await send(melding('geboorte.plaats', 'Utrecht', 'Amersfoort'));
    const text = await outside.text();
    expect(outside.status, text).toBe(403);
    expect(text).toContain('attribuutUrn');
  }, 60_000);

  it('RvIG lists, shows, takes in hand and closes it with the CLI; Utrecht may not; the application reads the outcome', async () => {
    expect(reference).toMatch(UUID);
    const list = await cli('terugmelding', 'list', '--as', DEMO_OIN.rvig);
    expect(list.code, list.err).toBe(0);
    expect(list.out).toContain(reference);
    expect(list.out).toContain('Gemeente Utrecht');
    expect(list.out).toContain('Gemeld');

    const shown = await cli('terugmelding', 'show', reference, '--as', DEMO_OIN.rvig);
    expect(shown.code, shown.err).toBe(0);
    expect(shown.out).toContain('Dorpsstraat');
    expect(shown.out).toContain('<b>ander</b>');

    const behandel = await cli('terugmelding', 'behandel', reference, '--as', DEMO_OIN.rvig);
    expect(behandel.code, behandel.err).toBe(0);
    expect(behandel.out).toContain('In behandeling');

    // Utrecht is no bronhouder of the BRP: its signed status change is refused.
    const notRvig = await cli(
      'terugmelding',
      'afhandel',
      reference,
      '--as',
      'Utrecht',
      '--service',
      'brp-personen',
      '--uitkomst',
      'gecorrigeerd',
      '--bericht',
      'Zelf gedaan.',
    );
    expect(notRvig.code, notRvig.out).toBe(1);
    expect(notRvig.err).toContain('refused');

    const bericht = 'Het adres is gecorrigeerd na onderzoek.';
    const afhandel = await cli(
      'terugmelding',
      'afhandel',
      reference,
      '--as',
      'Rijksdienst',
      '--uitkomst',
      'gecorrigeerd',
      '--bericht',
      bericht,
    );
    expect(afhandel.code, afhandel.err).toBe(0);
    expect(afhandel.out).toContain('Afgehandeld');

    const status = await fetch(`${outway()}/terugmeldingen/${reference}?service=brp-personen`, {
      headers: { 'x-api-key': apiKey },
    });
    const view = (await status.json()) as { status: string; uitkomst?: string; bericht?: string };
    expect(status.status, JSON.stringify(view)).toBe(200);
    expect(view).toMatchObject({ status: 'Afgehandeld', uitkomst: 'gecorrigeerd', bericht });

    // The outway refuses a read without its service, naming the parameter.
    const noService = await fetch(`${outway()}/terugmeldingen/${reference}`, { headers: { 'x-api-key': apiKey } });
    expect(noService.status).toBe(400);
    expect(await noService.text()).toContain('service');
  }, 120_000);

  it('Suzanne sees that Utrecht reported doubt and its outcome; she files and withdraws her own (sdk)', async () => {
    const token = await fetch(`http://127.0.0.1:${system.ports.idp}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ bsn: SUZANNE }),
    });
    const { access_token } = (await token.json()) as { access_token: string };
    const client = createCitizenClient({
      token: access_token,
      registryUrl: `http://localhost:${system.ports.registry}`,
      registryKey: JSON.parse(readFileSync(join(system.data, 'keys', 'registry.public.jwk.json'), 'utf8')),
    });
    const { terugmeldingen, missing } = await client.terugmeldingen();
    expect(missing).toEqual([]);
    const utrecht = terugmeldingen.find((m) => m.terugMeldingReferentie === reference);
    expect(utrecht?.melder).toMatchObject({ soort: 'organisatie', oin: DEMO_OIN.utrecht });
    expect(utrecht?.status).toBe('Afgehandeld');

    const own = await client.terugmelden('brp-personen', melding(STRAAT, 'Teststraat', 'Kerkstraat'));
    expect(own.status).toBe('Gemeld');
    const withdrawn = await client.intrekken('brp-personen', own.terugMeldingReferentie);
    expect(withdrawn.status).toBe('Ingetrokken');
  }, 60_000);

  it('melden as Utrecht with the CLI; a wrong BSN or a missing message is a usage error naming the option', async () => {
    const wrong = await cli(
      'terugmelding',
      'melden',
      '--as',
      'Utrecht',
      '--service',
      'brp-personen',
      '--bsn',
      '123456789',
      '--field',
      STRAAT,
      '--betwijfeld',
      'Teststraat',
      '--voorgesteld',
      'Dorpsstraat',
    );
    expect(wrong.code, wrong.output).toBe(2);
    expect(wrong.err).toContain('--bsn');

    const noMessage = await cli(
      'terugmelding',
      'afhandel',
      reference,
      '--as',
      DEMO_OIN.rvig,
      '--uitkomst',
      'gecorrigeerd',
    );
    expect(noMessage.code).toBe(2);
    expect(noMessage.err).toContain('--bericht');

    const sent = await cli(
      'terugmelding',
      'melden',
      '--as',
      'Utrecht',
      '--service',
      'brp-personen',
      '--bsn',
      SUZANNE,
      '--field',
      'naam.voornamen',
      '--betwijfeld',
      'Suzanne',
      '--voorgesteld',
      'Susanne',
      '--toelichting',
      'Zo staat het op haar paspoort.',
    );
    expect(sent.code, sent.err).toBe(0);
    expect(sent.out).toMatch(/terugmelding [0-9a-f-]{36}: Gemeld/);
  }, 60_000);

  it("RvIG's management page: the melding is listed, taken in hand and closed by keyboard; axe clean at 320 px", async () => {
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const beheer = `http://127.0.0.1:${system.ports.beheerRvig}`;
    await page.goto(`${beheer}/#terugmeldingen`);
    const section = page.locator('section[aria-labelledby=terugmeldingen]');
    expect(await section.locator('h2').textContent()).toBe('Terugmeldingen');
    const article = section.locator('article', { hasText: 'Susanne' });
    expect(await article.count()).toBe(1);
    expect(await article.textContent()).toContain('Gemeente Utrecht');
    expect(await axeViolations(page)).toEqual([]);

    // Only the keyboard: open the melding, take it in hand.
    // From the section's heading (the #terugmeldingen link moved the starting point there): the one open melding first.
    await tabTo(page, (text, tag) => tag === 'SUMMARY' && text.startsWith('Bekijken'));
    await page.keyboard.press('Enter');
    expect(await article.locator('details').getAttribute('open')).not.toBeNull();
    await tabTo(page, (text, tag) => tag === 'BUTTON' && text === 'In behandeling nemen');
    await Promise.all([page.waitForURL(/gedaan=behandel/), page.keyboard.press('Enter')]);
    expect(await page.locator('#melding').textContent()).toContain('in behandeling');

    const open = section.locator('article', { hasText: 'Susanne' });
    expect(await open.textContent()).toContain('In behandeling');
    await open.getByLabel('Uitkomst').selectOption('al juist');
    await open.getByLabel('Bericht aan de melder').focus();
    await page.keyboard.type('De voornaam staat zo in de geboorteakte.');
    await tabTo(page, (text, tag) => tag === 'BUTTON' && text === 'Afhandelen');
    await Promise.all([page.waitForURL(/gedaan=afhandel/), page.keyboard.press('Enter')]);
    expect(await page.locator('#melding').textContent()).toContain('afgehandeld');
    const done = section.locator('article', { hasText: 'Susanne' });
    expect(await done.textContent()).toContain('Afgehandeld (al juist)');
    expect(await done.locator('form').count(), 'a handled melding has no forms').toBe(0);
    expect(await axeViolations(page)).toEqual([]);

    await page.setViewportSize({ width: 320, height: 640 });
    await page.goto(`${beheer}/#terugmeldingen`);
    expect(await overflowsHorizontally(page), 'horizontal scrolling at 320 px').toBe(false);
    expect(await axeViolations(page)).toEqual([]);
  }, 120_000);
});
