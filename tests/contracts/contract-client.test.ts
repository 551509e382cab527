/**
 * The sdk's contract client against the registry's contract routes (a demo-seeded test registry,
 * handed to the client as its `fetch`): every step signed by the client, the registry's answer and
 * refusals as the sdk gives them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { contentHash } from '@poortwachter/protocol/contracts';
import { startTestRegistry, type TestRegistry } from '@poortwachter/registry/testing';
import { createContractClient, isSdkError, type ProposalTerms, type SdkError } from '@poortwachter/sdk';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TERMS: ProposalTerms = {
  serviceId: 'brp-personen',
  processingActivityId: DEMO_PROCESSING_ACTIVITY.haarlemBijstand,
  grondslagId: 'participatiewet-art-7',
  fields: ['burgerservicenummer', 'naam.voornamen'],
  searchTypes: ['RaadpleegMetBurgerservicenummer'],
  notAfter: new Date(Date.now() + 90 * 86_400_000),
};

async function refusal(promise: Promise<unknown>): Promise<SdkError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isSdkError(error)) throw new Error(`expected an SdkError, got ${String(error)}`);
  return error;
}

describe('the sdk contract client: propose, answer, revoke, list and read, each signed locally', () => {
  let registry: TestRegistry;
  const fetchRegistry = ((input: string | URL | Request, init?: RequestInit) =>
    registry.app.fetch(new Request(input, init))) as typeof fetch;
  const clientOf = (oin: string) =>
    createContractClient({
      oin,
      privateKey: JSON.parse(readFileSync(join(registry.keyDir, `${oin}.jwk.json`), 'utf8')) as JWK,
      registryUrl: 'http://registry.test',
      registryKey: registry.registryPublicKey,
      fetch: fetchRegistry,
    });

  beforeAll(async () => {
    registry = await startTestRegistry('sqlite');
  });
  afterAll(async () => {
    await registry?.close();
  });

  it('takes a proposal through accept and revoke; each party sees it in its list', async () => {
    const haarlem = clientOf(DEMO_OIN.haarlem);
    const rvig = clientOf(DEMO_OIN.rvig);
    const proposed = await haarlem.propose(TERMS);
    expect(proposed.hash).toBe(contentHash(proposed.content));
    expect(proposed).toMatchObject({
      state: 'proposed',
      parties: { afnemer: DEMO_OIN.haarlem, bronhouder: DEMO_OIN.rvig },
    });
    expect(proposed.content.grants[0].data.properties).toMatchObject({
      processing_activity_id: TERMS.processingActivityId,
      processing_activity_version: 1,
      fields: TERMS.fields,
    });
    expect(proposed.signatureDetails).toEqual([expect.objectContaining({ oin: DEMO_OIN.haarlem, type: 'accept' })]);
    expect((await rvig.list({ state: 'proposed' })).map((c) => c.hash)).toContain(proposed.hash);

    // A reject without a reason is refused here, before anything is signed or sent.
    expect((await refusal(rvig.reject(proposed.hash, '  '))).code).toBe('configuration');
    expect((await rvig.get(proposed.hash)).state).toBe('proposed');

    expect((await rvig.accept(proposed.hash)).state).toBe('inForce');
    expect((await haarlem.list({ state: 'inForce' })).map((c) => c.hash)).toContain(proposed.hash);
    const revoked = await haarlem.revoke(proposed.hash, 'Klaar.');
    expect(revoked.state).toBe('revoked');
    expect(revoked.signatureDetails).toContainEqual(
      expect.objectContaining({ oin: DEMO_OIN.haarlem, type: 'revoke', reason: 'Klaar.' }),
    );
  });

  it("gives the registry's refusal as an SdkError with its problem, and checks terms against the directory first", async () => {
    const proposed = await clientOf(DEMO_OIN.haarlem).propose(TERMS);
    const outsider = await refusal(clientOf(DEMO_OIN.utrecht).accept(proposed.hash));
    expect(outsider.problem?.status).toBe(403);
    expect(outsider.problem?.invalidParams).toEqual([expect.objectContaining({ name: 'signature' })]);

    const unknown = await refusal(clientOf(DEMO_OIN.haarlem).propose({ ...TERMS, serviceId: 'no-such-service' }));
    expect(unknown.code).toBe('configuration');
    expect(unknown.message).toContain('no-such-service');
  });

  it('refuses a contract whose content the registry changed: the terms shown are the terms of the hash', async () => {
    const proposed = await clientOf(DEMO_OIN.haarlem).propose(TERMS);
    const tampering = (async (input: string | URL | Request, init?: RequestInit) => {
      const res = await fetchRegistry(input, init);
      if (!String(input).includes('/v1/contracts')) return res;
      const text = (await res.text()).replaceAll('naam.voornamen', 'naam.geslachtsnaam');
      return new Response(text, { status: res.status, headers: res.headers });
    }) as typeof fetch;
    const rvig = createContractClient({
      oin: DEMO_OIN.rvig,
      privateKey: JSON.parse(readFileSync(join(registry.keyDir, `${DEMO_OIN.rvig}.jwk.json`), 'utf8')) as JWK,
      registryUrl: 'http://registry.test',
      registryKey: registry.registryPublicKey,
      fetch: tampering,
    });
    expect((await refusal(rvig.get(proposed.hash))).code).toBe('contractUnverified');
    expect((await refusal(rvig.list())).code).toBe('contractUnverified');
  });
});
