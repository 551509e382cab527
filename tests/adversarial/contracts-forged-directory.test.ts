/**
 * Issue 28: the registry publishes access but cannot grant it. Every attack here is made by a registry
 * gone bad: a snapshot signed with the real registry's key (from the system's DATA_DIR), served to an
 * unchanged BRP inway process whose REGISTRY_URL points at it. The inway verifies that snapshot as
 * genuine, so whatever it refuses it refuses on its own trust step: only keys with a certificate chain to
 * its trust anchor (the demo CA) naming the organisation's OIN, only contracts every party signed with
 * such a key, valid when signed. Raw signed HTTP with the organisations' own keys; each case has its
 * control (the same request granted by what is genuine), so a refusal for another reason cannot pass.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { issueCertificate, makeCertificateAuthority } from '@poortwachter/protocol/contracts';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addKeys, type Contract, type Stage, setStage, utrechtWmo, withContracts } from './contract-attack.ts';
import { directoryKey, hashOf, newKey, publicOf, signAs, signedContract } from './contract-forgery.ts';
import type { RawJwk } from './raw-client.ts';

const WMO = DEMO_PROCESSING_ACTIVITY.utrechtWmo;
const HOUR = 3_600_000;

let stage: Stage;
let genuine: Contract;
let utrecht: RawJwk;
let rvig: RawJwk;

/** A new Utrecht Wmo contract with the genuine one's terms (a fresh iv), signed by `sign`. */
const sameTerms = (sign: (hash: string) => string[], edit?: (content: Contract['content']) => void): Contract => {
  const content = structuredClone(genuine.content) as Contract['content'] & { iv: string };
  content.iv = crypto.randomUUID();
  edit?.(content);
  return signedContract(content, sign) as Contract;
};

/** A certificate chain for `key` naming `oin`, issued by the demo CA (whose key is in the system's data). */
function demoCertificate(key: RawJwk, oin: string): string[] {
  const pem = readFileSync(join(stage.system.data, 'keys', 'demo-ca.pem'), 'utf8');
  const certificate = pem.replace(/-----[A-Z ]+-----|\s/g, '');
  const privateJwk = JSON.parse(readFileSync(join(stage.system.data, 'keys', 'demo-ca.key.json'), 'utf8'));
  return [
    issueCertificate({
      issuer: { certificate, privateJwk },
      subject: { commonName: `key for ${oin}`, organisation: 'test', serialNumber: oin, country: 'NL' },
      publicJwk: publicOf(key) as never,
      notBefore: new Date(Date.now() - 2 * 86_400_000),
    }),
  ];
}

const askAsUtrecht = async (key = utrecht) => (await stage.ask(key, WMO)).status;

describe('contracts: a registry gone bad cannot grant access (issue 28)', () => {
  beforeAll(async () => {
    stage = await setStage();
    genuine = utrechtWmo(stage.base, WMO);
    utrecht = stage.key(DEMO_OIN.utrecht);
    rvig = stage.key(DEMO_OIN.rvig);
  }, 240_000);
  afterAll(async () => {
    await stage?.close();
  }, 60_000);

  it('control: the genuine contract grants, and without it the same query is refused', async () => {
    await stage.serve(stage.base);
    expect(await askAsUtrecht()).toBe(200);
    await stage.serve(withContracts(stage.base, DEMO_OIN.utrecht, []));
    expect(await askAsUtrecht()).toBe(403);
  });

  it('(b) a snapshot signed by the registry with an extra contract and autorisatie, signed by keys of its own CA, grants nothing', async () => {
    const ca = makeCertificateAuthority('Registry operator CA');
    const fakeUtrecht = newKey();
    const fakeRvig = newKey();
    const chain = (key: RawJwk, oin: string) => [
      issueCertificate({
        issuer: ca,
        subject: { commonName: oin, serialNumber: oin, country: 'NL' },
        publicJwk: publicOf(key) as never,
      }),
      ca.certificate,
    ];
    const extra = sameTerms((h) => [signAs(h, 'accept', fakeUtrecht), signAs(h, 'accept', fakeRvig)]);
    await stage.serve(
      withContracts(stage.base, DEMO_OIN.utrecht, [extra], (s) => {
        addKeys(s, DEMO_OIN.utrecht, directoryKey(fakeUtrecht, { x5c: chain(fakeUtrecht, DEMO_OIN.utrecht) }));
        addKeys(s, DEMO_OIN.rvig, directoryKey(fakeRvig, { x5c: chain(fakeRvig, DEMO_OIN.rvig) }));
        // The registry's word alone: an autorisatie as the directory carried them before contracts.
        s.autorisaties = [
          {
            id: 'forged',
            afnemerOin: DEMO_OIN.utrecht,
            serviceId: 'brp-personen',
            processingActivityId: WMO,
            fields: genuine.content.grants[0].data.properties.fields,
            searchTypes: genuine.content.grants[0].data.properties.search_types,
            validFrom: new Date(Date.now() - HOUR).toISOString(),
            validTo: null,
            revokedAt: null,
          },
        ];
      }),
    );
    expect(await askAsUtrecht()).toBe(403);
    // Nor does a request signed with the registry-made Utrecht key get past the signature check.
    expect(await askAsUtrecht(fakeUtrecht)).toBe(401);
  });

  it('(c) keys the operator added to RvIG and to Utrecht, without a certificate, signing as both, grant nothing', async () => {
    const addedUtrecht = newKey();
    const addedRvig = newKey();
    const extra = sameTerms((h) => [signAs(h, 'accept', addedUtrecht), signAs(h, 'accept', addedRvig)]);
    await stage.serve(
      withContracts(stage.base, DEMO_OIN.utrecht, [extra], (s) => {
        addKeys(s, DEMO_OIN.utrecht, directoryKey(addedUtrecht));
        addKeys(s, DEMO_OIN.rvig, directoryKey(addedRvig));
      }),
    );
    expect(await askAsUtrecht()).toBe(403);
    expect(await askAsUtrecht(addedUtrecht)).toBe(401);
  });

  it('(d) a certificate from the demo CA naming another OIN anchors nothing for RvIG or Utrecht', async () => {
    const other = DEMO_OIN.svb;
    const asUtrecht = newKey();
    const asRvig = newKey();
    const extra = sameTerms((h) => [signAs(h, 'accept', asUtrecht), signAs(h, 'accept', asRvig)]);
    const attack = (utrechtOin: string, rvigOin: string) =>
      withContracts(stage.base, DEMO_OIN.utrecht, [extra], (s) => {
        addKeys(s, DEMO_OIN.utrecht, directoryKey(asUtrecht, { x5c: demoCertificate(asUtrecht, utrechtOin) }));
        addKeys(s, DEMO_OIN.rvig, directoryKey(asRvig, { x5c: demoCertificate(asRvig, rvigOin) }));
      });
    await stage.serve(attack(other, other));
    expect(await askAsUtrecht()).toBe(403);
    // Control: the same keys with certificates naming their own organisations do count.
    await stage.serve(attack(DEMO_OIN.utrecht, DEMO_OIN.rvig));
    expect(await askAsUtrecht()).toBe(200);
  });

  it('(e) a signature by a key revoked before its signed_at counts for nothing', async () => {
    // An anchored Utrecht key (certified since yesterday) that was revoked an hour ago signs for Utrecht;
    // Utrecht itself asks with its demo key, which stays valid.
    const stolen = newKey();
    const revokedAt = Date.now() - HOUR;
    const attack = (signedAt: number) =>
      withContracts(
        stage.base,
        DEMO_OIN.utrecht,
        [
          sameTerms(
            (h) => [signAs(h, 'accept', stolen, signedAt), signAs(h, 'accept', rvig)],
            (content) => {
              const c = content as unknown as { created_at: number; validity: { not_before: number } };
              c.created_at = Math.floor((Date.now() - 3 * HOUR) / 1000);
              c.validity.not_before = c.created_at;
            },
          ),
        ],
        (s) =>
          addKeys(
            s,
            DEMO_OIN.utrecht,
            directoryKey(stolen, {
              x5c: demoCertificate(stolen, DEMO_OIN.utrecht),
              revokedAt: new Date(revokedAt).toISOString(),
            }),
          ),
      );
    await stage.serve(attack(Date.now()));
    expect(await askAsUtrecht()).toBe(403);
    // Control: signed before the revocation, the same key's signature counts.
    await stage.serve(attack(revokedAt - HOUR));
    expect(await askAsUtrecht()).toBe(200);
  });

  it('(f) a contract whose content changed after signing grants nothing', async () => {
    const widened = structuredClone(genuine);
    (widened.content as unknown as { validity: { not_after: number } }).validity.not_after += 365 * 86_400;
    // The signed hash kept beside the changed content, and the changed content's own hash.
    await stage.serve(withContracts(stage.base, DEMO_OIN.utrecht, [widened]));
    expect(await askAsUtrecht()).toBe(403);
    await stage.serve(withContracts(stage.base, DEMO_OIN.utrecht, [{ ...widened, hash: hashOf(widened.content) }]));
    expect(await askAsUtrecht()).toBe(403);
  });

  it("(g) a delegate without the delegator's signature is refused; with it, the record names the gemeente and the delegate", async () => {
    const delegate = stage.key(DEMO_OIN.sHertogenbosch);
    const delegated = (signers: RawJwk[]) =>
      sameTerms(
        (h) => signers.map((k) => signAs(h, 'accept', k)),
        (content) => {
          const data = content.grants[0].data as Record<string, unknown> & { outway: { peer_id: string } };
          data.type = 'GRANT_TYPE_DELEGATED_SERVICE_CONNECTION';
          data.outway = { peer_id: DEMO_OIN.sHertogenbosch };
          data.delegator = { peer_id: DEMO_OIN.utrecht };
        },
      );
    await stage.serve(withContracts(stage.base, DEMO_OIN.sHertogenbosch, [delegated([delegate, rvig])]));
    expect((await stage.ask(delegate, WMO)).status).toBe(403);
    await stage.serve(withContracts(stage.base, DEMO_OIN.sHertogenbosch, [delegated([delegate, rvig, utrecht])]));
    const res = await stage.ask(delegate, WMO);
    expect(res.status).toBe(200);
    const transaction = res.headers.get('fsc-transaction-id');
    const { openDatabase } = await import('@poortwachter/registry');
    const { db, close } = openDatabase<{ access_log: { record: string; transaction_id: string } }>(
      `sqlite:${join(stage.system.data, 'following-bad-registry.db')}`,
    );
    try {
      const rows = await db
        .selectFrom('access_log')
        .select('record')
        .where('transaction_id', '=', String(transaction))
        .execute();
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        const attributes = (JSON.parse(row.record) as { attributes: Record<string, unknown> }).attributes;
        expect(attributes['dpl.core.foreign_operation.processor']).toBe(DEMO_OIN.utrecht);
        expect(attributes['poortwachter.delegate_oin']).toBe(DEMO_OIN.sHertogenbosch);
        expect(attributes['dpl.core.processing_activity_id']).toBe(WMO);
      }
    } finally {
      await close();
    }
    // Suzanne's timeline (a token from the development identity provider) says the same, in words.
    const token = await fetch(`http://127.0.0.1:${stage.system.ports.idp}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ bsn: '999993653' }),
    });
    const { access_token } = (await token.json()) as { access_token: string };
    const timeline = await fetch(`${stage.inwayUrl}/inzage/v1/verwerkingen?limit=100`, {
      headers: { authorization: `Bearer ${access_token}` },
    });
    const { verwerkingen } = (await timeline.json()) as {
      verwerkingen: { transactieId: string; organisatie: { oin: string }; gevraagdDoor?: { oin: string } }[];
    };
    const line = verwerkingen.find((v) => v.transactieId === transaction);
    expect(line?.organisatie.oin).toBe(DEMO_OIN.utrecht);
    expect(line?.gevraagdDoor?.oin).toBe(DEMO_OIN.sHertogenbosch);
  });

  it('(h) a revoke by either party takes effect within one directory refresh', async () => {
    for (const party of [utrecht, rvig]) {
      await stage.serve(stage.base);
      expect(await askAsUtrecht()).toBe(200);
      const revoked = {
        ...genuine,
        signatures: [...genuine.signatures, signAs(genuine.hash, 'revoke', party, Date.now(), 'test')],
      };
      await stage.serve(withContracts(stage.base, DEMO_OIN.utrecht, [revoked]));
      expect(await askAsUtrecht()).toBe(403);
    }
  });
});
