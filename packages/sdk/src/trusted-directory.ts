import type { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseTrustAnchors, trustDirectory } from '@poortwachter/protocol/contracts';
import type { DirectoryTrust } from './directory-client.ts';
import { SdkError } from './sdk-error.ts';

/**
 * The trust step for a Node client (`fetchDirectory({ …, trust: trustedBy(anchors) })`): organisations
 * keep only keys anchored in `anchors`, and autorisaties come only from contracts their parties signed
 * with those keys, evaluated at the moment of the fetch. Node only (X.509 from node:crypto).
 *
 * @example
 * const directory = await fetchDirectory({ registryUrl, registryKey, trust: trustedBy(readTrustAnchorsFile(file)) });
 */
export function trustedBy(anchors: readonly X509Certificate[]): DirectoryTrust {
  return async (snapshot) => (await trustDirectory(snapshot, anchors, { now: new Date() })).snapshot;
}

/** The certificates of a PEM bundle file (the trust anchors); an SdkError naming the file when it holds none. */
export function readTrustAnchorsFile(file: string): X509Certificate[] {
  try {
    return parseTrustAnchors(readFileSync(file, 'utf8'));
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new SdkError('configuration', `The trust anchors file ${file} cannot be used: ${why}`, undefined, { cause });
  }
}
