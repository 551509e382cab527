import { X509Certificate } from 'node:crypto';
import type { Organisation } from '@poortwachter/protocol';
import {
  HttpSignatureError,
  READ_RESPONSE_COMPONENTS,
  verifyContentDigest,
  verifyMessage,
} from '@poortwachter/protocol';
import { anchoredKeys } from '@poortwachter/protocol/contracts';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { DOWNLOAD_FORMAT, type DownloadFile, SIGNED_ANSWER_HEADERS, type SigningKey } from './own-data.ts';

/** What `verifyDownload` found about one bron of the file. */
export interface BronVerification {
  /** The bron's place in the file and its own words for it (`bronnen[0] (brp-personen, RvIG)`). */
  readonly bron: string;
  readonly dienst: string;
  readonly bronhouderOin: string;
  /** The signature's `created`, when the signature verified (ISO 8601). */
  readonly ondertekend?: string;
  /** With trust anchors, when the key is anchored: the organisation its certificate names (not the file's own words). */
  readonly certificaat?: { readonly naam: string; readonly oin: string };
  /** Empty when everything checked holds. */
  readonly findings: readonly string[];
}

/** The outcome of `verifyDownload`: `ok` when the file is well formed and every bron verified. */
export interface DownloadVerification {
  readonly ok: boolean;
  /** Whether the keys were checked against trust anchors (without, a signature proves only that the file's own key made it). */
  readonly anchored: boolean;
  /** Problems of the file as a whole (not JSON, another format, a member missing). */
  readonly findings: readonly string[];
  readonly bronnen: readonly BronVerification[];
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string';

/** The problems of a bron's shape, each naming its member; none when it can be verified. */
function shapeProblems(bron: unknown, at: string): string[] {
  if (!isObject(bron)) return [`${at} is not an object`];
  const problems: string[] = [];
  if (!isText(bron.dienst)) problems.push(`${at}.dienst is missing`);
  if (!isObject(bron.bronhouder) || !isText(bron.bronhouder.oin)) problems.push(`${at}.bronhouder.oin is missing`);
  const antwoord = bron.antwoord;
  if (!isObject(antwoord)) problems.push(`${at}.antwoord is missing`);
  else {
    if (!Number.isInteger(antwoord.status)) problems.push(`${at}.antwoord.status is not a number`);
    if (!isText(antwoord.body)) problems.push(`${at}.antwoord.body is not text`);
    if (!isObject(antwoord.headers)) problems.push(`${at}.antwoord.headers is missing`);
    else {
      for (const [name, value] of Object.entries(antwoord.headers)) {
        if (!(SIGNED_ANSWER_HEADERS as readonly string[]).includes(name) || !isText(value))
          problems.push(`${at}.antwoord.headers.${name} is not one of the signed answer's headers`);
      }
    }
  }
  if (!isObject(bron.sleutel) || !isText(bron.sleutel.kid)) problems.push(`${at}.sleutel is not a key with a kid`);
  return problems;
}

/** Checks one bron: the body against its digest, the signature with `sleutel`, and with anchors the key itself. */
async function verifyBron(
  bron: DownloadFile['bronnen'][number],
  at: string,
  anchors: readonly X509Certificate[] | undefined,
  bsn: string | undefined,
): Promise<BronVerification> {
  const findings: string[] = [];
  const { antwoord, sleutel } = bron;
  const header = (name: string) =>
    Object.hasOwn(antwoord.headers, name) ? (antwoord.headers[name as keyof typeof antwoord.headers] ?? null) : null;
  try {
    await verifyContentDigest(header('content-digest'), antwoord.body);
  } catch (error) {
    findings.push(`the body is not what the bronhouder signed (${reason(error)})`);
  }
  // The file's `betrokkene` is not signed, but an answer that names persons must be about that one.
  for (const other of personsOf(antwoord.body).filter((p) => p !== bsn))
    findings.push(`the answer is about BSN ${other}, not about the betrokkene the file names (${bsn ?? 'none'})`);
  const jwk = publicPart(sleutel);
  const thumbprint = await calculateJwkThumbprint(jwk as JWK, 'sha256').catch(() => undefined);
  if (thumbprint !== sleutel.kid) findings.push('the key (sleutel) is not the one its kid names');
  let created: number | undefined;
  let certificaat: BronVerification['certificaat'];
  try {
    const verified = await verifyMessage(
      { status: antwoord.status, header },
      {
        requiredComponents: READ_RESPONSE_COMPONENTS,
        requireExpiresAndNonce: false,
        now: Math.floor(Date.now() / 1000),
        // A stored answer is checked as of its signing: its age is no reason to doubt it (the key's
        // window, with anchors, is what decides whether it could sign then).
        maxValiditySeconds: Number.MAX_SAFE_INTEGER,
        publicKeyFor: (keyid) => (keyid === sleutel.kid ? ({ ...jwk, kid: sleutel.kid } as JWK) : undefined),
      },
    );
    created = verified.params.created;
  } catch (error) {
    findings.push(`the bronhouder's signature does not verify (${reason(error)})`);
  }
  if (anchors && created !== undefined) {
    const organisation: Organisation = {
      oin: bron.bronhouder.oin,
      name: bron.bronhouder.naam,
      kind: 'overig',
      roles: ['bronhouder'],
      // The file holds no registry record of the key: its certificate chain alone gives its window.
      keys: [
        {
          kid: sleutel.kid,
          jwk: { ...jwk, kid: sleutel.kid } as SigningKey,
          status: 'active',
          revokedAt: null,
          validFrom: new Date(0).toISOString(),
          validTo: null,
          ...(sleutel.x5c ? { x5c: sleutel.x5c } : {}),
        },
      ],
      revokedAt: null,
    };
    const { byKid, refused } = await anchoredKeys([organisation], anchors);
    const anchored = byKid.get(sleutel.kid);
    if (!anchored) {
      const why = refused.find((r) => r.kid === sleutel.kid)?.why ?? 'it is not anchored';
      findings.push(`the key is not the bronhouder's (OIN ${bron.bronhouder.oin}): ${why}`);
    } else if (created * 1000 < anchored.from || created * 1000 >= anchored.to) {
      findings.push(
        `the key could not sign at ${new Date(created * 1000).toISOString()}: its certificate was not valid then`,
      );
    } else {
      certificaat = { naam: certificateName(sleutel.x5c?.[0]), oin: anchored.oin };
    }
  }
  return {
    bron: `${at} (${bron.dienst}, ${bron.bronhouder.naam ?? bron.bronhouder.oin})`,
    dienst: bron.dienst,
    bronhouderOin: bron.bronhouder.oin,
    ...(created !== undefined && findings.length === 0 ? { ondertekend: new Date(created * 1000).toISOString() } : {}),
    ...(certificaat && findings.length === 0 ? { certificaat } : {}),
    findings,
  };
}

/** The organisation (O, else CN) a certificate's subject names. */
function certificateName(der: string | undefined): string {
  if (der === undefined) return '';
  const subject = new X509Certificate(Buffer.from(der, 'base64')).subject.split('\n');
  const of = (attribute: string) =>
    subject.find((line) => line.startsWith(`${attribute}=`))?.slice(attribute.length + 1);
  return of('O') ?? of('CN') ?? '';
}

/** The public members of a JWK (a file could carry a `d`; it is never used). */
function publicPart(key: SigningKey): Record<string, unknown> {
  const { kty, crv, x, y } = key as unknown as Record<string, unknown>;
  return { kty, crv, x, ...(y === undefined ? {} : { y }) };
}

const reason = (error: unknown) =>
  error instanceof HttpSignatureError || error instanceof Error ? error.message : String(error);

/**
 * Verifies a download file (`poortwachter-gegevens/1`) offline, per bron: the body against its
 * Content-Digest, the bronhouder's RFC 9421 signature over the stored components with the file's key
 * (`sleutel`, whose kid must be its thumbprint and the signature's keyid), and with `trustAnchors`
 * that the key's certificate chain leads to an anchor, names the bronhouder's OIN and was valid when
 * the answer was signed. A file edited by one character fails with a finding naming the bron.
 * Node only (X.509 from node:crypto).
 *
 * @example
 * const result = await verifyDownload(readFileSync('mijn-gegevens.json', 'utf8'), { trustAnchors });
 * if (!result.ok) for (const b of result.bronnen) console.log(b.bron, b.findings);
 */
export async function verifyDownload(
  file: string | unknown,
  options: { readonly trustAnchors?: readonly X509Certificate[] } = {},
): Promise<DownloadVerification> {
  const anchored = options.trustAnchors !== undefined;
  const refuse = (finding: string): DownloadVerification => ({ ok: false, anchored, findings: [finding], bronnen: [] });
  let value: unknown = file;
  if (typeof file === 'string') {
    try {
      value = JSON.parse(file);
    } catch (error) {
      return refuse(`the file is not JSON (${reason(error)})`);
    }
  }
  if (!isObject(value)) return refuse('the file is not a JSON object');
  if (value.formaat !== DOWNLOAD_FORMAT) return refuse(`formaat is not ${DOWNLOAD_FORMAT}`);
  if (!Array.isArray(value.bronnen) || value.bronnen.length === 0) return refuse('bronnen holds no bron');
  const findings = value.bronnen.flatMap((bron, i) => shapeProblems(bron, `bronnen[${i}]`));
  if (findings.length > 0) return { ok: false, anchored, findings, bronnen: [] };
  const bronnen = await Promise.all(
    (value.bronnen as DownloadFile['bronnen']).map((bron, i) =>
      verifyBron(bron, `bronnen[${i}]`, options.trustAnchors, betrokkeneBsn(value)),
    ),
  );
  return { ok: bronnen.every((b) => b.findings.length === 0), anchored, findings: [], bronnen };
}

/** The BSNs of the persons a BRP answer (`{personen: [{burgerservicenummer}]}`) is about; none for another API. */
function personsOf(body: string): string[] {
  try {
    const personen = (JSON.parse(body) as { personen?: unknown }).personen;
    if (!Array.isArray(personen)) return [];
    return personen.flatMap((p) => {
      const bsn = (p as { burgerservicenummer?: unknown } | null)?.burgerservicenummer;
      return typeof bsn === 'string' ? [bsn] : [];
    });
  } catch {
    return [];
  }
}

/** The BSN the file says it is about (`betrokkene.bsn`), if it says one. */
function betrokkeneBsn(file: Record<string, unknown>): string | undefined {
  const bsn = (file.betrokkene as { bsn?: unknown } | undefined)?.bsn;
  return typeof bsn === 'string' ? bsn : undefined;
}
