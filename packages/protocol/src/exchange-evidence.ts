import type { JWK } from 'jose';
import { verifyContentDigest } from './http-signatures/content-digest.ts';
import { HttpSignatureError } from './http-signatures/errors.ts';
import { verifyMessage } from './http-signatures/message-signatures.ts';
import { READ_RESPONSE_COMPONENTS, RESPONSE_COMPONENTS } from './sign-request.ts';

/** The headers of a signed exchange that a verifier needs, never a body (they hold only digests). */
export interface ExchangeEvidence {
  readonly request: {
    readonly method: string;
    readonly target_uri: string;
    /** The signed request's headers: Content-Digest, Fsc-Transaction-Id, Processing-Activity, Signature-Input, Signature, … */
    readonly headers: Readonly<Record<string, string>>;
  };
  readonly response: {
    readonly status: number;
    /** The answer's Content-Digest, Fsc-Transaction-Id, traceparent, Signature-Input and Signature. */
    readonly headers: Readonly<Record<string, string>>;
  };
}

/** The response headers an outway keeps as evidence. */
export const EVIDENCE_RESPONSE_HEADERS = [
  'content-type',
  'content-digest',
  'fsc-transaction-id',
  'traceparent',
  'signature-input',
  'signature',
] as const;

const lookup = (headers: Readonly<Record<string, string>>) => (name: string) =>
  Object.hasOwn(headers, name) ? (headers[name] ?? null) : null;

/**
 * Verifies that the provider signed this answer to this request: the response's RFC 9421 signature
 * covers its status, Content-Digest and transaction id and is bound (`;req`) to the request's own
 * signature. With `body`, also that the body is the one the digest names. `at` is the moment of the
 * exchange in seconds (an outway checks now; an auditor years later checks as of the exchange).
 * Throws an HttpSignatureError naming what failed.
 *
 * @example
 * await verifyExchange(evidence, { publicKeyFor: (kid) => keys.get(kid), at: Math.floor(Date.now() / 1000), body });
 */
export async function verifyExchange(
  evidence: ExchangeEvidence,
  options: {
    readonly publicKeyFor: (keyid: string) => JWK | undefined;
    readonly at: number;
    readonly body?: string;
    /**
     * Accept a refusal (status 400 or more) signed without `;req`: a gateway signs its refusal of a
     * request it could not tie to a signer (a revoked key, say) that way. It carries no data.
     */
    readonly unboundRefusals?: boolean;
  },
): Promise<void> {
  const { request, response } = evidence;
  if (options.body !== undefined) {
    await verifyContentDigest(response.headers['content-digest'] ?? null, options.body);
  }
  const transaction = request.headers['fsc-transaction-id'];
  if (response.headers['fsc-transaction-id'] !== transaction) {
    throw new HttpSignatureError('malformed', 'The answer names another transaction than the request.');
  }
  await verifyMessage(
    { status: response.status, header: lookup(response.headers) },
    {
      requiredComponents:
        options.unboundRefusals && response.status >= 400 ? READ_RESPONSE_COMPONENTS : RESPONSE_COMPONENTS,
      requireExpiresAndNonce: false,
      now: options.at,
      publicKeyFor: options.publicKeyFor,
      request: { method: request.method, targetUri: request.target_uri, header: lookup(request.headers) },
    },
  );
}
