import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { GATEWAY_URL, startTestGateway, type TestGateway } from '@poortwachter/gateway/testing';
import { contentDigest } from '@poortwachter/protocol';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RawJwk, sendRaw } from '../adversarial/raw-client.ts';

const SUZANNE = '999993653';
const STRAAT = 'urn:brp-personen:verblijfplaats.verblijfadres.officieleStraatnaam';
const melding = (bsn: string, extra: Record<string, unknown> = {}) => ({
  terugMeldingBody: {
    objectIdentificatie: [
      { objectType: 'persoon', attribuutUrn: 'urn:brp-personen:burgerservicenummer', idWaarde: bsn },
    ],
    terugMeldingGegevens: [
      { attribuutUrn: STRAAT, betwijfeldeWaarde: 'Kerkstraat', voorgesteldeWaarde: 'Dorpsstraat', ...extra },
    ],
  },
});

/**
 * Issue 29's review from outside (raw HTTP against an in-process inway): a melding an organisation filed
 * under a confidential activity is hidden from the citizen as the timeline hides it, and so is the
 * bronhouder's handling of it; bytes that are not UTF-8, base64 that is none, and a parameter on the
 * citizen's own-data read are refused naming what, never stored or ignored.
 */
describe("terugmeldingen and own data, the review's attacks", () => {
  let gw: TestGateway;
  let origin: string;
  let server: ReturnType<typeof serve>;
  let token: string;
  beforeAll(async () => {
    gw = await startTestGateway('sqlite');
    server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: gw.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    token = await gw.citizenToken({ sub: SUZANNE });
  });
  afterAll(async () => {
    server?.close();
    await gw?.close();
  });

  it('hides from the citizen a melding filed under a confidential activity (Den Bosch fraude), as the timeline hides the filing', async () => {
    const res = await sendRaw(origin, {
      method: 'POST',
      targetUri: `${GATEWAY_URL}/terugmeldingen`,
      key: gw.key(DEMO_OIN.sHertogenbosch) as unknown as RawJwk,
      processingActivity: DEMO_PROCESSING_ACTIVITY.denBoschFraude,
      body: JSON.stringify(melding(SUZANNE, { eigenvelden: { toelichting: 'Fraudeonderzoek: woont samen?' } })),
    });
    const text = await res.text();
    expect(res.status).toBe(201);
    const id = (JSON.parse(text) as { terugMeldingReferentie: string }).terugMeldingReferentie;
    const auth = { authorization: `Bearer ${token}` };
    const timeline = (await (await fetch(`${origin}/inzage/v1/verwerkingen?limit=100`, { headers: auth })).json()) as {
      verwerkingen: { organisatie: { oin: string } }[];
    };
    const inTimeline = timeline.verwerkingen.filter((v) => v.organisatie.oin === DEMO_OIN.sHertogenbosch).length;
    const list = (await (await fetch(`${origin}/inzage/v1/terugmeldingen`, { headers: auth })).json()) as {
      terugmeldingen: { terugMeldingReferentie: string; melder: unknown; gegevens: unknown[] }[];
    };
    const shown = list.terugmeldingen.find((t) => t.terugMeldingReferentie === id);
    const one = await fetch(`${origin}/inzage/v1/terugmeldingen/${id}`, { headers: auth });
    expect(inTimeline).toBe(0);
    expect(shown).toBeUndefined();
    expect(one.status, await one.text()).toBe(404);
  });

  it("keeps RvIG's handling of that melding out of her timeline", async () => {
    const res = await sendRaw(origin, {
      method: 'POST',
      targetUri: `${GATEWAY_URL}/terugmeldingen`,
      key: gw.key(DEMO_OIN.sHertogenbosch) as unknown as RawJwk,
      processingActivity: DEMO_PROCESSING_ACTIVITY.denBoschFraude,
      body: JSON.stringify(melding(SUZANNE)),
    });
    const id = ((await res.json()) as { terugMeldingReferentie: string }).terugMeldingReferentie;
    const auth = { authorization: `Bearer ${token}` };
    const before = (
      (await (await fetch(`${origin}/inzage/v1/verwerkingen?limit=100`, { headers: auth })).json()) as {
        verwerkingen: unknown[];
      }
    ).verwerkingen.length;
    const st = await sendRaw(origin, {
      method: 'POST',
      targetUri: `${GATEWAY_URL}/terugmeldingen/${id}/status`,
      key: gw.key(DEMO_OIN.rvig) as unknown as RawJwk,
      body: JSON.stringify({ status: 'In behandeling' }),
    });
    expect(st.status, await st.clone().text()).toBe(200);
    const after = (await (await fetch(`${origin}/inzage/v1/verwerkingen?limit=100`, { headers: auth })).json()) as {
      verwerkingen: Record<string, unknown>[];
    };
    expect(after.verwerkingen.length).toBe(before);
    // The handling is still on the log (for the auditor), with the melding's id, only without her as subject.
    const handled = (await gw.accessRecords()).filter(
      (r) => r.record.includes(id) && r.record.includes('In behandeling'),
    );
    expect(handled).toHaveLength(1);
    expect(handled[0]?.record).not.toContain('dpl.core.data_subject_id');
  });

  it('commits the digest of the melding as stored in its Gemeld record, so an edit of the stored melding is found', async () => {
    const res = await fetch(`${origin}/inzage/v1/terugmeldingen`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(melding(SUZANNE)),
    });
    expect(res.status).toBe(201);
    const id = ((await res.json()) as { terugMeldingReferentie: string }).terugMeldingReferentie;
    const [filed] = (await gw.accessRecords())
      .map((r) => JSON.parse(r.record) as { attributes: Record<string, unknown> })
      .map((r) => r.attributes['poortwachter.terugmelding'] as { id: string; status: string; body_digest?: string })
      .filter((t) => t?.id === id);
    const row = await gw.db.selectFrom('terugmeldingen').select('body').where('id', '=', id).executeTakeFirstOrThrow();
    expect(filed?.status).toBe('Gemeld');
    expect(filed?.body_digest).toBe(await contentDigest(row.body));
    const edited = row.body.replace('Dorpsstraat', 'Dorpstraat');
    expect(await contentDigest(edited)).not.toBe(filed?.body_digest);
  });

  it('refuses a melding whose bytes are not UTF-8 (400 naming body), never storing U+FFFD', async () => {
    const json = JSON.stringify(melding(SUZANNE)).replace('Dorpsstraat', 'Dorps@@straat');
    const [a, b] = json.split('@@') as [string, string];
    const bytes = Buffer.concat([Buffer.from(a), Buffer.from([0xff, 0xfe]), Buffer.from(b)]);
    const res = await fetch(`${origin}/inzage/v1/terugmeldingen`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: bytes,
    });
    const problem = (await res.json()) as { invalidParams?: { name: string }[] };
    expect(res.status).toBe(400);
    expect(problem.invalidParams?.map((p) => p.name)).toEqual(['body']);
  });

  it('refuses base64 of a length 4n+1 as a 400 naming bijlageData, not a 500', async () => {
    const body = melding(SUZANNE, {
      bijlages: [{ bestandsnaam: 'a.pdf', mimeType: 'application/pdf', bijlageData: 'JVBERi0xA' }],
    });
    const res = await fetch(`${origin}/inzage/v1/terugmeldingen`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const problem = (await res.json()) as { invalidParams?: { name: string }[] };
    expect(res.status).toBe(400);
    expect(problem.invalidParams?.map((p) => p.name)).toEqual([
      'terugMeldingBody.terugMeldingGegevens.0.bijlages.0.bijlageData',
    ]);
  });

  it("refuses a parameter on the own-data read (the BSN is the token's), as the other citizen routes do", async () => {
    const auth = { authorization: `Bearer ${token}` };
    const g = await fetch(`${origin}/inzage/v1/gegevens?burgerservicenummer=999991292`, { headers: auth });
    const t = await fetch(`${origin}/inzage/v1/terugmeldingen?burgerservicenummer=999991292`, { headers: auth });
    expect(g.status, await g.text()).toBe(400);
    expect(t.status).toBe(400);
  });
});
