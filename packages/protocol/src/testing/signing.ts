import { generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { MessageView } from '../http-signatures/message-view.ts';

/** A message as the signature functions see it, from plain headers (tests of signing and verifying). */
export const messageView = (init: {
  method?: string;
  targetUri?: string;
  status?: number;
  headers: Record<string, string>;
}) => {
  const headers = new Headers(init.headers);
  return { ...init, header: (name: string) => headers.get(name) } satisfies MessageView;
};

/** A fresh Ed25519 key pair as JWKs, each with its RFC 7638 thumbprint as `kid`. */
export async function ed25519KeyPair(): Promise<{ privateKey: JWK; publicKey: JWK }> {
  const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) as JWK;
  const { d: _d, ...publicKey } = jwk;
  const kid = await calculateJwkThumbprint(publicKey);
  return { privateKey: { ...jwk, kid }, publicKey: { ...publicKey, kid } };
}
