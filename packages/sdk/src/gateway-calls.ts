import type { DirectorySnapshot, Organisation, ProblemDetails, Service } from '@poortwachter/protocol';
import {
  HttpSignatureError,
  READ_RESPONSE_COMPONENTS,
  RESPONSE_COMPONENTS,
  type SignedRequest,
  signRequest,
  type VerifiedSignature,
  verifyContentDigest,
  verifyMessage,
} from '@poortwachter/protocol';
import type { JWK } from 'jose';
import type { CallDefaults } from './call-control.ts';
import { type DirectoryTrust, directoryWith } from './directory-client.ts';
import { isSdkError, SdkError } from './sdk-error.ts';

/**
 * How a client gets its verified directory (given, or fetched with the pinned registry key), and the
 * `fetch` and default `timeoutMs` of all its calls.
 */
export interface DirectorySource extends CallDefaults {
  readonly directory?: DirectorySnapshot;
  readonly registryUrl?: string;
  readonly registryKey?: JWK | { keys: JWK[] };
  /** The trust step after verification (Node: `trustedBy(anchors)`; see `FetchDirectoryOptions.trust`). */
  readonly trust?: DirectoryTrust;
}

/**
 * Returns a function that fetches and verifies the directory once (with the `fetch` of the call that
 * needs it first), then keeps it.
 */
export function directoryLoader(
  source: DirectorySource,
): (fetch: typeof globalThis.fetch) => Promise<DirectorySnapshot> {
  let directory = source.directory;
  return async (fetchImpl) => {
    if (directory) return directory;
    if (!source.registryUrl || !source.registryKey) {
      throw new SdkError('configuration', 'Give a directory, or a registryUrl with the pinned registryKey.');
    }
    directory = await directoryWith(fetchImpl, {
      registryUrl: source.registryUrl,
      registryKey: source.registryKey,
      ...(source.trust ? { trust: source.trust } : {}),
    });
    return directory;
  };
}

/** The services whose gateways a citizen or auditor asks: every one in the directory that is not revoked. */
export const activeServices = (snapshot: DirectorySnapshot): Service[] =>
  snapshot.services.filter((s) => s.revokedAt === null);

export const providerOf = (snapshot: DirectorySnapshot, service: Service): Organisation | undefined =>
  snapshot.organisations.find((o) => o.oin === service.providerOin);

export const gatewayBase = (service: Service) => service.gatewayUrl.replace(/\/+$/, '');

/**
 * Verifies a gateway's answer: its Content-Digest and the provider's RFC 9421 signature (bound to
 * `request` when the request was signed), against the provider's active keys in the directory.
 * Returns the verified signature (its `keyid` names the provider's key that made it).
 */
export async function verifyGatewayResponse(
  res: Response,
  body: string,
  provider: Organisation | undefined,
  request?: SignedRequest,
): Promise<VerifiedSignature> {
  try {
    await verifyContentDigest(res.headers.get('content-digest'), body);
    return await verifyMessage(
      { status: res.status, header: (name) => res.headers.get(name) },
      {
        // A refusal of a request the gateway could not tie to its signer is signed without `;req`:
        // it carries no data, and its problem is what the caller needs to see.
        requiredComponents: request && res.ok ? RESPONSE_COMPONENTS : READ_RESPONSE_COMPONENTS,
        requireExpiresAndNonce: false,
        now: Math.floor(Date.now() / 1000),
        publicKeyFor: (keyid) => provider?.keys.find((k) => k.kid === keyid && k.status === 'active')?.jwk,
        ...(request
          ? {
              request: {
                header: (name: string) =>
                  Object.hasOwn(request.headers, name) ? (request.headers[name] ?? null) : null,
              },
            }
          : {}),
      },
    );
  } catch (cause) {
    const reason = cause instanceof HttpSignatureError ? cause.message : String(cause);
    throw new SdkError(
      'responseUnverified',
      `The response is not signed by ${provider?.name ?? 'the provider'}: ${reason}`,
      undefined,
      { cause },
    );
  }
}

/** A gateway that could not give its part of an answer gathered from every gateway: the answer says so. */
export interface MissingGateway {
  readonly service: string;
  readonly gateway: string;
  readonly reason: string;
}

/**
 * Why a gateway is missing from a citizen's answer gathered from every gateway (a timeline, their
 * meldingen): it did not answer, or not with a verified signature. A refusal of the citizen's token
 * (401/403) concerns every gateway alike and is thrown, so the caller sees it.
 */
export function missingGateway(service: Service, error: unknown): MissingGateway {
  if (error instanceof SdkError && ['authentication', 'unauthorized'].includes(error.code)) throw error;
  const reason =
    error instanceof SdkError && error.code === 'network'
      ? 'the gateway cannot be reached'
      : error instanceof Error
        ? error.message
        : String(error);
  return { service: service.id, gateway: service.gatewayUrl, reason };
}

/** Throws the problem of a refused answer as an SdkError naming the code and every invalid parameter. */
export function throwProblem(res: Response, text: string): never {
  let problem: ProblemDetails | undefined;
  try {
    problem = JSON.parse(text) as ProblemDetails;
  } catch {
    problem = undefined;
  }
  const names = problem?.invalidParams?.map((p) => `${p.name}: ${p.reason}`).join('; ');
  throw new SdkError(
    problem?.code ?? `http${res.status}`,
    `${problem?.title ?? `HTTP ${res.status}`}${problem?.detail ? ` ${problem.detail}` : ''}${names ? ` (${names})` : ''}`,
    problem,
  );
}

/** Fetches from a gateway; a failure to connect becomes an SdkError `network` naming the gateway. */
export async function gatewayFetch(
  fetchImpl: typeof globalThis.fetch,
  url: string,
  init: RequestInit,
  gateway: string,
): Promise<Response> {
  try {
    return await fetchImpl(url, init);
  } catch (cause) {
    if (isSdkError(cause)) throw cause; // a timeout, naming the call
    throw new SdkError('network', `The gateway at ${gateway} cannot be reached.`, undefined, { cause });
  }
}

/**
 * Reads a gateway's answer: verifies the provider's signature (bound to `request` when it was signed)
 * whenever the answer is signed or a success, throws a refusal as an SdkError with its problem, and
 * returns the JSON.
 */
export async function readVerified<T>(
  res: Response,
  provider: Organisation | undefined,
  request?: SignedRequest,
): Promise<T> {
  return JSON.parse((await readVerifiedText(res, provider, request)).text) as T;
}

/**
 * `readVerified`, giving the answer's exact text and the verified signature instead of the JSON: for
 * a caller that keeps the signed answer itself (the citizen's download).
 */
export async function readVerifiedText(
  res: Response,
  provider: Organisation | undefined,
  request?: SignedRequest,
): Promise<{ text: string; signature: VerifiedSignature }> {
  const text = await res.text();
  const signature =
    res.headers.has('signature') || res.ok ? await verifyGatewayResponse(res, text, provider, request) : undefined;
  if (!res.ok || !signature) throwProblem(res, text);
  return { text, signature };
}

/** A signed call to a gateway: where, how, and for a query of personal data its verwerkingsactiviteit. */
export interface GatewayCallTarget {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  /** Sent as JSON; none for a GET. */
  readonly body?: unknown;
  /** The verwerkingsactiviteit of a query; a read of the log goes without. */
  readonly processingActivity?: string;
  readonly transactionId?: string;
  readonly traceparent?: string;
}

/**
 * Sends a signed request to a gateway, verifies the provider's signature on the answer (bound to the
 * request) and returns its JSON, with the response and the request as sent; a refusal is thrown as
 * an SdkError. Every signed call of the sdk (a query of any service, a read of a log) goes through it.
 */
export async function signedGatewayCall<T>(
  fetchImpl: typeof globalThis.fetch,
  target: GatewayCallTarget,
  privateKey: JWK,
  provider: Organisation | undefined,
): Promise<{ body: T; res: Response; request: SignedRequest }> {
  const request = await signRequest({
    url: target.url,
    method: target.method,
    body: target.body === undefined ? '' : JSON.stringify(target.body),
    privateKey,
    ...(target.processingActivity ? { processingActivity: target.processingActivity } : {}),
    ...(target.transactionId ? { transactionId: target.transactionId } : {}),
    ...(target.traceparent ? { traceparent: target.traceparent } : {}),
  });
  const res = await gatewayFetch(
    fetchImpl,
    request.url,
    { method: request.method, headers: request.headers, ...(target.method === 'GET' ? {} : { body: request.body }) },
    new URL(target.url).origin,
  );
  return { body: await readVerified<T>(res, provider, request), res, request };
}
