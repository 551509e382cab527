import { generateKeyPairSync } from 'node:crypto';
import type { DirectorySnapshot, Organisation, Service } from '@poortwachter/protocol';
import { contentDigest, READ_RESPONSE_COMPONENTS, signMessage } from '@poortwachter/protocol';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { createCitizenClient } from './citizen-client.ts';

/**
 * `gegevens()` against gateways made of a stub `fetch` (the route itself is tested against the real
 * gateway in tests/citizen): it asks only services that offer their data to the betrokkene, keeps the
 * signed answer exactly, and puts a gateway whose answer does not verify in `missing`.
 */

const RVIG = '00000001001000001000';
const { privateKey } = generateKeyPairSync('ed25519');
const privateJwk = privateKey.export({ format: 'jwk' }) as JWK;
const publicJwk = { kty: privateJwk.kty, crv: privateJwk.crv, x: privateJwk.x } as JWK;
const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
const key = { ...privateJwk, kid };

const provider = {
  oin: RVIG,
  name: 'Rijksdienst voor Identiteitsgegevens',
  kind: 'rijk',
  roles: ['bronhouder'],
  keys: [
    {
      kid,
      jwk: { ...publicJwk, kid },
      status: 'active',
      revokedAt: null,
      validFrom: '2026-01-01T00:00:00Z',
      validTo: null,
      x5c: ['MIIB'],
    },
  ],
  revokedAt: null,
} as unknown as Organisation;

const service = (id: string, gatewayUrl: string, betrokkene: boolean): Service =>
  ({
    id,
    providerOin: RVIG,
    name: id,
    gatewayUrl,
    protocol: 'brp-personen-v2',
    fieldCatalogue: [{ path: 'naam.voornamen', label: 'voornamen', group: 'naam' }],
    dataSubjectPaths: ['personen.burgerservicenummer'],
    searchParameters: [],
    ...(betrokkene
      ? {
          betrokkene: {
            inzageActivityId: 'i',
            operation: 'RaadpleegMetBurgerservicenummer',
            terugmeldingActivityId: 't',
          },
        }
      : {}),
    revokedAt: null,
  }) as unknown as Service;

const directory = {
  organisations: [provider],
  services: [
    service('brp-personen', 'http://brp.test/', true),
    service('tampered', 'http://tampered.test', true),
    service('no-self-service', 'http://none.test', false),
  ],
} as unknown as DirectorySnapshot;

const BODY = '{"type":"RaadpleegMetBurgerservicenummer","personen":[{"naam":{"voornamen":"Suzanne"}}]}';

async function signedAnswer(body: string, tamper: boolean): Promise<Response> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'content-digest': await contentDigest(body),
    'fsc-transaction-id': '01930000-0000-7000-8000-000000000001',
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  };
  Object.assign(
    headers,
    await signMessage(
      { status: 200, header: (name) => headers[name] ?? null },
      { components: READ_RESPONSE_COMPONENTS, privateKey: key, created: Math.floor(Date.now() / 1000) },
    ),
  );
  return new Response(tamper ? body.replace('Suzanne', 'Suzanna') : body, { status: 200, headers });
}

describe('citizenClient.gegevens()', () => {
  it("keeps each verified answer exactly, with its key; a tampered one is missing; others aren't asked", async () => {
    const asked: string[] = [];
    const token = `x.${Buffer.from(JSON.stringify({ sub: '999993653' })).toString('base64url')}.y`;
    const client = createCitizenClient({
      token,
      directory,
      fetch: async (input, init) => {
        const url = String(input);
        asked.push(url);
        expect(new Headers(init?.headers).get('authorization')).toBe(`Bearer ${token}`);
        return signedAnswer(BODY, url.startsWith('http://tampered.test'));
      },
    });
    const result = await client.gegevens();
    expect(asked.sort()).toEqual(['http://brp.test/inzage/v1/gegevens', 'http://tampered.test/inzage/v1/gegevens']);
    expect(result.betrokkene).toEqual({ bsn: '999993653' });
    expect(result.bronnen).toHaveLength(1);
    const [bron] = result.bronnen;
    expect(bron?.bronhouder).toEqual({ naam: 'Rijksdienst voor Identiteitsgegevens', oin: RVIG });
    expect(bron?.velden).toEqual([{ pad: 'naam.voornamen', label: 'voornamen', soort: 'naam', waarde: 'Suzanne' }]);
    expect(bron?.antwoord.body).toBe(BODY);
    // Only the headers the signature covers and the content type: no traceparent.
    expect(Object.keys(bron?.antwoord.headers ?? {}).sort()).toEqual([
      'content-digest',
      'content-type',
      'fsc-transaction-id',
      'signature',
      'signature-input',
    ]);
    expect(bron?.sleutel).toEqual({ ...publicJwk, kid, x5c: ['MIIB'] });
    expect(result.missing).toEqual([
      {
        service: 'tampered',
        gateway: 'http://tampered.test',
        reason: expect.stringMatching(/not signed by Rijksdienst voor Identiteitsgegevens: .*Content-Digest/),
      },
    ]);
  });
});
