import { DIALECTS, describeDialect } from '@poortwachter/registry/testing';
import { BRP_AUTOMATIC_FIELDS, DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  describeOperationalLog,
  GATEWAY_URL,
  LEAKED,
  type SourceMode,
  specProblemErrors,
  startTestGateway,
  type TestGateway,
} from '../testing/index.ts';

/**
 * The BRP API's own rules at the gateway (issue 10): every search parameter authorised, the fields the
 * BRP delivers automatically, errors as the spec writes them, and a source's answer never passed on.
 */
const UTRECHT = DEMO_OIN.utrecht;
const HAARLEM = DEMO_OIN.haarlem;
const WMO = DEMO_PROCESSING_ACTIVITY.utrechtWmo;
const BIJSTAND = DEMO_PROCESSING_ACTIVITY.haarlemBijstand;

interface Problem {
  type: string;
  status: number;
  code: string;
  title: string;
  detail: string;
  instance: string;
  invalidParams?: { type: string; name: string; code: string; reason: string }[];
}

const raadpleeg = (bsn: string, fields: string[]) => ({
  type: 'RaadpleegMetBurgerservicenummer',
  burgerservicenummer: [bsn],
  fields,
});

for (const dialect of DIALECTS) {
  describeDialect(dialect, `the BRP API's rules at the gateway (${dialect})`, () => {
    let gw: TestGateway;
    let calls: number;
    let records: number;
    let refusals: number;

    beforeAll(async () => {
      gw = await startTestGateway(dialect);
    });
    afterAll(async () => gw.close());
    beforeEach(async () => {
      await gw.log.drain();
      gw.source.state.mode = 'ok';
      calls = gw.source.state.calls;
      records = (await gw.accessRecords()).length;
      refusals = (await gw.refusals()).length;
    });

    /** A refusal: spec-valid problem, nothing sent to the source, no access record, the refusal recorded. */
    async function refused(res: Response, status: number, code: string, reason: string): Promise<Problem> {
      const text = await res.text();
      expect(res.status, text).toBe(status);
      expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
      const problem = JSON.parse(text) as Problem;
      expect(problem.code).toBe(code);
      expect(specProblemErrors(problem)).toEqual([]);
      expect(problem.instance).toBe(`${GATEWAY_URL}/personen`);
      expect(gw.source.state.calls).toBe(calls);
      await gw.log.drain();
      expect(await gw.accessRecords()).toHaveLength(records);
      const recorded = await gw.refusals();
      expect(recorded).toHaveLength(refusals + 1);
      expect(recorded.at(-1)?.reason).toBe(reason);
      return problem;
    }

    describe('1. every search parameter is authorised, as data the registry holds', () => {
      const postcode = (extra: Record<string, unknown>) => ({
        type: 'ZoekMetPostcodeEnHuisnummer',
        postcode: '1091PN',
        huisnummer: 1,
        fields: ['naam.geslachtsnaam'],
        ...extra,
      });
      const moulin = (extra: Record<string, unknown>) => ({
        type: 'ZoekMetGeslachtsnaamEnGeboortedatum',
        geslachtsnaam: 'Moulin',
        geboortedatum: '1985-12-01',
        fields: ['naam.voornamen'],
        ...extra,
      });

      it('refuses inclusiefOverledenPersonen to an afnemer not authorised for overlijden', async () => {
        const res = await gw.send(UTRECHT, postcode({ inclusiefOverledenPersonen: true }), { processingActivity: WMO });
        const problem = await refused(res, 403, 'unauthorizedParameter', 'unauthorizedParameter');
        expect(problem.invalidParams).toMatchObject([
          { name: 'inclusiefOverledenPersonen', code: 'unauthorizedParameter' },
        ]);
        expect(problem.invalidParams?.[0]?.reason).toContain('overlijden.datum');
      });

      it('lets inclusiefOverledenPersonen false through: it selects nothing', async () => {
        const res = await gw.send(UTRECHT, postcode({ inclusiefOverledenPersonen: false }), {
          processingActivity: WMO,
        });
        expect(res.status).toBe(200);
        expect(gw.source.state.calls).toBe(calls + 1);
      });

      it('refuses geslacht and gemeenteVanInschrijving to an afnemer not authorised for them, naming both', async () => {
        const res = await gw.send(HAARLEM, moulin({ geslacht: 'V', gemeenteVanInschrijving: '0599' }), {
          processingActivity: BIJSTAND,
        });
        const problem = await refused(res, 403, 'unauthorizedParameter', 'unauthorizedParameter');
        expect(problem.invalidParams?.map((p) => p.name)).toEqual(['geslacht', 'gemeenteVanInschrijving']);
      });

      it('lets the search through with the parameters the autorisatie covers', async () => {
        const res = await gw.send(HAARLEM, moulin({ voornamen: 'Suzanne' }), { processingActivity: BIJSTAND });
        expect(res.status).toBe(200);
        expect(gw.source.state.lastBody).toMatchObject({ geslachtsnaam: 'Moulin', voornamen: 'Suzanne' });
      });

      it('refuses a member the search type does not know with 400 unknownParam', async () => {
        const res = await gw.send(HAARLEM, moulin({ bestaatNiet: 'x', postcode: '1234AB' }), {
          processingActivity: BIJSTAND,
        });
        const problem = await refused(res, 400, 'paramsValidation', 'invalidRequest');
        expect(problem.invalidParams).toMatchObject([
          { name: 'bestaatNiet', code: 'unknownParam', reason: 'Parameter is niet verwacht.' },
          { name: 'postcode', code: 'unknownParam' },
        ]);
      });
    });

    describe('2. the fields the BRP always delivers', () => {
      async function released(oin: string, activity: string, bsn: string, fields: string[]) {
        const res = await gw.send(oin, raadpleeg(bsn, fields), { processingActivity: activity });
        expect(res.status).toBe(200);
        const body = (await res.json()) as { personen: Record<string, unknown>[] };
        await gw.log.drain();
        const rows = (await gw.accessRecords()).slice(records);
        expect(rows).toHaveLength(1);
        const logged = JSON.parse(rows[0]?.record ?? '{}').attributes['poortwachter.released_fields'] as string[];
        return { person: body.personen[0] ?? {}, logged };
      }

      it('delivers geheimhoudingPersoonsgegevens unasked, and logs it as released', async () => {
        const { person, logged } = await released(UTRECHT, WMO, '999993872', ['naam.geslachtsnaam']);
        expect(person).toEqual({ naam: { geslachtsnaam: 'Meijden' }, geheimhoudingPersoonsgegevens: true });
        expect(logged).toEqual(['geheimhoudingPersoonsgegevens', 'naam.geslachtsnaam']);
      });

      it('delivers opschortingBijhouding of an emigrated person unasked', async () => {
        const { person, logged } = await released(UTRECHT, WMO, '999992326', ['burgerservicenummer']);
        expect(person.opschortingBijhouding).toMatchObject({ reden: { code: 'E', omschrijving: 'emigratie' } });
        expect(logged).toContain('opschortingBijhouding');
      });

      it('delivers inOnderzoek only beside the requested fields it is about', async () => {
        const asked = await released(UTRECHT, WMO, '999992843', ['geboorte.datum', 'naam.geslachtsnaam']);
        expect(asked.person.geboorte).toMatchObject({
          datum: { datum: '2002-05-05' },
          inOnderzoek: { datum: true, datumIngangOnderzoek: { datum: '2004-02-04' } },
        });
        // The person is in onderzoek for leeftijd too, but leeftijd was not asked: that flag stays behind.
        expect(asked.person).not.toHaveProperty('inOnderzoek');
        expect(asked.person.naam).toEqual({ geslachtsnaam: 'Thursen' });
        expect(asked.logged).toContain('inOnderzoek');
        records = (await gw.accessRecords()).length;
        const other = await released(UTRECHT, WMO, '999992843', ['naam.geslachtsnaam']);
        expect(JSON.stringify(other.person)).not.toContain('inOnderzoek');
        expect(other.logged).toEqual(['naam.geslachtsnaam']);
      });

      it('delivers rni only for the categories of the requested fields, and verificatie always', async () => {
        const { person, logged } = await released(UTRECHT, WMO, '999994888', ['naam.geslachtsnaam']);
        expect(person.rni).toEqual([
          {
            deelnemer: { code: '0101', omschrijving: 'Belastingdienst (inzake heffingen en toeslagen)' },
            categorie: 'Persoon',
          },
        ]);
        expect(person.verificatie).toMatchObject({ omschrijving: 'bewijs nationaliteit' });
        expect(logged).toEqual(expect.arrayContaining(['rni', 'verificatie', 'naam.geslachtsnaam']));
      });

      it('refuses every automatic field in fields with 400, as the spec says', async () => {
        const fields = [
          ...BRP_AUTOMATIC_FIELDS,
          'opschortingBijhouding.reden',
          'naam.inOnderzoek',
          'geboorte.inOnderzoek.datum',
        ];
        const res = await gw.send(UTRECHT, raadpleeg('999993653', ['burgerservicenummer', ...fields]), {
          processingActivity: WMO,
        });
        const problem = await refused(res, 400, 'paramsValidation', 'invalidRequest');
        expect(problem.invalidParams?.map((p) => [p.name, p.code, p.reason])).toEqual(
          fields.map((_f, i) => [`fields.${i + 1}`, 'fields', 'Parameter bevat een niet toegestane veldnaam.']),
        );
      });
    });

    describe('3. errors as the BRP API writes them', () => {
      it('answers an unknown or malformed field path with 400 fields or pattern', async () => {
        const res = await gw.send(UTRECHT, raadpleeg('999993653', ['naam.bestaatniet', 'naam voornamen']), {
          processingActivity: WMO,
        });
        const problem = await refused(res, 400, 'paramsValidation', 'invalidRequest');
        expect(problem.invalidParams?.map((p) => [p.name, p.code])).toEqual([
          ['fields.1', 'pattern'],
          ['fields.0', 'fields'],
        ]);
        expect(problem.invalidParams?.[1]?.reason).toBe('Parameter bevat een niet bestaande veldnaam.');
      });

      it('answers a field a search type does not return with 400 (searches return a limited person)', async () => {
        const res = await gw.send(
          UTRECHT,
          { type: 'ZoekMetPostcodeEnHuisnummer', postcode: '3077AW', huisnummer: 31, fields: ['nationaliteiten'] },
          { processingActivity: WMO },
        );
        const problem = await refused(res, 400, 'paramsValidation', 'invalidRequest');
        expect(problem.invalidParams).toMatchObject([{ name: 'fields.0', code: 'fields' }]);
      });

      it('answers an unknown search type with 400 value, and a missing one with 400 required', async () => {
        const unknown = await gw.send(
          UTRECHT,
          { type: 'ZoekMetKleur', fields: ['naam.voornamen'] },
          {
            processingActivity: WMO,
          },
        );
        const p = await refused(unknown, 400, 'paramsValidation', 'invalidRequest');
        expect(p.invalidParams).toMatchObject([
          { name: 'type', code: 'value', reason: 'Waarde is geen geldig zoek type.' },
        ]);
        refusals++;
        const missing = await gw.send(UTRECHT, { fields: ['naam.voornamen'] }, { processingActivity: WMO });
        const q = await refused(missing, 400, 'paramsValidation', 'invalidRequest');
        expect(q.invalidParams).toMatchObject([{ name: 'type', code: 'required', reason: 'Parameter is verplicht.' }]);
      });

      it('gives Dutch reasons with the codes of the BRP API, every problem at once', async () => {
        const res = await gw.send(
          UTRECHT,
          {
            type: 'ZoekMetPostcodeEnHuisnummer',
            postcode: '1091 P',
            huisnummer: 'een',
            inclusiefOverledenPersonen: 'ja',
            geboortedatum: '1985-13-40',
            fields: [],
          },
          { processingActivity: WMO },
        );
        const problem = await refused(res, 400, 'paramsValidation', 'invalidRequest');
        const byName = Object.fromEntries((problem.invalidParams ?? []).map((p) => [p.name, [p.code, p.reason]]));
        expect(byName).toMatchObject({
          fields: ['minItems', 'Array bevat minder dan 1 items.'],
          huisnummer: ['integer', 'Waarde is geen geldig getal.'],
          inclusiefOverledenPersonen: ['boolean', 'Waarde is geen boolean.'],
          geboortedatum: ['date', 'Waarde is geen geldige datum.'],
          postcode: ['pattern', 'Waarde voldoet niet aan het patroon uit het schema.'],
        });
        expect(JSON.stringify(problem)).not.toMatch(/must be|must match/);
      });

      it('refuses a BSN that fails the elfproef with 400, before the source sees it', async () => {
        const res = await gw.send(UTRECHT, raadpleeg('123456789', ['naam.voornamen']), { processingActivity: WMO });
        const problem = await refused(res, 400, 'paramsValidation', 'invalidRequest');
        expect(problem.invalidParams).toMatchObject([{ name: 'burgerservicenummer.0', code: 'elfproef' }]);
      });

      it('answers 406 to an Accept that allows no JSON', async () => {
        const res = await gw.send(UTRECHT, raadpleeg('999993653', ['naam.voornamen']), {
          processingActivity: WMO,
          headers: { accept: 'application/xml' },
        });
        await refused(res, 406, 'notAcceptable', 'notAcceptable');
      });

      it('answers a deeply nested body with 400, not a 502', async () => {
        const deep = `{"type":"RaadpleegMetBurgerservicenummer","fields":["naam.voornamen"],"burgerservicenummer":${'['.repeat(5000)}${']'.repeat(5000)}}`;
        const res = await gw.send(UTRECHT, deep, { processingActivity: WMO });
        const problem = await refused(res, 400, 'paramsValidation', 'invalidRequest');
        expect(problem.invalidParams?.[0]?.name).toBe('body');
      });

      it('answers with charset=utf-8 and problem types of one scheme', async () => {
        const ok = await gw.send(UTRECHT, raadpleeg('999993653', ['naam.voornamen']), { processingActivity: WMO });
        expect(ok.headers.get('content-type')).toBe('application/json; charset=utf-8');
        refusals = (await gw.refusals()).length;
        records = (await gw.accessRecords()).length;
        calls = gw.source.state.calls;
        const denied = await gw.send(UTRECHT, raadpleeg('999993653', ['partners.naam.voornamen']), {
          processingActivity: WMO,
        });
        const problem = await refused(denied, 403, 'unauthorizedField', 'unauthorizedField');
        expect(problem.type).toBe('https://datatracker.ietf.org/doc/html/rfc7231#section-6.5.3');
        expect(problem.invalidParams?.[0]?.type).toBe('https://www.vng.nl/realisatie/api/validaties/unauthorizedfield');
      });
    });

    describe("1b. a source's answer never leaves as it came", () => {
      const modes: [SourceMode, number][] = [
        ['problemWithPersonalData', 400],
        ['htmlError', 400],
        ['huge', 502],
        ['wrongContentType', 502],
        ['malformed200', 502],
        ['personWithoutBsn', 502],
        ['garbage', 502],
        ['error500', 502],
      ];
      for (const [mode, status] of modes) {
        it(`a source answering ${mode}: the gateway's own problem (${status}), nothing of the source's, recorded`, async () => {
          gw.source.state.mode = mode;
          const res = await gw.send(UTRECHT, raadpleeg('999993653', ['naam.voornamen']), { processingActivity: WMO });
          const text = await res.text();
          expect(res.status).toBe(status);
          expect(text).not.toContain(LEAKED.bsn);
          expect(text).not.toMatch(/Moulin|Suzanne|1985/);
          const problem = JSON.parse(text) as Problem;
          expect(specProblemErrors(problem)).toEqual([]);
          expect(gw.source.state.calls).toBe(calls + 1);
          await gw.log.drain();
          expect(await gw.accessRecords()).toHaveLength(records);
          const recorded = await gw.refusals();
          expect(recorded).toHaveLength(refusals + 1);
          expect(JSON.stringify(recorded.at(-1))).not.toMatch(/Moulin|999993653/);
        });
      }
    });
  });
}

// Last in this file: the operational log of everything above.
describeOperationalLog([
  'invalidRequest',
  'notAcceptable',
  'sourceError',
  'sourceInvalidAnswer',
  'sourceRefused',
  'sourceUnreachable',
  'unauthorizedField',
  'unauthorizedParameter',
]);
