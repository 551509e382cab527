import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { contentDigest, READ_RESPONSE_COMPONENTS, signMessage } from '@poortwachter/protocol';
import { issueCertificate, makeCertificateAuthority } from '@poortwachter/protocol/contracts';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { DOWNLOAD_FORMAT, type DownloadFile } from './own-data.ts';
import { verifyDownload } from './verify-download.ts';

const RVIG = '00000001234567890000';
const ca = makeCertificateAuthority('Test CA');
const anchors = [new X509Certificate(Buffer.from(ca.certificate, 'base64'))];

/** A bronhouder key pair with kid = thumbprint, certified for `oin` by `issuer` from `notBefore`. */
async function bronhouderKey(oin: string, issuer = ca, notBefore = new Date(Date.now() - 60_000)) {
  const { privateKey } = generateKeyPairSync('ed25519');
  const privateJwk = privateKey.export({ format: 'jwk' }) as JWK;
  const publicJwk = { kty: privateJwk.kty, crv: privateJwk.crv, x: privateJwk.x } as JWK;
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  const x5c = [
    issueCertificate({
      issuer,
      subject: { commonName: 'RvIG', organisation: 'Rijksdienst voor Identiteitsgegevens', serialNumber: oin },
      publicJwk,
      notBefore,
    }),
  ];
  return { privateJwk: { ...privateJwk, kid }, sleutel: { ...publicJwk, kid, x5c } };
}

/** A download file with one bron: `body` signed by `key` as a gateway signs a citizen's read. */
async function fileSignedBy(key: Awaited<ReturnType<typeof bronhouderKey>>, body: string): Promise<DownloadFile> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'content-digest': await contentDigest(body),
    'fsc-transaction-id': '01930000-0000-7000-8000-000000000001',
  };
  const signature = await signMessage(
    { status: 200, header: (name) => headers[name] ?? null },
    { components: READ_RESPONSE_COMPONENTS, privateKey: key.privateJwk, created: Math.floor(Date.now() / 1000) },
  );
  return {
    formaat: DOWNLOAD_FORMAT,
    gemaakt: new Date().toISOString(),
    betrokkene: { bsn: '999993653' },
    bronnen: [
      {
        dienst: 'brp-personen',
        bronhouder: { naam: 'RvIG', oin: RVIG },
        url: 'http://127.0.0.1:1/inzage/v1/gegevens',
        antwoord: { status: 200, headers: { ...headers, ...signature }, body },
        sleutel: key.sleutel as DownloadFile['bronnen'][number]['sleutel'],
      },
    ],
  };
}

const BODY = '{"type":"RaadpleegMetBurgerservicenummer","personen":[{"burgerservicenummer":"999993653"}]}';

describe('verifyDownload', () => {
  it('a file as written verifies, anchored, naming the certificate and when it was signed', async () => {
    const file = await fileSignedBy(await bronhouderKey(RVIG), BODY);
    const result = await verifyDownload(`${JSON.stringify(file, null, 2)}\n`, { trustAnchors: anchors });
    expect(result).toMatchObject({ ok: true, anchored: true, findings: [] });
    expect(result.bronnen[0]?.certificaat).toEqual({ naam: 'Rijksdienst voor Identiteitsgegevens', oin: RVIG });
    expect(result.bronnen[0]?.ondertekend).toMatch(/^\d{4}-/);
  });

  it('one character of the body edited: a finding naming the bron', async () => {
    const file = await fileSignedBy(await bronhouderKey(RVIG), BODY);
    const original = JSON.stringify(file);
    // Inside the body (a JSON string in the file), one digit of the BSN.
    const text = original.replace('\\"999993653\\"', '\\"999993654\\"');
    expect(text).not.toBe(original);
    const result = await verifyDownload(text, { trustAnchors: anchors });
    expect(result.ok).toBe(false);
    expect(result.bronnen[0]?.bron).toBe('bronnen[0] (brp-personen, RvIG)');
    expect(result.bronnen[0]?.findings.join()).toMatch(/body is not what the bronhouder signed/);
  });

  it("a signed answer about another person under the file's betrokkene: a finding naming both BSNs", async () => {
    const file = await fileSignedBy(await bronhouderKey(RVIG), BODY.replace('999993653', '999991292'));
    expect((await verifyDownload(JSON.stringify(file), { trustAnchors: anchors })).bronnen[0]?.findings).toEqual([
      'the answer is about BSN 999991292, not about the betrokkene the file names (999993653)',
    ]);
    const renamed = JSON.stringify(await fileSignedBy(await bronhouderKey(RVIG), BODY)).replace(
      '"bsn":"999993653"',
      '"bsn":"999993654"',
    );
    expect((await verifyDownload(renamed, { trustAnchors: anchors })).ok).toBe(false);
  });

  it('the signature edited by one character, or the status: the signature does not verify', async () => {
    const file = await fileSignedBy(await bronhouderKey(RVIG), BODY);
    const signature = file.bronnen[0]?.antwoord.headers.signature ?? '';
    const at = signature.indexOf(':') + 5;
    const flipped = `${signature.slice(0, at)}${signature[at] === 'A' ? 'B' : 'A'}${signature.slice(at + 1)}`;
    const edited = JSON.parse(JSON.stringify(file).replace(signature, flipped)) as DownloadFile;
    const result = await verifyDownload(edited, { trustAnchors: anchors });
    expect(result.bronnen[0]?.findings.join()).toMatch(/signature does not verify/);
    const status = JSON.parse(JSON.stringify(file).replace('"status":200', '"status":201'));
    expect((await verifyDownload(status, { trustAnchors: anchors })).ok).toBe(false);
  });

  it('a key certified by a CA that is not an anchor: not the bronhouder’s key', async () => {
    const other = makeCertificateAuthority('Somebody else');
    const file = await fileSignedBy(await bronhouderKey(RVIG, other), BODY);
    const result = await verifyDownload(file, { trustAnchors: anchors });
    expect(result.ok).toBe(false);
    expect(result.bronnen[0]?.findings.join()).toMatch(/not the bronhouder's .*does not lead to a trust anchor/);
    // Without anchors only the file's own key is checked: it holds, and says it was not anchored.
    expect(await verifyDownload(file)).toMatchObject({ ok: true, anchored: false });
  });

  it("a certificate naming another OIN, or not yet valid at the signature's created: refused", async () => {
    const otherOin = await fileSignedBy(await bronhouderKey('00000009999999999999'), BODY);
    expect((await verifyDownload(otherOin, { trustAnchors: anchors })).bronnen[0]?.findings.join()).toMatch(
      /names serialNumber 00000009999999999999, not the OIN/,
    );
    const later = await fileSignedBy(await bronhouderKey(RVIG, ca, new Date(Date.now() + 86_400_000)), BODY);
    expect((await verifyDownload(later, { trustAnchors: anchors })).bronnen[0]?.findings.join()).toMatch(
      /could not sign at .*not valid then/,
    );
  });

  it('another key put in the file (sleutel swapped): the signature names another keyid', async () => {
    const file = await fileSignedBy(await bronhouderKey(RVIG), BODY);
    const swapped = { ...file, bronnen: [{ ...file.bronnen[0], sleutel: (await bronhouderKey(RVIG)).sleutel }] };
    const result = await verifyDownload(swapped, { trustAnchors: anchors });
    expect(result.bronnen[0]?.findings.join()).toMatch(/is not known/);
  });

  it('not JSON, another format, a member missing: file findings, never a throw', async () => {
    expect((await verifyDownload('{"formaat":')).findings.join()).toMatch(/not JSON/);
    expect((await verifyDownload({ formaat: 'x/1', bronnen: [] })).findings).toEqual([
      `formaat is not ${DOWNLOAD_FORMAT}`,
    ]);
    const file = await fileSignedBy(await bronhouderKey(RVIG), BODY);
    const { antwoord: _, ...withoutAnswer } = file.bronnen[0] as DownloadFile['bronnen'][number];
    expect((await verifyDownload({ ...file, bronnen: [withoutAnswer] })).findings).toEqual([
      'bronnen[0].antwoord is missing',
    ]);
  });
});
