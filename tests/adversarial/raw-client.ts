/**
 * An independent client for the adversarial suite: RFC 9421 signatures and RFC 9530 digests made
 * here with node:crypto alone, from the RFCs' text, without the project's sdk, so that what the
 * gateway accepts is checked against the standard and not against our own implementation of it.
 */
import { createHash, createPrivateKey, randomBytes, randomUUID, sign } from 'node:crypto';

export interface RawJwk {
  readonly kty: string;
  readonly crv?: string;
  readonly kid?: string;
  readonly [member: string]: unknown;
}

/** RFC 9530: `sha-256=:<base64 of SHA-256 of the body>:`. */
export const contentDigest = (body: string | Uint8Array) =>
  `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;

/** A UUIDv7 (RFC 9562): 48 bits of milliseconds, version 7, variant 10. */
export function uuidv7(ms = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export interface RawRequest {
  readonly method: 'GET' | 'POST';
  /** The URL as the gateway publishes it (its public base in the directory) plus path and query. */
  readonly targetUri: string;
  readonly body?: string;
  readonly key: RawJwk;
  /** Omit for the log's read API (no personal data is asked for). */
  readonly processingActivity?: string;
  readonly created?: number;
  readonly expires?: number;
  readonly nonce?: string;
  /** Extra headers, sent but not signed (they may override the signed ones: that is the point of some tests). */
  readonly headers?: Record<string, string>;
}

/** Signs a request as RFC 9421 §2.5 and §3.1 describe, label `sig1`; returns the headers to send. */
export function signRaw(request: RawRequest): Record<string, string> {
  const body = request.body ?? '';
  const created = request.created ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-digest': contentDigest(body),
    'fsc-transaction-id': uuidv7(),
    ...(request.method === 'POST' ? { 'content-type': 'application/json' } : {}),
    ...(request.processingActivity ? { 'processing-activity': request.processingActivity } : {}),
  };
  const components = ['@method', '@target-uri', 'content-digest', 'fsc-transaction-id'];
  if (request.processingActivity) components.push('processing-activity');
  const ed25519 = request.key.kty === 'OKP';
  const params =
    `(${components.map((c) => `"${c}"`).join(' ')});created=${created};expires=${request.expires ?? created + 60}` +
    `;nonce="${request.nonce ?? randomBytes(16).toString('base64url')}";keyid="${String(request.key.kid)}"` +
    `;alg="${ed25519 ? 'ed25519' : 'ecdsa-p256-sha256'}"`;
  const lines = components.map((c) => {
    if (c === '@method') return `"@method": ${request.method}`;
    if (c === '@target-uri') return `"@target-uri": ${request.targetUri}`;
    return `"${c}": ${headers[c]}`;
  });
  const base = [...lines, `"@signature-params": ${params}`].join('\n');
  const key = createPrivateKey({ key: request.key as never, format: 'jwk' });
  const signature = ed25519
    ? sign(null, Buffer.from(base), key)
    : sign('sha256', Buffer.from(base), { key, dsaEncoding: 'ieee-p1363' });
  return {
    ...headers,
    'signature-input': `sig1=${params}`,
    signature: `sig1=:${signature.toString('base64')}:`,
    ...request.headers,
  };
}

/** Sends a raw signed request over HTTP to `origin` (where the gateway really listens). */
export async function sendRaw(origin: string, request: RawRequest): Promise<Response> {
  const url = new URL(request.targetUri);
  return fetch(`${origin}${url.pathname}${url.search}`, {
    method: request.method,
    headers: signRaw(request),
    ...(request.method === 'POST' ? { body: request.body ?? '' } : {}),
  });
}

export { randomUUID };
