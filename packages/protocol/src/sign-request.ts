import type { JWK } from 'jose';
import { contentDigest } from './http-signatures/content-digest.ts';
import { signMessageWithBase } from './http-signatures/message-signatures.ts';
import { newNonce, uuidv7 } from './ids.ts';

/** The components every request to a poortwachter gateway covers (DESIGN.md, "The wire protocol"). */
export const REQUEST_COMPONENTS = [
  '@method',
  '@target-uri',
  'content-digest',
  'fsc-transaction-id',
  'processing-activity',
];
export const RESPONSE_COMPONENTS = ['@status', 'content-digest', 'fsc-transaction-id', '"signature";key="sig1";req'];
/** What the gateway's signature covers on an answer to an unsigned request (a citizen's, with a token). */
export const READ_RESPONSE_COMPONENTS = ['@status', 'content-digest', 'fsc-transaction-id'];

export interface SignRequestOptions {
  readonly url: string;
  readonly body: string;
  /** The afnemer's private key; its `kid` (RFC 7638 thumbprint) is the registered key id. */
  readonly privateKey: JWK;
  /** The verwerkingsactiviteit (required for queries of personal data; reads of the log go without). */
  readonly processingActivity?: string;
  readonly transactionId?: string;
  readonly traceparent?: string;
  readonly method?: string;
  /** Seconds since the epoch (default now). */
  readonly created?: number;
  /** How long the signature is valid, in seconds (default 60, at most 300). */
  readonly validitySeconds?: number;
  readonly nonce?: string;
}

export interface SignedRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  /**
   * `sha-256=:…:` of the RFC 9421 signature base that was signed: what the gateway stores as the
   * record's `poortwachter.request_digest`, so both sides of an exchange name it the same way.
   */
  readonly requestDigest: string;
}

/**
 * Builds a signed request to a gateway: Content-Digest (RFC 9530), Fsc-Transaction-Id (UUIDv7),
 * Processing-Activity, and an RFC 9421 signature `sig1` with created, expires, nonce, keyid and alg.
 *
 * @example
 * const request = await signRequest({ url: 'http://localhost:8302/personen', body, privateKey, processingActivity });
 * await fetch(request.url, request);
 */
export async function signRequest(options: SignRequestOptions): Promise<SignedRequest> {
  const method = options.method ?? 'POST';
  const created = options.created ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json',
    'content-digest': await contentDigest(options.body),
    'fsc-transaction-id': options.transactionId ?? uuidv7(),
    ...(options.processingActivity ? { 'processing-activity': options.processingActivity } : {}),
    ...(options.traceparent ? { traceparent: options.traceparent } : {}),
  };
  const { headers: signature, base } = await signMessageWithBase(
    {
      method,
      targetUri: options.url,
      header: (name) => (Object.hasOwn(headers, name) ? (headers[name] ?? null) : null),
    },
    {
      components: options.processingActivity
        ? REQUEST_COMPONENTS
        : REQUEST_COMPONENTS.filter((c) => c !== 'processing-activity'),
      privateKey: options.privateKey,
      created,
      expires: created + (options.validitySeconds ?? 60),
      nonce: options.nonce ?? newNonce(),
    },
  );
  return {
    url: options.url,
    method,
    headers: { ...headers, ...signature },
    body: options.body,
    requestDigest: await contentDigest(base),
  };
}
