import { randomUUID } from 'node:crypto';
import { CompactSign, calculateJwkThumbprint, compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import { canonicalJson } from '../merkle/hashes.ts';
import {
  type ContractContent,
  ContractError,
  type ContractProperties,
  type GrantType,
  HASH_ALGORITHM,
} from './contract.ts';

/** The JOSE `typ` of a party's signature on a contract. */
export const CONTRACT_SIGNATURE_TYP = 'poortwachter-contract-signature+jws';
/** Algorithms a party may sign with: its organisation key's (Ed25519, or P-256). */
export const CONTRACT_SIGNATURE_ALGS = ['EdDSA', 'ES256'] as const;

export const CONTRACT_SIGNATURE_TYPES = ['accept', 'reject', 'revoke'] as const;
export type ContractSignatureType = (typeof CONTRACT_SIGNATURE_TYPES)[number];

/** A signature's payload, as FSC's (`contract_content_hash`, `type`, `signed_at`), with the party's reason. */
export interface ContractSignaturePayload {
  readonly contract_content_hash: string;
  readonly type: ContractSignatureType;
  /** Unix seconds. */
  readonly signed_at: number;
  /** With a reject or revoke: the party's words, signed with it. */
  readonly reason?: string;
}

const algOf = (jwk: JWK) => (jwk.kty === 'OKP' ? 'EdDSA' : 'ES256');

/**
 * Signs a contract's hash as a party: a compact JWS whose `kid` is the key's RFC 7638 thumbprint (the
 * kid the directory lists the key under).
 *
 * @example
 * const jws = await signContract(contentHash(content), 'accept', utrechtPrivateJwk);
 */
export async function signContract(
  hash: string,
  type: ContractSignatureType,
  privateJwk: JWK,
  options: { signedAt?: Date; reason?: string } = {},
): Promise<string> {
  const { d: _d, ...publicPart } = privateJwk;
  const kid = await calculateJwkThumbprint(publicPart as JWK, 'sha256');
  const payload: ContractSignaturePayload = {
    contract_content_hash: hash,
    type,
    signed_at: Math.floor((options.signedAt ?? new Date()).getTime() / 1000),
    ...(options.reason ? { reason: options.reason } : {}),
  };
  const alg = algOf(privateJwk);
  return new CompactSign(new TextEncoder().encode(canonicalJson(payload)))
    .setProtectedHeader({ alg, kid, typ: CONTRACT_SIGNATURE_TYP })
    .sign(await importJWK(privateJwk, alg));
}

/** A signature read without verifying it: its key id and claimed payload (to find the key). */
export interface ReadSignature {
  readonly kid: string;
  readonly payload: ContractSignaturePayload;
}

/** Reads a signature's header and payload; throws a ContractError (member `signature`) when it is no contract signature. */
export function readContractSignature(jws: string): ReadSignature {
  const fail = (why: string): never => {
    throw new ContractError('signature', `The signature ${why}.`);
  };
  if (typeof jws !== 'string' || jws.length > 4096 || jws.split('.').length !== 3) fail('is not a compact JWS');
  let header: ReturnType<typeof decodeProtectedHeader>;
  let payload: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(jws);
    payload = JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return fail('is not a JWS with a JSON payload');
  }
  if (header.typ !== CONTRACT_SIGNATURE_TYP) fail(`has typ ${String(header.typ)}, not ${CONTRACT_SIGNATURE_TYP}`);
  if (typeof header.kid !== 'string') fail('names no key (kid)');
  if (!(CONTRACT_SIGNATURE_ALGS as readonly string[]).includes(String(header.alg))) fail(`uses ${String(header.alg)}`);
  if (typeof payload.contract_content_hash !== 'string') fail('names no contract_content_hash');
  if (!(CONTRACT_SIGNATURE_TYPES as readonly string[]).includes(payload.type as string))
    fail(`has type ${String(payload.type)}, not accept, reject or revoke`);
  if (!Number.isSafeInteger(payload.signed_at)) fail('has no signed_at (Unix seconds)');
  if (payload.reason !== undefined && (typeof payload.reason !== 'string' || payload.reason.length > 1000))
    fail('has a reason that is not a text of at most 1000 characters');
  return { kid: header.kid as string, payload: payload as unknown as ContractSignaturePayload };
}

/** Whether the JWS verifies with `jwk` (the signature bytes only; what it says is checked by contractStatus). */
export async function contractSignatureVerifies(jws: string, jwk: JWK): Promise<boolean> {
  try {
    const alg = String(decodeProtectedHeader(jws).alg);
    if (alg !== algOf(jwk)) return false;
    await compactVerify(jws, await importJWK(jwk, alg), { algorithms: [...CONTRACT_SIGNATURE_ALGS] });
    return true;
  } catch {
    return false;
  }
}

/** The terms of a contract in the registry's words, for `newContractContent`. */
export interface ContractTerms {
  readonly afnemerOin: string;
  readonly serviceId: string;
  readonly bronhouderOin: string;
  readonly processingActivityId: string;
  readonly processingActivityVersion: number;
  readonly grondslagId: string;
  readonly fields: readonly string[];
  readonly searchTypes?: readonly string[];
  readonly quota?: ContractProperties['quota'];
  /** For a delegated grant: the organisation the afnemer (the delegate) calls for. */
  readonly delegatorOin?: string;
  readonly validFrom: Date;
  readonly validTo: Date;
  readonly groupId: string;
  readonly createdAt?: Date;
}

const unix = (d: Date) => Math.floor(d.getTime() / 1000);

/** New contract content for `terms`, with a fresh `iv`. */
export function newContractContent(terms: ContractTerms): ContractContent {
  const type: GrantType = terms.delegatorOin
    ? 'GRANT_TYPE_DELEGATED_SERVICE_CONNECTION'
    : 'GRANT_TYPE_SERVICE_CONNECTION';
  return {
    iv: randomUUID(),
    group_id: terms.groupId,
    validity: { not_before: unix(terms.validFrom), not_after: unix(terms.validTo) },
    grants: [
      {
        data: {
          type,
          service: { peer_id: terms.bronhouderOin, name: terms.serviceId },
          outway: { peer_id: terms.afnemerOin },
          ...(terms.delegatorOin ? { delegator: { peer_id: terms.delegatorOin } } : {}),
          properties: {
            processing_activity_id: terms.processingActivityId,
            processing_activity_version: terms.processingActivityVersion,
            grondslag_id: terms.grondslagId,
            fields: [...terms.fields],
            search_types: [...(terms.searchTypes ?? [])],
            ...(terms.quota ? { quota: terms.quota } : {}),
          },
        },
      },
    ],
    hash_algorithm: HASH_ALGORITHM,
    created_at: unix(terms.createdAt ?? new Date()),
  };
}
