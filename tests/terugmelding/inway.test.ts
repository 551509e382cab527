/**
 * Terugmeldingen at the inway (issue 29, section 3), from outside: the gateway on 127.0.0.1, raw HTTP,
 * citizen tokens of the seeded development identity provider, organisations' requests signed by
 * `raw-client.ts`. The whole lifecycle (a citizen's melding, RvIG takes it in hand and closes it),
 * an afnemer's melding within its autorisatie, every status change as one access record, retention,
 * and the attacks: another citizen's melding, another's BSN, fields outside an autorisatie, a status
 * change by a non-bronhouder, a forbidden transition, oversize or disguised attachments, HTML as
 * text, a flood from one token, a log that cannot be written.
 */

import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { callerQuotas } from '@poortwachter/gateway';
import {
  capturedLogLines,
  GATEWAY_URL,
  LOG_KEY,
  startTestGateway,
  type TestGateway,
} from '@poortwachter/gateway/testing';
import { grantByContract, signContractAs } from '@poortwachter/registry/testing';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RawJwk, sendRaw } from '../adversarial/raw-client.ts';

const SUZANNE = '999993653';
const OTHER = '999991292';
const FLOODER = '999990482';
const STRAAT = 'urn:brp-personen:verblijfplaats.verblijfadres.officieleStraatnaam';
const HUISNUMMER = 'urn:brp-personen:verblijfplaats.verblijfadres.huisnummer';
/** A field outside Utrecht's Wmo autorisatie. */
const GEBOORTEPLAATS = 'urn:brp-personen:geboorte.plaats';
const YEAR = 365 * 86_400_000;

interface Problem {
  status: number;
  invalidParams?: { name: string; code: string; reason: string }[];
}
interface View {
  terugMeldingReferentie: string;
  melder: { soort: string; naam?: string; oin?: string };
  status: string;
  uitkomst?: string;
  bericht?: string;
  gegevens: {
    attribuutUrn: string;
    veld: string;
    betwijfeldeWaarde: string;
    voorgesteldeWaarde: string;
    toelichting?: string;
    bijlages: { bestandsnaam: string; mimeType: string; grootte: number }[];
  }[];
  geschiedenis: { status: string; tijdstip: string }[];
  terugMelding?: unknown;
}

/** The pseudonym the log gives a BSN (HMAC-SHA-256 with the test gateway's log key), computed here. */
const pseudonym = (bsn: string) => createHmac('sha256', LOG_KEY).update(`BSN:${bsn}`).digest('hex');

const gegeven = (overrides: Record<string, unknown> = {}) => ({
  attribuutUrn: STRAAT,
  betwijfeldeWaarde: 'Kerkstraat',
  voorgesteldeWaarde: 'Dorpsstraat',
  eigenvelden: { toelichting: 'Ik woon sinds maart aan de Dorpsstraat.' },
  ...overrides,
});
const melding = (bsn: string, gegevens: unknown[] = [gegeven()]) => ({
  terugMeldingBody: {
    objectIdentificatie: [
      { objectType: 'persoon', attribuutUrn: 'urn:brp-personen:burgerservicenummer', idWaarde: bsn },
    ],
    terugMeldingGegevens: gegevens,
  },
});

describe('terugmeldingen at the inway, over HTTP', () => {
  let gw: TestGateway;
  let origin: string;
  let server: ReturnType<typeof serve>;
  let quotaClock = Date.now();
  let logFails = false;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    gw = await startTestGateway('sqlite', {
      quotas: callerQuotas(
        {
          callers: { requestsPerSecond: 1, burst: 1000 },
          citizens: { requestsPerSecond: 1, burst: 20 },
          addresses: { requestsPerSecond: 1, burst: 1000 },
        },
        { now: () => quotaClock },
      ),
      store: (real) => ({
        writeBatch: (writes, merkle) =>
          logFails ? Promise.reject(new Error('disk full')) : real.writeBatch(writes, merkle),
      }),
    });
    server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: gw.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (const bsn of [SUZANNE, OTHER, FLOODER]) tokens.set(bsn, await gw.citizenToken({ sub: bsn }));
  });
  afterAll(async () => {
    server?.close();
    await gw?.close();
  });
  // Every test starts with full quotas: only the flood test spends one.
  beforeEach(() => {
    quotaClock += 3_600_000;
  });

  const citizen = (bsn: string, method: 'GET' | 'POST', path = '', body?: unknown) =>
    fetch(`${origin}/inzage/v1/terugmeldingen${path}`, {
      method,
      headers: {
        authorization: `Bearer ${tokens.get(bsn)}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  const signed = (oin: string, method: 'GET' | 'POST', path = '', body?: unknown, processingActivity?: string) =>
    sendRaw(origin, {
      method,
      targetUri: `${GATEWAY_URL}/terugmeldingen${path}`,
      key: gw.key(oin) as unknown as RawJwk,
      ...(processingActivity ? { processingActivity } : {}),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const rvig = (method: 'GET' | 'POST', path = '', body?: unknown) => signed(DEMO_OIN.rvig, method, path, body);
  const setStatus = (id: string, body: unknown, oin: string = DEMO_OIN.rvig) =>
    signed(oin, 'POST', `/${id}/status`, body);
  const json = async <T>(res: Response, status: number): Promise<T> => {
    const text = await res.text();
    expect(res.status, text).toBe(status);
    return JSON.parse(text) as T;
  };
  const problem = async (res: Response, status: number) => {
    const body = await json<Problem>(res, status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    return body;
  };
  const file = async (bsn: string, body: unknown = melding(bsn)) =>
    (await json<{ terugMeldingReferentie: string; status: string }>(await citizen(bsn, 'POST', '', body), 201))
      .terugMeldingReferentie;
  /** The access records of one terugmelding, in the order written. */
  const recordsOf = async (id: string) => {
    const rows = await gw.accessRecords();
    return rows
      .map((r) => JSON.parse(r.record) as { start_time: number; attributes: Record<string, unknown> })
      .filter((r) => (r.attributes['poortwachter.terugmelding'] as { id?: string } | undefined)?.id === id)
      .map((r) => r.attributes);
  };

  it('the whole lifecycle: Suzanne reports her address, RvIG takes it in hand and closes it, she sees the outcome', async () => {
    const res = await citizen(SUZANNE, 'POST', '', {
      ...melding(SUZANNE),
      terugMeldingHeader: { referentiekenmerk: 'adres-1' },
    });
    const ontvangen = await json<Record<string, string>>(res, 201);
    expect(ontvangen).toMatchObject({ status: 'Gemeld', referentiekenmerk: 'adres-1' });
    expect(ontvangen.beschrijving).toBeTruthy();
    const id = ontvangen.terugMeldingReferentie as string;
    expect(res.headers.get('signature')).toBeTruthy();

    const mine = await json<{ terugmeldingen: View[] }>(await citizen(SUZANNE, 'GET'), 200);
    const shown = mine.terugmeldingen.find((t) => t.terugMeldingReferentie === id);
    expect(shown).toMatchObject({ status: 'Gemeld', melder: { soort: 'betrokkene' } });
    expect(shown?.gegevens[0]).toMatchObject({
      attribuutUrn: STRAAT,
      betwijfeldeWaarde: 'Kerkstraat',
      voorgesteldeWaarde: 'Dorpsstraat',
    });
    expect(shown?.gegevens[0]?.veld).not.toBe(STRAAT);
    expect(shown?.terugMelding).toBeUndefined();

    const all = await json<{ terugmeldingen: View[] }>(await rvig('GET', '?status=Gemeld'), 200);
    expect(all.terugmeldingen.map((t) => t.terugMeldingReferentie)).toContain(id);
    expect(all.terugmeldingen.every((t) => t.status === 'Gemeld' && t.terugMelding === undefined)).toBe(true);
    // Only the bronhouder's read of one melding has it as filed: whose BSN, the attachments.
    const seen = await json<View>(await rvig('GET', `/${id}`), 200);
    expect(JSON.stringify(seen.terugMelding)).toContain(SUZANNE);

    await json(await setStatus(id, { status: 'In behandeling' }), 200);
    const incomplete = await problem(await setStatus(id, { status: 'Afgehandeld' }), 400);
    expect(incomplete.invalidParams?.map((p) => p.name).sort()).toEqual(['bericht', 'uitkomst']);
    const closed = await json<View>(
      await setStatus(id, { status: 'Afgehandeld', uitkomst: 'gecorrigeerd', bericht: 'Uw adres is aangepast.' }),
      200,
    );
    expect(closed.status).toBe('Afgehandeld');

    const after = await json<View>(await citizen(SUZANNE, 'GET', `/${id}`), 200);
    expect(after).toMatchObject({ status: 'Afgehandeld', uitkomst: 'gecorrigeerd', bericht: 'Uw adres is aangepast.' });
    expect(after.geschiedenis.map((g) => g.status)).toEqual(['Gemeld', 'In behandeling', 'Afgehandeld']);
    await problem(await citizen(SUZANNE, 'POST', `/${id}/intrekken`), 409);
    // A final melding goes nowhere else (the transition rule), and the bronhouder is told so.
    await problem(await setStatus(id, { status: 'In behandeling' }), 409);

    // One access record per status change, committed before each answer: RvIG under its terugmelding activity.
    const records = await recordsOf(id);
    expect(records.map((r) => (r['poortwachter.terugmelding'] as { status: string }).status)).toEqual([
      'Gemeld',
      'In behandeling',
      'Afgehandeld',
    ]);
    for (const r of records) {
      expect(r).toMatchObject({
        'dpl.core.processing_activity_id': DEMO_PROCESSING_ACTIVITY.rvigTerugmelding,
        'dpl.core.foreign_operation.processor': DEMO_OIN.rvig,
        'dpl.core.data_subject_id': pseudonym(SUZANNE),
        'poortwachter.search_type': 'Terugmelding',
        'poortwachter.released_fields': ['verblijfplaats.verblijfadres.officieleStraatnaam'],
      });
      // The melding's content is not in the log: only which field.
      expect(JSON.stringify(r)).not.toMatch(/Dorpsstraat|Kerkstraat|aangepast/);
    }
  });

  it('a citizen withdraws her own open melding; the record says so', async () => {
    const id = await file(SUZANNE);
    const withdrawn = await json<View>(await citizen(SUZANNE, 'POST', `/${id}/intrekken`), 200);
    expect(withdrawn.status).toBe('Ingetrokken');
    await problem(await citizen(SUZANNE, 'POST', `/${id}/intrekken`), 409);
    await problem(await setStatus(id, { status: 'In behandeling' }), 409);
    expect((await recordsOf(id)).map((r) => (r['poortwachter.terugmelding'] as { status: string }).status)).toEqual([
      'Gemeld',
      'Ingetrokken',
    ]);
  });

  it('another citizen can neither read nor withdraw her melding, nor sees it in their list (404, as unknown)', async () => {
    const id = await file(SUZANNE);
    await problem(await citizen(OTHER, 'GET', `/${id}`), 404);
    await problem(await citizen(OTHER, 'POST', `/${id}/intrekken`), 404);
    const theirs = await json<{ terugmeldingen: View[] }>(await citizen(OTHER, 'GET'), 200);
    expect(theirs.terugmeldingen.map((t) => t.terugMeldingReferentie)).not.toContain(id);
    expect((await json<View>(await citizen(SUZANNE, 'GET', `/${id}`), 200)).status).toBe('Gemeld');
  });

  it('a melding about another person’s BSN is refused (403 naming idWaarde), and nothing is stored', async () => {
    const before = (await gw.accessRecords()).length;
    const refused = await problem(await citizen(OTHER, 'POST', '', melding(SUZANNE)), 403);
    expect(refused.invalidParams?.map((p) => p.name)).toEqual(['terugMeldingBody.objectIdentificatie.0.idWaarde']);
    expect((await gw.accessRecords()).length).toBe(before);
    const theirs = await json<{ terugmeldingen: View[] }>(await citizen(SUZANNE, 'GET'), 200);
    expect(theirs.terugmeldingen.every((t) => t.melder.soort === 'betrokkene' || t.melder.oin)).toBe(true);
  });

  it('a citizen names only fields of this service (403 naming the urn)', async () => {
    const refused = await problem(
      await citizen(
        SUZANNE,
        'POST',
        '',
        melding(SUZANNE, [gegeven(), gegeven({ attribuutUrn: 'urn:brk-bevragen:eigenaar.naam' })]),
      ),
      403,
    );
    expect(refused.invalidParams?.map((p) => p.name)).toEqual(['terugMeldingBody.terugMeldingGegevens.1.attribuutUrn']);
  });

  it('attachments: an oversize one and one whose bytes are not its type are refused naming it; a good PDF is kept', async () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2000, 0x20)]);
    const big = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(1_048_577, 0x20)]);
    const bijlage = (bytes: Buffer, mimeType = 'application/pdf') => ({
      bestandsnaam: 'huurcontract.pdf',
      mimeType,
      bijlageData: bytes.toString('base64'),
    });
    const oversize = await citizen(SUZANNE, 'POST', '', melding(SUZANNE, [gegeven({ bijlages: [bijlage(big)] })]));
    expect([400, 413]).toContain(oversize.status);
    const tooBig = (await oversize.json()) as Problem;
    expect(tooBig.invalidParams?.map((p) => p.name).join(' ')).toContain('terugMeldingGegevens.0.bijlages.0');

    const disguised = await problem(
      await citizen(
        SUZANNE,
        'POST',
        '',
        melding(SUZANNE, [gegeven({ bijlages: [bijlage(Buffer.from('<html>hi</html>'), 'image/png')] })]),
      ),
      400,
    );
    expect(disguised.invalidParams?.map((p) => p.name).join(' ')).toContain('terugMeldingGegevens.0.bijlages.0');

    const id = await file(SUZANNE, melding(SUZANNE, [gegeven({ bijlages: [bijlage(pdf)] })]));
    const view = await json<View>(await citizen(SUZANNE, 'GET', `/${id}`), 200);
    expect(view.gegevens[0]?.bijlages).toEqual([
      { bestandsnaam: 'huurcontract.pdf', mimeType: 'application/pdf', grootte: pdf.length },
    ]);
    const full = await json<{
      terugMelding: { terugMeldingBody: { terugMeldingGegevens: { bijlages: { bijlageData: string }[] }[] } };
    }>(await rvig('GET', `/${id}`), 200);
    expect(full.terugMelding.terugMeldingBody.terugMeldingGegevens[0]?.bijlages[0]?.bijlageData).toBe(
      pdf.toString('base64'),
    );
  });

  it('HTML in every free text is kept as text and answered as JSON, never as markup', async () => {
    const html = '<script>alert(1)</script><img src=x onerror=alert(2)>';
    const id = await file(
      SUZANNE,
      melding(SUZANNE, [
        gegeven({ betwijfeldeWaarde: html, voorgesteldeWaarde: `${html}!`, eigenvelden: { toelichting: `${html}?` } }),
      ]),
    );
    const res = await citizen(SUZANNE, 'GET', `/${id}`);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const view = await json<View>(res, 200);
    expect(view.gegevens[0]).toMatchObject({
      betwijfeldeWaarde: html,
      voorgesteldeWaarde: `${html}!`,
      toelichting: `${html}?`,
    });
    await json(await setStatus(id, { status: 'In behandeling', bericht: `${html} bericht` }), 200);
    expect((await json<View>(await citizen(SUZANNE, 'GET', `/${id}`), 200)).bericht).toBe(`${html} bericht`);
  });

  it('an afnemer reports doubt within its autorisatie; it reads its own, another afnemer does not, the citizen sees who', async () => {
    const res = await signed(
      DEMO_OIN.utrecht,
      'POST',
      '',
      melding(SUZANNE, [gegeven({ attribuutUrn: HUISNUMMER, betwijfeldeWaarde: '12', voorgesteldeWaarde: '14' })]),
      DEMO_PROCESSING_ACTIVITY.utrechtWmo,
    );
    const { terugMeldingReferentie: id, status } = await json<{ terugMeldingReferentie: string; status: string }>(
      res,
      201,
    );
    expect(status).toBe('Gemeld');
    const own = await json<View>(await signed(DEMO_OIN.utrecht, 'GET', `/${id}`), 200);
    expect(own.terugMelding).toBeUndefined();
    expect(own.melder).toMatchObject({ soort: 'organisatie', oin: DEMO_OIN.utrecht });
    const list = await json<{ terugmeldingen: View[] }>(await signed(DEMO_OIN.utrecht, 'GET', ''), 200);
    expect(list.terugmeldingen.every((t) => t.melder.oin === DEMO_OIN.utrecht)).toBe(true);
    expect(list.terugmeldingen.map((t) => t.terugMeldingReferentie)).toContain(id);
    await problem(await signed(DEMO_OIN.haarlem, 'GET', `/${id}`), 404);
    const haarlems = await json<{ terugmeldingen: View[] }>(await signed(DEMO_OIN.haarlem, 'GET', ''), 200);
    expect(haarlems.terugmeldingen).toEqual([]);

    const hers = await json<{ terugmeldingen: View[] }>(await citizen(SUZANNE, 'GET'), 200);
    expect(hers.terugmeldingen.find((t) => t.terugMeldingReferentie === id)?.melder).toMatchObject({
      soort: 'organisatie',
      oin: DEMO_OIN.utrecht,
      naam: expect.stringContaining('Utrecht'),
    });
    // She cannot withdraw what Utrecht filed.
    await problem(await citizen(SUZANNE, 'POST', `/${id}/intrekken`), 403);

    const [record] = await recordsOf(id);
    expect(record).toMatchObject({
      'dpl.core.processing_activity_id': DEMO_PROCESSING_ACTIVITY.utrechtWmo,
      'dpl.core.foreign_operation.processor': DEMO_OIN.utrecht,
      'dpl.core.data_subject_id': pseudonym(SUZANNE),
      'poortwachter.released_fields': ['verblijfplaats.verblijfadres.huisnummer'],
    });
    // RvIG handles it under its own activity.
    await json(await setStatus(id, { status: 'In behandeling' }), 200);
    expect((await recordsOf(id))[1]).toMatchObject({
      'dpl.core.processing_activity_id': DEMO_PROCESSING_ACTIVITY.rvigTerugmelding,
      'dpl.core.foreign_operation.processor': DEMO_OIN.rvig,
    });
  });

  it("the auditor's coverage report counts the bronhouder's own handling, under its terugmelding activity, as valid", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const auditor = (method: 'GET' | 'POST', path: string, body?: unknown) =>
      sendRaw(origin, {
        method,
        targetUri: `${GATEWAY_URL}/audit/v1/coverage${path}`,
        key: gw.key(DEMO_OIN.autoriteitPersoonsgegevens) as unknown as RawJwk,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const { id } = await json<{ id: string }>(await auditor('POST', '', { from: today, to: today }), 202);
    let report:
      | {
          invalidAccesses: { afnemerOin: string; reasons: string[] }[];
          rows: { afnemer: { oin: string }; processingActivity: { id: string }; accesses: number }[];
        }
      | undefined;
    while (!report) {
      const poll = await json<{ status: string; report?: typeof report; error?: string }>(
        await auditor('GET', `/${id}`),
        200,
      );
      expect(poll.error).toBeUndefined();
      report = poll.report;
      if (!report) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const handling = report.rows.find(
      (r) => r.afnemer.oin === DEMO_OIN.rvig && r.processingActivity.id === DEMO_PROCESSING_ACTIVITY.rvigTerugmelding,
    );
    expect(handling?.accesses).toBeGreaterThan(0);
    expect(report.invalidAccesses.map((a) => `${a.afnemerOin} ${a.reasons.join('; ')}`)).toEqual([]);
  });

  it('an afnemer without an autorisatie for the service, or naming a field outside it, is refused (403)', async () => {
    const body = melding(SUZANNE);
    await problem(await signed(DEMO_OIN.haarlem, 'POST', '', body, DEMO_PROCESSING_ACTIVITY.utrechtWmo), 403);
    await problem(await signed(DEMO_OIN.utrecht, 'POST', '', body, DEMO_PROCESSING_ACTIVITY.utrechtJeugd), 403);
    // Unsigned Processing-Activity: the signature does not cover what a melding about a person needs.
    await problem(await signed(DEMO_OIN.utrecht, 'POST', '', body), 401);
    const outside = await problem(
      await signed(
        DEMO_OIN.utrecht,
        'POST',
        '',
        melding(SUZANNE, [gegeven(), gegeven({ attribuutUrn: GEBOORTEPLAATS })]),
        DEMO_PROCESSING_ACTIVITY.utrechtWmo,
      ),
      403,
    );
    expect(outside.invalidParams?.map((p) => p.name)).toEqual(['terugMeldingBody.terugMeldingGegevens.1.attribuutUrn']);
  });

  it('a field a second contract in force covers may be named, as in a query (each contract under the activity counts)', async () => {
    const both = melding(SUZANNE, [gegeven(), gegeven({ attribuutUrn: GEBOORTEPLAATS })]);
    const contract = await grantByContract(gw.registry.app.request, gw.registry.keyDir, {
      afnemerOin: DEMO_OIN.utrecht,
      serviceId: 'brp-personen',
      processingActivityId: DEMO_PROCESSING_ACTIVITY.utrechtWmo,
      fields: ['burgerservicenummer', 'geboorte.plaats'],
      searchTypes: ['RaadpleegMetBurgerservicenummer'],
    });
    await gw.refreshDirectory();
    try {
      await json<View>(await signed(DEMO_OIN.utrecht, 'POST', '', both, DEMO_PROCESSING_ACTIVITY.utrechtWmo), 201);
    } finally {
      const revoked = await signContractAs(
        gw.registry.app.request,
        gw.registry.keyDir,
        DEMO_OIN.utrecht,
        contract.hash,
        'revoke',
        'Klaar.',
      );
      expect(revoked.status).toBe(200);
      await gw.refreshDirectory();
    }
    await problem(await signed(DEMO_OIN.utrecht, 'POST', '', both, DEMO_PROCESSING_ACTIVITY.utrechtWmo), 403);
  });

  it('only the bronhouder changes a status (403 for an afnemer, even its own melding); a bad status is a 400', async () => {
    const id = await file(SUZANNE);
    await problem(await setStatus(id, { status: 'In behandeling' }, DEMO_OIN.utrecht), 403);
    const bad = await problem(await setStatus(id, { status: 'Klaar', uitkomst: 'gecorrigeerd', extra: 1 }), 400);
    expect(bad.invalidParams?.map((p) => p.name).sort()).toEqual(['extra', 'status', 'uitkomst']);
    await problem(await rvig('GET', '?status=Klaar'), 400);
    await problem(await setStatus('0190a0b0-0000-7000-8000-000000000000', { status: 'In behandeling' }), 404);
    expect((await json<View>(await citizen(SUZANNE, 'GET', `/${id}`), 200)).status).toBe('Gemeld');
  });

  it('two handlings of one melding at once: one is made, the other is told it came too late (409)', async () => {
    const id = await file(SUZANNE);
    const [a, b] = await Promise.all([
      setStatus(id, { status: 'Afgehandeld', uitkomst: 'gecorrigeerd', bericht: 'Uw adres is aangepast.' }),
      setStatus(id, { status: 'Afgehandeld', uitkomst: 'al juist', bericht: 'Het adres klopt.' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const view = await json<View>(await citizen(SUZANNE, 'GET', `/${id}`), 200);
    // One outcome, the one whose answer said 200, and one status change in the history.
    const made = (await (a.status === 200 ? a : b).json()) as View;
    expect(view.geschiedenis.map((g) => g.status)).toEqual(['Gemeld', 'Afgehandeld']);
    expect(view.uitkomst).toBe(made.uitkomst);
    // The one that came too late was refused before it was logged: the log says only what happened.
    expect((await recordsOf(id)).map((r) => (r['poortwachter.terugmelding'] as { status: string }).status)).toEqual([
      'Gemeld',
      'Afgehandeld',
    ]);
  });

  it('a log that cannot be written stores nothing (500), and the melding is not there', async () => {
    const before = (await json<{ terugmeldingen: View[] }>(await citizen(SUZANNE, 'GET'), 200)).terugmeldingen.length;
    const id = await file(SUZANNE);
    logFails = true;
    try {
      await problem(await citizen(SUZANNE, 'POST', '', melding(SUZANNE)), 500);
      await problem(await setStatus(id, { status: 'In behandeling' }), 500);
    } finally {
      logFails = false;
    }
    const after = await json<{ terugmeldingen: View[] }>(await citizen(SUZANNE, 'GET'), 200);
    expect(after.terugmeldingen.length).toBe(before + 1);
    expect(after.terugmeldingen.find((t) => t.terugMeldingReferentie === id)?.status).toBe('Gemeld');
  });

  it('a final melding goes when its bewaartermijn has passed since it became final; its records stay', async () => {
    const open = await file(OTHER);
    const closed = await file(OTHER);
    await json(await citizen(OTHER, 'POST', `/${closed}/intrekken`), 200);
    await gw.purgeExpired(Date.now());
    expect((await json<View>(await citizen(OTHER, 'GET', `/${closed}`), 200)).status).toBe('Ingetrokken');
    const run = await gw.purgeExpired(Date.now() + 30 * YEAR);
    expect(run?.terugmeldingen).toBeGreaterThanOrEqual(1);
    await problem(await citizen(OTHER, 'GET', `/${closed}`), 404);
    expect((await json<View>(await citizen(OTHER, 'GET', `/${open}`), 200)).status).toBe('Gemeld');
    const rows = await gw.db
      .selectFrom('terugmelding_statussen')
      .select('terugmelding_id')
      .where('terugmelding_id', '=', closed)
      .execute();
    expect(rows).toEqual([]);
  });

  it('a flood from one token is stopped by the citizen quota (429); another citizen is served', async () => {
    const seen: number[] = [];
    for (let i = 0; i < 25; i++) {
      const res = await citizen(FLOODER, i % 2 ? 'GET' : 'POST', '', i % 2 ? undefined : melding(FLOODER));
      seen.push(res.status);
      await res.body?.cancel();
    }
    expect(seen.slice(0, 20).every((s) => s === 200 || s === 201)).toBe(true);
    expect(seen.slice(20)).toEqual([429, 429, 429, 429, 429]);
    expect((await citizen(OTHER, 'GET')).status).toBe(200);
  });

  it('no melding text and no BSN in the operational log', () => {
    const lines = capturedLogLines.join('\n');
    expect(lines).not.toMatch(/Dorpsstraat|Kerkstraat|aangepast|huurcontract/);
    expect(lines).not.toContain(SUZANNE);
  });
});
