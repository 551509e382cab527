import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Listening, listen } from '@poortwachter/operations';
import { verifyDirectorySnapshot } from '@poortwachter/protocol';
import {
  contentHash,
  issueCertificate,
  newContractContent,
  signContract,
  trustDirectory,
} from '@poortwachter/protocol/contracts';
import { BRP_SERVICE_ID, DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR } from '../domain/actor.ts';
import type { ContractView } from '../repositories/contracts.ts';
import { addKey, type KeyInput } from '../repositories/organisations.ts';
import { generatePrivateJwk, publicJwkOf } from '../server/key-files.ts';
import { startTestRegistry, type TestRegistry } from '../testing/index.ts';

/** Spec D from outside: raw HTTP against the registry on 127.0.0.1, signatures made with the demo keys. */
describe('the registry contracts API', () => {
  let registry: TestRegistry;
  let server: Listening;
  let origin: string;
  const key = (oin: string) => JSON.parse(readFileSync(join(registry.keyDir, `${oin}.jwk.json`), 'utf8')) as JWK;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${origin}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const problem = async (res: Response) => {
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    return (await res.json()) as { code: string; detail: string; invalidParams?: { name: string; code: string }[] };
  };
  const content = (fields = ['burgerservicenummer', 'naam.geslachtsnaam'], overrides: { groupId?: string } = {}) =>
    newContractContent({
      afnemerOin: DEMO_OIN.haarlem,
      serviceId: BRP_SERVICE_ID,
      bronhouderOin: DEMO_OIN.rvig,
      processingActivityId: DEMO_PROCESSING_ACTIVITY.haarlemBijstand,
      processingActivityVersion: 1,
      grondslagId: 'participatiewet-art-7',
      fields,
      searchTypes: ['RaadpleegMetBurgerservicenummer'],
      validFrom: new Date(Date.now() - 60_000),
      validTo: new Date(Date.now() + 30 * 86_400_000),
      groupId: overrides.groupId ?? 'poortwachter-demo',
    });
  const propose = async (
    c: ReturnType<typeof content>,
    signer: string = DEMO_OIN.haarlem,
    type: 'accept' | 'reject' = 'accept',
  ) => post('/v1/contracts', { content: c, signature: await signContract(contentHash(c), type, key(signer)) });
  const sign = async (hash: string, oin: string, type: 'accept' | 'reject' | 'revoke', reason?: string, jwk?: JWK) =>
    post(`/v1/contracts/${encodeURIComponent(hash)}/signatures`, {
      signature: await signContract(hash, type, jwk ?? key(oin), reason ? { reason } : {}),
    });
  const snapshot = async () =>
    verifyDirectorySnapshot(await (await fetch(`${origin}/v1/directory`)).text(), registry.registryPublicKey);

  beforeAll(async () => {
    registry = await startTestRegistry('sqlite');
    server = await listen({ fetch: registry.app.fetch, port: 0, hostname: '127.0.0.1' });
    origin = `http://127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.server.close(resolve));
    await registry.close();
  });

  it('a proposal with the afnemer accept, the bronhouder accept: in force, published, each step a change', async () => {
    const serial = (await snapshot()).serial;
    const c = content();
    const hash = contentHash(c);
    const proposed = await propose(c);
    expect(proposed.status).toBe(201);
    expect(proposed.headers.get('location')).toBe(`/v1/contracts/${encodeURIComponent(hash)}`);
    const view = (await proposed.json()) as ContractView;
    expect(view).toMatchObject({
      hash,
      content: c,
      state: 'proposed',
      parties: { afnemer: DEMO_OIN.haarlem, bronhouder: DEMO_OIN.rvig },
      signatureDetails: [{ oin: DEMO_OIN.haarlem, type: 'accept' }],
    });
    expect(view.signatures).toHaveLength(1);
    const pending = (await (await fetch(`${origin}/v1/contracts?oin=${DEMO_OIN.rvig}&state=proposed`)).json()) as {
      contracts: ContractView[];
    };
    expect(pending.contracts.map((p) => p.hash)).toEqual([hash]);

    const accepted = await sign(hash, DEMO_OIN.rvig, 'accept');
    expect(accepted.status).toBe(200);
    expect(((await accepted.json()) as ContractView).state).toBe('inForce');
    const got = (await (await fetch(`${origin}/v1/contracts/${encodeURIComponent(hash)}`)).json()) as ContractView;
    expect(got.signatureDetails.map((s) => [s.oin, s.type])).toEqual([
      [DEMO_OIN.haarlem, 'accept'],
      [DEMO_OIN.rvig, 'accept'],
    ]);
    expect(Date.parse(got.signatureDetails[0]?.signedAt ?? '')).toBeGreaterThan(Date.now() - 60_000);

    // The directory carries it with both signatures and publishes no autorisatie of its own.
    const published = await snapshot();
    expect(published.serial).toBe(serial + 2);
    expect(published.autorisaties).toEqual([]);
    expect(published.contracts?.find((p) => p.hash === hash)?.signatures).toHaveLength(2);
    const trusted = await trustDirectory(published, registry.trustAnchors);
    expect(trusted.snapshot.autorisaties.find((a) => a.id === hash)).toMatchObject({
      afnemerOin: DEMO_OIN.haarlem,
      fields: ['burgerservicenummer', 'naam.geslachtsnaam'],
    });
    // Every demo autorisatie is a contract both demo parties signed.
    expect(trusted.snapshot.autorisaties.length).toBeGreaterThanOrEqual(6);
    const changes = (await (
      await fetch(`${origin}/v1/changes?entity=contract&entityId=${encodeURIComponent(hash)}`)
    ).json()) as {
      action: string;
    }[];
    expect(changes.map((ch) => ch.action)).toEqual(['propose', 'accept']);

    // Accepted or rejected no more once in force; revoked by either party, with its reason.
    expect((await sign(hash, DEMO_OIN.rvig, 'reject', 'Te laat.')).status).toBe(409);
    const revoked = await sign(hash, DEMO_OIN.haarlem, 'revoke', 'Niet meer nodig.');
    expect(revoked.status).toBe(200);
    const after = (await revoked.json()) as ContractView;
    expect(after.state).toBe('revoked');
    expect(after.signatureDetails.at(-1)).toMatchObject({
      oin: DEMO_OIN.haarlem,
      type: 'revoke',
      reason: 'Niet meer nodig.',
    });
    expect((await sign(hash, DEMO_OIN.rvig, 'revoke')).status).toBe(409);
    expect((await snapshot()).serial).toBe(serial + 3);
  });

  it('refuses a proposal with a problem naming the member: shape, group, terms, duplicate', async () => {
    const { grants, ...noGrants } = content();
    const malformed = await post('/v1/contracts', {
      content: noGrants,
      signature: await signContract('x', 'accept', key(DEMO_OIN.haarlem)),
    });
    expect(malformed.status).toBe(400);
    expect((await problem(malformed)).invalidParams?.[0]?.name).toMatch(/^content\.grants/);
    const otherGroup = await propose(content(undefined, { groupId: 'elders' }));
    expect((await problem(otherGroup)).invalidParams).toEqual([expect.objectContaining({ name: 'content.group_id' })]);
    const unknown = await propose(content(['burgerservicenummer', 'bestaat.niet']));
    expect(unknown.status).toBe(400);
    expect((await problem(unknown)).invalidParams).toEqual([
      expect.objectContaining({ name: 'content.grants.0.data.properties.fields.1', code: 'unknownField' }),
    ]);
    const c = content();
    expect((await propose(c)).status).toBe(201);
    const again = await propose(c);
    expect(again.status).toBe(409);
    expect((await problem(again)).code).toBe('conflict');
    const rejecting = await propose(content(), DEMO_OIN.haarlem, 'reject');
    expect((await problem(rejecting)).invalidParams).toEqual([
      expect.objectContaining({ name: 'signature', code: 'notAccept' }),
    ]);
  });

  it('takes a signature only from a party, with an anchored key, on this content', async () => {
    const c = content();
    const hash = contentHash(c);
    const overOther = await post('/v1/contracts', {
      content: c,
      signature: await signContract(contentHash(content()), 'accept', key(DEMO_OIN.haarlem)),
    });
    expect((await problem(overOther)).invalidParams).toEqual([
      expect.objectContaining({ name: 'signature', code: 'hashMismatch' }),
    ]);
    const byOutsider = await propose(c, DEMO_OIN.utrecht);
    expect(byOutsider.status).toBe(403);
    expect((await problem(byOutsider)).invalidParams).toEqual([
      expect.objectContaining({ name: 'signature', code: 'notAParty' }),
    ]);

    // A key the operator wrote into the database for RvIG, without a certificate (the API lets no token add
    // one): registered, published, and not anchored.
    const added = await generatePrivateJwk('Ed25519');
    await addKey(registry.db, DEMO_OIN.rvig, { jwk: publicJwkOf(added) } as KeyInput, OPERATOR);
    expect((await propose(c)).status).toBe(201);
    const unanchored = await sign(hash, DEMO_OIN.rvig, 'accept', undefined, added);
    expect(unanchored.status).toBe(400);
    expect((await problem(unanchored)).invalidParams).toEqual([
      expect.objectContaining({ name: 'signature', code: 'keyNotAnchored' }),
    ]);
    expect(
      ((await (await fetch(`${origin}/v1/contracts/${encodeURIComponent(hash)}`)).json()) as ContractView).state,
    ).toBe('proposed');
    const malformed = await post(`/v1/contracts/${encodeURIComponent(hash)}/signatures`, { signature: 'a.b.c' });
    expect((await problem(malformed)).invalidParams?.[0]?.name).toBe('signature');
    expect((await sign('$1$1$bestaatniet', DEMO_OIN.rvig, 'accept')).status).toBe(404);
    // A reject by the bronhouder ends the proposal.
    const rejected = await sign(hash, DEMO_OIN.rvig, 'reject', 'Geen grondslag voor deze velden.');
    expect(((await rejected.json()) as ContractView).state).toBe('rejected');
    expect((await sign(hash, DEMO_OIN.rvig, 'accept')).status).toBe(409);
  });

  it('answers the old autorisatie changes 410, with or without the admin token', async () => {
    for (const [method, path] of [
      ['POST', '/v1/autorisaties'],
      ['PUT', '/v1/autorisaties/uwv-ww-brp'],
      ['POST', '/v1/autorisaties/uwv-ww-brp/revoke'],
    ] as const) {
      for (const headers of [{ authorization: `Bearer ${registry.adminToken}` }, {}]) {
        const res = await fetch(`${origin}${path}`, {
          method,
          headers: { 'content-type': 'application/json', ...headers },
          body: '{}',
        });
        expect(res.status, `${method} ${path}`).toBe(410);
        const body = await problem(res);
        expect(body.code).toBe('gone');
        expect(body.detail).toContain('/v1/contracts');
      }
    }
  });

  it('takes a key with its certificate chain, checks the leaf holds it, and publishes the chain', async () => {
    const fresh = await generatePrivateJwk('P-256');
    const ca = {
      certificate: readFileSync(registry.trustAnchorsFile, 'utf8').replace(/-----[A-Z ]+-----|\s/g, ''),
      privateJwk: JSON.parse(readFileSync(join(registry.keyDir, 'demo-ca.key.json'), 'utf8')) as JWK,
    };
    const x5c = [
      issueCertificate({
        issuer: ca,
        subject: { commonName: 'Gemeente Haarlem', serialNumber: DEMO_OIN.haarlem },
        publicJwk: publicJwkOf(fresh),
      }),
    ];
    const other = await generatePrivateJwk('P-256');
    const wrong = await registry.asOrganisation(
      DEMO_OIN.haarlem,
      'POST',
      `/v1/organisations/${DEMO_OIN.haarlem}/keys`,
      {
        jwk: publicJwkOf(other),
        x5c,
      },
    );
    expect((await problem(wrong)).invalidParams).toEqual([
      expect.objectContaining({ name: 'x5c[0]', code: 'certificateKey' }),
    ]);
    const garbage = await registry.asOrganisation(
      DEMO_OIN.haarlem,
      'POST',
      `/v1/organisations/${DEMO_OIN.haarlem}/keys`,
      {
        jwk: publicJwkOf(fresh),
        x5c: ['AAAA'],
      },
    );
    expect((await problem(garbage)).invalidParams).toEqual([
      expect.objectContaining({ name: 'x5c[0]', code: 'certificate' }),
    ]);
    const res = await registry.asOrganisation(DEMO_OIN.haarlem, 'POST', `/v1/organisations/${DEMO_OIN.haarlem}/keys`, {
      jwk: publicJwkOf(fresh),
      x5c,
    });
    expect(res.status).toBe(201);
    const haarlem = (await snapshot()).organisations.find((o) => o.oin === DEMO_OIN.haarlem);
    expect(haarlem?.keys.find((k) => k.kid === fresh.kid)?.x5c).toEqual(x5c);
    // And the new key signs for Haarlem.
    const c = content();
    const signature = await signContract(contentHash(c), 'accept', fresh);
    const byNewKey = await post('/v1/contracts', { content: c, signature });
    expect(byNewKey.status, await byNewKey.clone().text()).toBe(201);
  });
});
