import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signRequest } from '@poortwachter/protocol';
import { issueCertificate } from '@poortwachter/protocol/contracts';
import { generatePrivateJwk, publicJwkOf } from '@poortwachter/registry';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_URL, startTestGateway, type TestGateway } from '../testing/index.ts';

const query = {
  type: 'RaadpleegMetBurgerservicenummer',
  burgerservicenummer: ['999993653'],
  fields: ['naam.voornamen'],
};

/**
 * An organisation rotates its signing key through the registry: register the new key beside the old
 * one, switch the outway's key file, revoke the old key. During the overlap the gateway accepts calls
 * signed with either; after the revocation, only the new one.
 */
describe("an organisation's key rotation", () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway('sqlite');
  });
  afterAll(async () => gw.close());

  const callWith = async (privateKey: JWK) => {
    const request = await signRequest({
      url: `${GATEWAY_URL}/personen`,
      body: JSON.stringify(query),
      privateKey,
      processingActivity: DEMO_PROCESSING_ACTIVITY.utrechtWmo,
    });
    return (await gw.app.request(request.url, { method: request.method, headers: request.headers, body: request.body }))
      .status;
  };

  it('accepts the old and the new key during the overlap, and only the new one after the old is revoked', async () => {
    const oin = DEMO_OIN.utrecht;
    const oldKey = gw.key(oin);
    const newKey = await generatePrivateJwk('P-256');
    expect(await callWith(newKey)).toBe(401);
    // Utrecht's new key comes with its certificate (here from the demo CA): a key without one counts for nothing.
    const x5c = [
      issueCertificate({
        issuer: {
          certificate: new X509Certificate(readFileSync(join(gw.registry.keyDir, 'demo-ca.pem'))).raw.toString(
            'base64',
          ),
          privateJwk: JSON.parse(readFileSync(join(gw.registry.keyDir, 'demo-ca.key.json'), 'utf8')) as JWK,
        },
        subject: { commonName: 'Gemeente Utrecht', serialNumber: oin, country: 'NL' },
        publicJwk: publicJwkOf(newKey),
      }),
    ];
    const added = await gw.registry.admin('POST', `/v1/organisations/${oin}/keys`, { jwk: publicJwkOf(newKey), x5c });
    expect(added.status).toBe(201);
    await gw.refreshDirectory();
    expect(await callWith(oldKey)).toBe(200);
    expect(await callWith(newKey)).toBe(200);
    const revoked = await gw.registry.admin('POST', `/v1/organisations/${oin}/keys/${oldKey.kid}/revoke`, {});
    expect(revoked.status).toBe(200);
    await gw.refreshDirectory();
    expect(await callWith(oldKey)).toBe(401);
    expect(await callWith(newKey)).toBe(200);
  });
});
