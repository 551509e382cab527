import { signRequest } from '@poortwachter/protocol';
import { certifiedKey } from '@poortwachter/registry/testing';
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
    // Utrecht adds its new key itself (a request signed with its current key); the key carries a certificate.
    const { privateKey: newKey, key } = await certifiedKey(
      gw.registry.keyDir,
      { oin, name: 'Gemeente Utrecht' },
      'P-256',
    );
    expect(await callWith(newKey)).toBe(401);
    const added = await gw.registry.asOrganisation(oin, 'POST', `/v1/organisations/${oin}/keys`, key);
    expect(added.status).toBe(201);
    await gw.refreshDirectory();
    expect(await callWith(oldKey)).toBe(200);
    expect(await callWith(newKey)).toBe(200);
    const revoked = await gw.registry.asOrganisation(
      oin,
      'POST',
      `/v1/organisations/${oin}/keys/${oldKey.kid}/revoke`,
      {},
      newKey,
    );
    expect(revoked.status).toBe(200);
    await gw.refreshDirectory();
    expect(await callWith(oldKey)).toBe(401);
    expect(await callWith(newKey)).toBe(200);
  });
});
