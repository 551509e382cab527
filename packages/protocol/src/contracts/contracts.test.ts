import { createHash, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { CompactSign, calculateJwkThumbprint, importJWK, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import type { DirectorySnapshot } from '../directory/types.ts';
import type { Organisation, OrganisationKey } from '../domain/model.ts';
import { anchoredKeys, KEY_ENDORSEMENT_TYP } from './anchors.ts';
import { issueCertificate, type KeyUsageBit, keyUsageOf, makeCertificateAuthority } from './certificates.ts';
import {
  type ContractContent,
  checkContentShape,
  contentHash,
  contractGrantHash,
  type SignedContract,
} from './contract.ts';
import { newContractContent, signContract } from './signatures.ts';
import { contractStatus } from './status.ts';
import { trustDirectory } from './trust-directory.ts';

const RVIG = '00000001001234567000';
const UTRECHT = '00000001002220647000';
const SSC = '00000001003214345000';
const T0 = new Date('2026-01-01T00:00:00Z');
const ca = makeCertificateAuthority('test CA', { notBefore: new Date('2025-01-01T00:00:00Z') });
const anchors = [new X509Certificate(Buffer.from(ca.certificate, 'base64'))];
const NOW = new Date('2026-06-01T00:00:00Z');

async function newKey(
  oin: string,
  how: 'certificate' | 'none' | { endorsedBy: JWK; at: Date } | { certifiedAs: string } = 'certificate',
  key: Partial<OrganisationKey> = {},
) {
  const privateJwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) as JWK;
  const { d: _d, ...jwk } = privateJwk;
  const kid = await calculateJwkThumbprint(jwk as JWK, 'sha256');
  const serialNumber = typeof how === 'object' && 'certifiedAs' in how ? how.certifiedAs : oin;
  const x5c =
    how === 'certificate' || (typeof how === 'object' && 'certifiedAs' in how)
      ? [
          issueCertificate({
            issuer: ca,
            subject: { commonName: oin, serialNumber },
            publicJwk: jwk as JWK,
            notBefore: T0,
          }),
        ]
      : undefined;
  let endorsement: string | undefined;
  if (typeof how === 'object' && 'endorsedBy' in how) {
    const { d: _, ...endorserPublic } = how.endorsedBy;
    endorsement = await new CompactSign(
      new TextEncoder().encode(JSON.stringify({ oin, kid, endorsed_at: Math.floor(how.at.getTime() / 1000) })),
    )
      .setProtectedHeader({
        alg: 'EdDSA',
        typ: KEY_ENDORSEMENT_TYP,
        kid: await calculateJwkThumbprint(endorserPublic as JWK, 'sha256'),
      })
      .sign(await importJWK(how.endorsedBy, 'EdDSA'));
  }
  const listed: OrganisationKey = {
    kid,
    jwk: jwk as OrganisationKey['jwk'],
    status: 'active',
    revokedAt: null,
    validFrom: T0.toISOString(),
    validTo: null,
    ...(x5c ? { x5c } : {}),
    ...(endorsement ? { endorsement } : {}),
    ...key,
  };
  return { privateJwk, listed };
}

const organisation = (oin: string, keys: OrganisationKey[]): Organisation => ({
  oin,
  name: oin,
  kind: 'gemeente',
  roles: ['afnemer'],
  keys,
  revokedAt: null,
});

const terms = (more: { delegatorOin?: string; afnemerOin?: string } = {}): ContractContent =>
  newContractContent({
    afnemerOin: more.afnemerOin ?? UTRECHT,
    serviceId: 'brp-personen',
    bronhouderOin: RVIG,
    processingActivityId: 'utrecht-wmo',
    processingActivityVersion: 1,
    grondslagId: 'wmo-2015',
    fields: ['naam.voornamen'],
    validFrom: T0,
    validTo: new Date('2027-01-01T00:00:00Z'),
    groupId: 'test',
    createdAt: T0,
    ...(more.delegatorOin ? { delegatorOin: more.delegatorOin } : {}),
  });

async function signed(
  content: ContractContent,
  ...by: [JWK, 'accept' | 'reject' | 'revoke', Date?][]
): Promise<SignedContract> {
  const hash = contentHash(content);
  const signatures = await Promise.all(
    by.map(([key, type, at]) => signContract(hash, type, key, { signedAt: at ?? T0 })),
  );
  return { hash, content, signatures };
}

describe('contracts both sides sign', async () => {
  const rvig = await newKey(RVIG);
  const utrecht = await newKey(UTRECHT);
  const ssc = await newKey(SSC);
  const organisations = [
    organisation(RVIG, [rvig.listed]),
    organisation(UTRECHT, [utrecht.listed]),
    organisation(SSC, [ssc.listed]),
  ];
  const keys = await anchoredKeys(organisations, anchors);

  it('hashes the canonical content as FSC does, and any change is another hash', () => {
    const content = terms();
    expect(contentHash(content)).toMatch(/^\$1\$1\$[A-Za-z0-9_-]{86}$/);
    const reverse = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(reverse)
        : v && typeof v === 'object'
          ? Object.fromEntries(
              Object.entries(v)
                .reverse()
                .map(([k, m]) => [k, reverse(m)]),
            )
          : v;
    const reordered = reverse(content) as ContractContent;
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(content));
    expect(contentHash(reordered)).toBe(contentHash(content));
    const widened = structuredClone(content) as unknown as { grants: [{ data: { properties: { fields: string[] } } }] };
    widened.grants[0].data.properties.fields.push('burgerservicenummer');
    expect(contentHash(widened as unknown as ContractContent)).not.toBe(contentHash(content));
  });

  it('is in force only when the afnemer and the bronhouder both accepted, within its validity', async () => {
    const content = terms();
    expect(
      (await contractStatus(await signed(content, [utrecht.privateJwk, 'accept']), keys, { now: NOW })).state,
    ).toBe('proposed');
    const both = await signed(content, [utrecht.privateJwk, 'accept'], [rvig.privateJwk, 'accept']);
    const status = await contractStatus(both, keys, { now: NOW });
    expect(status.state).toBe('inForce');
    expect(status.acceptedBy.map((a) => a.oin).sort()).toEqual([RVIG, UTRECHT].sort());
    expect((await contractStatus(both, keys, { now: new Date('2027-02-01T00:00:00Z') })).state).toBe('expired');
  });

  it('ends with a reject or a revoke by either party', async () => {
    const content = terms();
    const rejected = await signed(content, [utrecht.privateJwk, 'accept'], [rvig.privateJwk, 'reject']);
    expect((await contractStatus(rejected, keys, { now: NOW })).state).toBe('rejected');
    const revoked = await signed(
      content,
      [utrecht.privateJwk, 'accept'],
      [rvig.privateJwk, 'accept'],
      [utrecht.privateJwk, 'revoke', NOW],
    );
    const status = await contractStatus(revoked, keys, { now: NOW });
    expect(status.state).toBe('revoked');
    expect(status.endedAt).toBe(NOW.getTime() / 1000);
  });

  it('counts no signature by a key without an anchor, or by one party signing as both', async () => {
    const operatorMade = await newKey(RVIG, 'none');
    const forged = [organisation(RVIG, [rvig.listed, operatorMade.listed]), organisation(UTRECHT, [utrecht.listed])];
    const forgedKeys = await anchoredKeys(forged, anchors);
    expect(forgedKeys.refused.map((r) => r.kid)).toEqual([operatorMade.listed.kid]);
    const contract = await signed(terms(), [utrecht.privateJwk, 'accept'], [operatorMade.privateJwk, 'accept']);
    const status = await contractStatus(contract, forgedKeys, { now: NOW });
    expect(status.state).toBe('proposed');
    expect(status.signatures.find((s) => s.kid === operatorMade.listed.kid)?.why).toBe('its key is not anchored');
    const twice = await signed(terms(), [utrecht.privateJwk, 'accept'], [utrecht.privateJwk, 'accept']);
    expect((await contractStatus(twice, keys, { now: NOW })).missing).toEqual([RVIG]);
  });

  it('anchors no key whose certificate names another OIN, or is issued by another CA', async () => {
    const otherOin = await newKey(RVIG, { certifiedAs: UTRECHT });
    const stranger = makeCertificateAuthority('stranger', { notBefore: new Date('2025-01-01T00:00:00Z') });
    const strangers = await newKey(RVIG, 'none');
    const strangerCertified = {
      ...strangers.listed,
      x5c: [
        issueCertificate({
          issuer: stranger,
          subject: { commonName: 'RvIG', serialNumber: RVIG },
          publicJwk: strangers.listed.jwk as JWK,
        }),
      ],
    };
    const result = await anchoredKeys([organisation(RVIG, [otherOin.listed, strangerCertified])], anchors);
    expect(result.byKid.size).toBe(0);
    expect(result.refused.map((r) => r.why)).toEqual([
      `its certificate names serialNumber ${UTRECHT}, not the OIN ${RVIG}`,
      'its certificate chain does not lead to a trust anchor',
    ]);
  });

  it('anchors no key whose certificate is a CA’s or does not allow signing (keyUsage without digitalSignature)', async () => {
    const certified = async (options: { ca?: boolean; keyUsage?: KeyUsageBit[] }) => {
      const key = await newKey(RVIG, 'none');
      const x5c = [
        issueCertificate({
          issuer: ca,
          subject: { commonName: 'RvIG', serialNumber: RVIG },
          publicJwk: key.listed.jwk as JWK,
          notBefore: T0,
          ...options,
        }),
      ];
      return { ...key.listed, x5c };
    };
    const caLeaf = await certified({ ca: true });
    const certSigner = await certified({ keyUsage: ['digitalSignature', 'keyCertSign'] });
    const encipherOnly = await certified({ keyUsage: ['keyEncipherment'] });
    const signer = await certified({ keyUsage: ['digitalSignature', 'keyEncipherment'] });
    const result = await anchoredKeys([organisation(RVIG, [caLeaf, certSigner, encipherOnly, signer])], anchors);
    expect([...result.byKid.keys()]).toEqual([signer.kid]);
    expect(result.refused.map((r) => r.why)).toEqual([
      'its certificate is a CA certificate (CA:true or keyCertSign), not the certificate of a signing key',
      'its certificate is a CA certificate (CA:true or keyCertSign), not the certificate of a signing key',
      'its certificate does not allow digitalSignature',
    ]);
    expect(keyUsageOf(Buffer.from(signer.x5c[0] ?? '', 'base64'))).toEqual({
      digitalSignature: true,
      keyCertSign: false,
    });
    expect(keyUsageOf(Buffer.from(ca.certificate, 'base64'))).toEqual({ digitalSignature: false, keyCertSign: true });
  });

  it('counts no signature made after its key was revoked, nor one for other content', async () => {
    const revokedKey = await newKey(RVIG, 'certificate', { revokedAt: '2026-03-01T00:00:00.000Z', status: 'revoked' });
    const withRevoked = await anchoredKeys(
      [organisation(RVIG, [revokedKey.listed]), organisation(UTRECHT, [utrecht.listed])],
      anchors,
    );
    const late = await signed(
      terms(),
      [utrecht.privateJwk, 'accept'],
      [revokedKey.privateJwk, 'accept', new Date('2026-04-01T00:00:00Z')],
    );
    expect((await contractStatus(late, withRevoked, { now: NOW })).signatures[1]).toMatchObject({
      counted: false,
      why: 'its key was revoked before signed_at',
    });
    const early = await signed(
      terms(),
      [utrecht.privateJwk, 'accept'],
      [revokedKey.privateJwk, 'accept', new Date('2026-02-01T00:00:00Z')],
    );
    expect((await contractStatus(early, withRevoked, { now: NOW })).state).toBe('inForce');
    // Only a revoke is named apart: a key that merely ended, or a signature its key did not make, is not.
    const ended = await newKey(RVIG, 'certificate', { validTo: '2026-03-01T00:00:00.000Z' });
    const withEnded = await anchoredKeys(
      [organisation(RVIG, [ended.listed]), organisation(UTRECHT, [utrecht.listed])],
      anchors,
    );
    const afterEnd = await signed(
      terms(),
      [utrecht.privateJwk, 'accept'],
      [ended.privateJwk, 'accept', new Date('2026-04-01T00:00:00Z')],
    );
    expect((await contractStatus(afterEnd, withEnded, { now: NOW })).signatures[1]?.why).toBe(
      'its key could not sign at signed_at',
    );
    const forged = structuredClone(late) as unknown as { signatures: string[] };
    const [header, payload] = String(forged.signatures[1]).split('.');
    forged.signatures[1] = `${header}.${payload}.${Buffer.alloc(64).toString('base64url')}`;
    expect(
      (await contractStatus(forged as unknown as SignedContract, withRevoked, { now: NOW })).signatures[1]?.why,
    ).toBe('its key could not sign at signed_at');

    const contract = await signed(terms(), [utrecht.privateJwk, 'accept'], [rvig.privateJwk, 'accept']);
    const changed = structuredClone(contract) as unknown as {
      content: { grants: [{ data: { properties: { fields: string[] } } }] };
    };
    changed.content.grants[0].data.properties.fields.push('burgerservicenummer');
    const status = await contractStatus(changed as unknown as SignedContract, keys, { now: NOW });
    expect(status.state).toBe('invalid');
    const rehashed = {
      ...(changed as unknown as SignedContract),
      hash: contentHash((changed as unknown as SignedContract).content),
    };
    const again = await contractStatus(rehashed, keys, { now: NOW });
    expect(again.state).toBe('proposed');
    expect(again.signatures.every((s) => s.why === 'it is for other content')).toBe(true);
  });

  it('anchors a key its anchored predecessor endorsed (key continuity), not one endorsed by an unanchored key', async () => {
    const next = await newKey(RVIG, { endorsedBy: rvig.privateJwk, at: new Date('2026-02-01T00:00:00Z') });
    const unanchored = await newKey(RVIG, 'none');
    const byStranger = await newKey(RVIG, { endorsedBy: unanchored.privateJwk, at: new Date('2026-02-01T00:00:00Z') });
    const result = await anchoredKeys(
      [organisation(RVIG, [next.listed, rvig.listed, unanchored.listed, byStranger.listed])],
      anchors,
    );
    expect(result.byKid.get(next.listed.kid)?.how).toBe('endorsement');
    expect(result.byKid.get(next.listed.kid)?.from).toBe(Date.parse('2026-02-01T00:00:00Z'));
    expect(result.byKid.has(byStranger.listed.kid)).toBe(false);
  });

  it('needs the delegator to sign a delegated contract too', async () => {
    const content = terms({ afnemerOin: SSC, delegatorOin: UTRECHT });
    const two = await signed(content, [ssc.privateJwk, 'accept'], [rvig.privateJwk, 'accept']);
    expect((await contractStatus(two, keys, { now: NOW })).missing).toEqual([UTRECHT]);
    const three = await signed(
      content,
      [ssc.privateJwk, 'accept'],
      [rvig.privateJwk, 'accept'],
      [utrecht.privateJwk, 'accept'],
    );
    expect((await contractStatus(three, keys, { now: NOW })).state).toBe('inForce');
  });

  it('refuses content with a member it does not know, naming it', () => {
    const extra = { ...terms(), note: 'x' };
    expect(() => checkContentShape(extra)).toThrow(expect.objectContaining({ member: 'note' }));
    const wide = structuredClone(terms()) as unknown as { grants: [{ data: { properties: Record<string, unknown> } }] };
    wide.grants[0].data.properties.fields = [];
    expect(() => checkContentShape(wide)).toThrow(
      expect.objectContaining({ member: 'grants.0.data.properties.fields' }),
    );
  });

  it('trustDirectory: autorisaties only from accepted contracts, keys only anchored ones', async () => {
    const operatorMade = await newKey(UTRECHT, 'none');
    const inForce = await signed(
      terms(),
      [utrecht.privateJwk, 'accept'],
      [rvig.privateJwk, 'accept', new Date('2026-01-02T00:00:00Z')],
    );
    const halfSigned = await signed(terms(), [utrecht.privateJwk, 'accept']);
    const snapshot = {
      serial: 1,
      issued_at: NOW.toISOString(),
      organisations: [organisation(RVIG, [rvig.listed]), organisation(UTRECHT, [utrecht.listed, operatorMade.listed])],
      services: [{ id: 'brp-personen', providerOin: RVIG }],
      grondslagen: [],
      processing_activities: [],
      autorisaties: [
        {
          id: 'inserted',
          afnemerOin: UTRECHT,
          serviceId: 'brp-personen',
          processingActivityId: 'x',
          fields: ['burgerservicenummer'],
          searchTypes: [],
          validFrom: T0.toISOString(),
          validTo: null,
          revokedAt: null,
        },
      ],
      contracts: [inForce, halfSigned],
      identity_providers: [],
    } as unknown as DirectorySnapshot;
    const trusted = await trustDirectory(snapshot, anchors, { now: NOW });
    expect(trusted.snapshot.autorisaties.map((a) => a.id)).toEqual([inForce.hash]);
    expect(trusted.snapshot.autorisaties[0]?.validFrom).toBe('2026-01-02T00:00:00.000Z');
    expect(trusted.snapshot.organisations.find((o) => o.oin === UTRECHT)?.keys.map((k) => k.kid)).toEqual([
      utrecht.listed.kid,
    ]);
    const wrongProvider = await trustDirectory(
      { ...snapshot, services: [{ id: 'brp-personen', providerOin: UTRECHT }] } as unknown as DirectorySnapshot,
      anchors,
      { now: NOW },
    );
    expect(wrongProvider.snapshot.autorisaties).toEqual([]);
  });
});

describe("FSC's grant hash (Core, Grant hash)", () => {
  // The spec's steps, written out with node:crypto alone.
  const bySpec = (content: ContractContent, type: number) => {
    const canonical = (value: unknown): string =>
      Array.isArray(value)
        ? `[${value.map(canonical).join(',')}]`
        : value !== null && typeof value === 'object'
          ? `{${Object.keys(value)
              .sort()
              .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
              .join(',')}}`
          : JSON.stringify(value);
    const digest = createHash('sha3-512')
      .update(`${contentHash(content)}${canonical(content.grants[0].data)}`)
      .digest('base64url');
    return `$1$${type}$${digest}`;
  };

  it('is $1$3$ over the content hash and grant.data, $1$4$ for a delegated grant, and differs per contract', () => {
    const plain = terms();
    expect(contractGrantHash(plain)).toBe(bySpec(plain, 3));
    const delegated = terms({ afnemerOin: SSC, delegatorOin: UTRECHT });
    expect(contractGrantHash(delegated)).toBe(bySpec(delegated, 4));
    // The iv is in the content hash: the same terms in another contract give another grant hash.
    expect(contractGrantHash(terms())).not.toBe(contractGrantHash(plain));
  });
});
