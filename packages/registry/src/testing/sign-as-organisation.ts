import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signRequest } from '@poortwachter/protocol';
import type { JWK } from 'jose';
import { certifyDemoKey, loadOrCreateDemoCa } from '../server/demo-certificates.ts';
import { generatePrivateJwk, publicJwkOf } from '../server/key-files.ts';

/** A request to the registry signed as an organisation: pass to `fetch(url, init)` or `app.request(url, init)`. */
export interface OrganisationRequest {
  readonly url: string;
  readonly init: { method: string; headers: Record<string, string>; body?: string };
}

/**
 * Signs a change request to the registry as an organisation, exactly as the gateway protocol signs a
 * request (`signRequest`: Content-Digest, Fsc-Transaction-Id, RFC 9421 `sig1` with nonce), without a
 * verwerkingsactiviteit. The one helper every test uses to act as an organisation on the registry.
 *
 * @example
 * const { url, init } = await signAsOrganisation({ registryUrl, method: 'PUT', path: `/v1/organisations/${oin}`, body, privateKey });
 * await fetch(url, init);
 */
export async function signAsOrganisation(options: {
  readonly registryUrl: string;
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
  readonly privateKey: JWK;
  readonly created?: number;
  readonly nonce?: string;
}): Promise<OrganisationRequest> {
  const url = `${options.registryUrl.replace(/\/+$/, '')}${options.path}`;
  const body = options.body === undefined ? '' : JSON.stringify(options.body);
  const signed = await signRequest({
    url,
    body,
    method: options.method,
    privateKey: options.privateKey,
    ...(options.created === undefined ? {} : { created: options.created }),
    ...(options.nonce === undefined ? {} : { nonce: options.nonce }),
  });
  return { url, init: { method: signed.method, headers: signed.headers, ...(body === '' ? {} : { body }) } };
}

/** A demo organisation's private key as the demo seed wrote it (`<keyDir>/<OIN>.jwk.json`). */
export const demoPrivateKey = (keyDir: string, oin: string): JWK =>
  JSON.parse(readFileSync(join(keyDir, `${oin}.jwk.json`), 'utf8')) as JWK;

/**
 * A certificate from the demo CA in `keyDir` (the test registry's trust anchor) for `privateKey`'s public
 * key, naming `organisation`'s OIN in serialNumber: base64 DER, the `x5c` leaf.
 */
export async function demoCertificate(
  keyDir: string,
  organisation: { readonly oin: string; readonly name: string },
  privateKey: JWK,
): Promise<string> {
  const ca = await loadOrCreateDemoCa(keyDir, new Date());
  return certifyDemoKey(ca, organisation, privateKey, new Date(Date.now() - 60_000));
}

/**
 * A new key for an organisation with a certificate from the demo CA in `keyDir` (the test registry's
 * trust anchor) naming its OIN: the private key to sign with, and the key as the registry takes it.
 */
export async function certifiedKey(
  keyDir: string,
  organisation: { readonly oin: string; readonly name: string },
  type: 'Ed25519' | 'P-256' = 'Ed25519',
): Promise<{ privateKey: JWK; key: { jwk: Record<string, unknown>; x5c: string[] } }> {
  const privateKey = await generatePrivateJwk(type);
  const x5c = [await demoCertificate(keyDir, organisation, privateKey)];
  return { privateKey, key: { jwk: publicJwkOf(privateKey) as Record<string, unknown>, x5c } };
}
