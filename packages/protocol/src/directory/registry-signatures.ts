import { calculateJwkThumbprint, decodeProtectedHeader, flattenedVerify, importJWK, type JWK } from 'jose';
import { DIRECTORY_ALGS } from './types.ts';

/** One signature of a registry JWS: its protected header (encoded and decoded) and the signature. */
interface RegistrySignature {
  readonly protected: string;
  readonly signature: string;
  readonly kid: string | undefined;
  readonly alg: string | undefined;
  readonly typ: string | undefined;
}

/** A registry JWS in either serialization, reduced to its payload and its signatures. */
export interface ParsedRegistryJws {
  readonly payload: string;
  readonly signatures: readonly RegistrySignature[];
}

function signatureOf(encodedHeader: unknown, signature: unknown): RegistrySignature {
  if (typeof encodedHeader !== 'string' || typeof signature !== 'string') throw new Error('signature shape');
  const header = decodeProtectedHeader({ protected: encodedHeader, payload: '', signature: '' });
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return { protected: encodedHeader, signature, kid: text(header.kid), alg: text(header.alg), typ: text(header.typ) };
}

/**
 * Reads a registry JWS: the compact serialization (one signature, what registries have always sent) or
 * the JSON general serialization (RFC 7515 §7.2.1: one payload, a signature per key, sent during a key
 * rotation). Throws on anything else.
 */
export function parseRegistryJws(text: string): ParsedRegistryJws {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    const json = JSON.parse(trimmed) as { payload?: unknown; signatures?: unknown };
    if (typeof json.payload !== 'string' || !Array.isArray(json.signatures) || json.signatures.length === 0) {
      throw new Error('not a JWS in the general JSON serialization');
    }
    const signatures = (json.signatures as { protected?: unknown; signature?: unknown }[]).map((s) =>
      signatureOf(s.protected, s.signature),
    );
    return { payload: json.payload, signatures };
  }
  const parts = trimmed.split('.');
  if (parts.length !== 3) throw new Error('not a compact JWS');
  const [encodedHeader, payload, signature] = parts as [string, string, string];
  return { payload, signatures: [signatureOf(encodedHeader, signature)] };
}

/** Whether `signature` over the JWS payload verifies with `key`; returns the payload bytes if so. */
export async function verifiedPayload(
  jws: ParsedRegistryJws,
  signature: RegistrySignature,
  key: JWK,
): Promise<Uint8Array | undefined> {
  if (!signature.alg || !(DIRECTORY_ALGS as readonly string[]).includes(signature.alg)) return undefined;
  try {
    const verified = await flattenedVerify(
      { protected: signature.protected, payload: jws.payload, signature: signature.signature },
      await importJWK(key, signature.alg),
      { algorithms: [...DIRECTORY_ALGS] },
    );
    return verified.payload;
  } catch {
    return undefined;
  }
}

/** The pinned keys (a JWK or a key set) by RFC 7638 thumbprint, public parts only. */
export async function keysByThumbprint(pinned: JWK | { keys: readonly JWK[] }): Promise<Map<string, JWK>> {
  const keys = 'keys' in pinned && Array.isArray(pinned.keys) ? pinned.keys : [pinned as JWK];
  const byKid = new Map<string, JWK>();
  for (const key of keys) {
    const { d: _d, ...publicPart } = key;
    byKid.set(await calculateJwkThumbprint(publicPart, 'sha256'), publicPart);
  }
  return byKid;
}
