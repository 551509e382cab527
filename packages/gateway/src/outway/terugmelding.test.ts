import { DIALECTS, describeDialect } from '@poortwachter/registry/testing';
import { DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { OUTWAY_URL, startTestOutway, type TestOutway } from '../testing/index.ts';

const SUZANNE = '999993653';
const melding = (...urns: string[]) => ({
  terugMeldingBody: {
    objectIdentificatie: [
      { objectType: 'persoon', attribuutUrn: 'urn:brp-personen:burgerservicenummer', idWaarde: SUZANNE },
    ],
    terugMeldingGegevens: urns.map((attribuutUrn) => ({
      attribuutUrn,
      betwijfeldeWaarde: 'Teststraat',
      voorgesteldeWaarde: 'Dorpsstraat',
    })),
  },
});
const STRAAT = 'urn:brp-personen:verblijfplaats.verblijfadres.officieleStraatnaam';

/**
 * The outway's Terugmelding operation decides before the provider is asked, as it does for a query:
 * what it refuses never leaves the afnemer (the whole exchange is in tests/terugmelding/outway.test.ts).
 */
for (const dialect of DIALECTS) {
  describeDialect(dialect, `the outway's terugmeldingen (${dialect})`, () => {
    let t: TestOutway;
    let asked = 0;
    beforeAll(async () => {
      t = await startTestOutway(dialect);
    });
    afterAll(async () => {
      await t?.close();
    });
    afterEach(() => {
      expect(asked, 'the provider was asked').toBe(0);
    });
    const names = async (res: Response) =>
      ((await res.json()) as { invalidParams?: { name: string }[] }).invalidParams?.map((p) => p.name);

    beforeAll(() => {
      t.provider = () => {
        asked++;
        return new Response('not asked', { status: 500 });
      };
    });

    it('names a member of a melding the protocol refuses in full (400)', async () => {
      const wrong = melding(STRAAT);
      const res = await t.send(
        {
          ...wrong,
          terugMeldingBody: {
            ...wrong.terugMeldingBody,
            terugMeldingGegevens: [
              { ...wrong.terugMeldingBody.terugMeldingGegevens[0], voorgesteldeWaarde: 'a\u202eb' },
            ],
          },
        },
        {},
        '/terugmeldingen',
      );
      expect(res.status).toBe(400);
      expect(await names(res)).toEqual(['terugMeldingBody.terugMeldingGegevens.0.voorgesteldeWaarde']);
    });

    it('refuses a melding about two services, naming the urn of the other (400)', async () => {
      const res = await t.send(melding(STRAAT, 'urn:brk-bevragen:perceelnummer'), {}, '/terugmeldingen');
      expect(res.status).toBe(400);
      expect(await names(res)).toEqual(['terugMeldingBody.terugMeldingGegevens.1.attribuutUrn']);
    });

    it('refuses an activity the application is not bound to (403)', async () => {
      const res = await t.send(
        melding(STRAAT),
        { 'processing-activity': DEMO_PROCESSING_ACTIVITY.haarlemBijstand },
        '/terugmeldingen',
      );
      expect(res.status).toBe(403);
      expect(await names(res)).toEqual(['ProcessingActivity']);
    });

    it('reads one back only by a reference and with its service (400 naming which)', async () => {
      const get = (path: string) =>
        t.outway.app.request(`${OUTWAY_URL}${path}`, { headers: { 'x-api-key': t.apiKey } });
      const noId = await get('/terugmeldingen/999993653?service=brp-personen');
      expect(noId.status).toBe(400);
      expect(await names(noId)).toEqual(['id']);
      const noService = await get('/terugmeldingen/0192f0c1-7a2b-7c3d-8e4f-5a6b7c8d9e0f');
      expect(noService.status).toBe(400);
      expect(await names(noService)).toEqual(['service']);
      const unknown = await get('/terugmeldingen/0192f0c1-7a2b-7c3d-8e4f-5a6b7c8d9e0f?service=geen-dienst');
      expect(unknown.status).toBe(404);
    });

    it('takes no melding without an API key (401)', async () => {
      const res = await t.outway.app.request(`${OUTWAY_URL}/terugmeldingen`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(melding(STRAAT)),
      });
      expect(res.status).toBe(401);
    });
  });
}
