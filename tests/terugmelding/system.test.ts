/**
 * Terugmeldingen in the running system (`pnpm start`, raw HTTP): the citizens' page's origin may post a
 * melding (CORS preflight), Suzanne reports doubt about her home's address at Kadaster's BRK inway (a
 * described service, whose other paths go to the source), Kadaster takes it in hand and closes it with
 * its own key, and she reads the outcome; the BRP inway keeps its meldingen apart.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_OIN } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RawJwk, sendRaw } from '../adversarial/raw-client.ts';
import { type RunningSystem, startSystem } from '../start-system.ts';

const SUZANNE = '999993653';

describe('terugmeldingen in the running system (pnpm start, raw HTTP)', () => {
  let system: RunningSystem;
  let token: string;
  const url = (port: number) => `http://localhost:${port}`;

  beforeAll(async () => {
    system = await startSystem();
    const res = await fetch(`${url(system.ports.idp)}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ bsn: SUZANNE }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    token = ((await res.json()) as { access_token: string }).access_token;
  });
  afterAll(async () => {
    await system?.stop();
  });

  const citizen = (port: number, method: 'GET' | 'POST', path = '', body?: unknown) =>
    fetch(`${url(port)}/inzage/v1/terugmeldingen${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const kadaster = (method: 'GET' | 'POST', path: string, body?: unknown) =>
    sendRaw(url(system.ports.brkGateway), {
      method,
      targetUri: `${url(system.ports.brkGateway)}/terugmeldingen${path}`,
      key: JSON.parse(readFileSync(join(system.data, 'keys', `${DEMO_OIN.kadaster}.jwk.json`), 'utf8')) as RawJwk,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it("the citizens' page may post a melding to any inway (CORS preflight for POST with JSON)", async () => {
    const origin = url(system.ports.portal);
    for (const port of [system.ports.gateway, system.ports.brkGateway]) {
      const res = await fetch(`${url(port)}/inzage/v1/terugmeldingen`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
      expect(res.headers.get('access-control-allow-methods')).toContain('POST');
      expect(res.headers.get('access-control-allow-headers')).toContain('content-type');
    }
  });

  it('Suzanne reports her home’s street at the BRK inway; Kadaster handles it; she sees the outcome', async () => {
    const melding = {
      terugMeldingBody: {
        objectIdentificatie: [
          { objectType: 'persoon', attribuutUrn: 'urn:brk-bevragen:burgerservicenummer', idWaarde: SUZANNE },
        ],
        terugMeldingGegevens: [
          {
            attribuutUrn: 'urn:brk-bevragen:kadastraalOnroerendeZaak.adressen.straat',
            betwijfeldeWaarde: 'Kerkstraat',
            voorgesteldeWaarde: 'Kerkplein',
          },
        ],
      },
    };
    const filed = await citizen(system.ports.brkGateway, 'POST', '', melding);
    const ontvangen = JSON.parse(await filed.text()) as { terugMeldingReferentie: string; status: string };
    expect(filed.status, JSON.stringify(ontvangen)).toBe(201);
    const id = ontvangen.terugMeldingReferentie;

    const open = await kadaster('GET', '?status=Gemeld');
    expect(open.status, await open.clone().text()).toBe(200);
    expect(((await open.json()) as { terugmeldingen: { terugMeldingReferentie: string }[] }).terugmeldingen).toEqual(
      expect.arrayContaining([expect.objectContaining({ terugMeldingReferentie: id })]),
    );
    expect((await kadaster('POST', `/${id}/status`, { status: 'In behandeling' })).status).toBe(200);
    const closed = await kadaster('POST', `/${id}/status`, {
      status: 'Afgehandeld',
      uitkomst: 'gecorrigeerd',
      bericht: 'De straatnaam is verbeterd.',
    });
    expect(closed.status, await closed.clone().text()).toBe(200);

    const seen = await citizen(system.ports.brkGateway, 'GET', `/${id}`);
    expect(seen.status).toBe(200);
    expect(await seen.json()).toMatchObject({
      dienst: 'brk-bevragen',
      status: 'Afgehandeld',
      uitkomst: 'gecorrigeerd',
      bericht: 'De straatnaam is verbeterd.',
      gegevens: [{ veld: 'straat van het huis of de grond' }],
    });
    // The BRP inway holds its own meldingen: this one is not there.
    expect((await citizen(system.ports.gateway, 'GET', `/${id}`)).status).toBe(404);
  });
});
