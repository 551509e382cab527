import type { JWK } from 'jose';
import { type BareItem, isInnerList, parseDictionary } from 'structured-headers';
import { toBase64 } from '../bytes.ts';
import { HttpSignatureError } from './errors.ts';
import { algorithmOf, SIGNATURE_ALGORITHMS, type SignatureAlgorithm, signBytes, verifyBytes } from './keys.ts';
import type { MessageView } from './message-view.ts';
import {
  type Component,
  component,
  componentKey,
  parsedDictionary,
  signatureBase,
  signatureBaseAndParams,
} from './signature-base.ts';

const utf8 = new TextEncoder();

/** A dictionary key (RFC 8941 §3.2): lowercase letter or `*`, then lowercase letters, digits, `_-.*`. */
function serializeKey(label: string): string {
  if (!/^[a-z*][a-z0-9_.*-]*$/.test(label))
    throw new HttpSignatureError('malformed', `Not a signature label: ${label}`);
  return label;
}

/** The signature parameters of this project's profile (DESIGN.md, "The wire protocol"). */
export interface SignatureParameters {
  readonly created: number;
  readonly expires?: number;
  readonly nonce?: string;
  readonly keyid: string;
  readonly alg: SignatureAlgorithm;
}

export interface SignOptions {
  /** Components to cover, as in a Signature-Input (`@method`, `content-digest`, `"signature";key="sig1";req`). */
  readonly components: readonly string[];
  /** The signer's private JWK; its `kid` (RFC 7638 thumbprint) becomes `keyid`. */
  readonly privateKey: JWK;
  readonly created: number;
  readonly expires?: number;
  readonly nonce?: string;
  readonly label?: string;
  /** The request, for `;req` components of a response signature. */
  readonly request?: MessageView;
}

/**
 * Signs a message (RFC 9421) and returns the `Signature-Input` and `Signature` header values.
 *
 * @example
 * const headers = await signMessage(request, {
 *   components: ['@method', '@target-uri', 'content-digest'], privateKey, created: nowSeconds(), expires: nowSeconds() + 60, nonce,
 * });
 */
export async function signMessage(
  message: MessageView,
  options: SignOptions,
): Promise<{ 'signature-input': string; signature: string }> {
  return (await signMessageWithBase(message, options)).headers;
}

/** `signMessage`, also returning the signature base it signed (what a receiver's log digests). */
export async function signMessageWithBase(
  message: MessageView,
  options: SignOptions,
): Promise<{ headers: { 'signature-input': string; signature: string }; base: string }> {
  const label = options.label ?? 'sig1';
  if (!options.privateKey.kid) throw new HttpSignatureError('malformed', 'The signing key has no kid.');
  const params = new Map<string, BareItem>([['created', options.created]]);
  if (options.expires !== undefined) params.set('expires', options.expires);
  if (options.nonce !== undefined) params.set('nonce', options.nonce);
  params.set('keyid', options.privateKey.kid);
  params.set('alg', algorithmOf(options.privateKey));
  const components = parsedComponents(options.components);
  const { base, params: serialisedParams } = signatureBaseAndParams(components, params, message, options.request);
  const signature = await signBytes(options.privateKey, utf8.encode(base));
  // A one-member dictionary is `label=value`; the inner list is the base's last line, as §2.3 requires.
  const key = serializeKey(label);
  return {
    headers: {
      'signature-input': `${key}=${serialisedParams}`,
      signature: `${key}=:${toBase64(signature)}:`,
    },
    base,
  };
}

// A signer usually signs with the same component list every time (a gateway, every response).
const parsedCache = new WeakMap<readonly string[], Component[]>();
function parsedComponents(list: readonly string[]): Component[] {
  let parsed = parsedCache.get(list);
  if (!parsed) {
    parsed = list.map(component);
    parsedCache.set(list, parsed);
  }
  return parsed;
}

export interface VerifyOptions {
  readonly label?: string;
  /** Components the signature must cover, at least. */
  readonly requiredComponents: readonly string[];
  /** Finds the public key for a `keyid`; undefined when unknown. May throw HttpSignatureError('revokedKey'). */
  readonly publicKeyFor: (keyid: string) => JWK | undefined | Promise<JWK | undefined>;
  /** Current time in seconds. */
  readonly now: number;
  /** Allowed clock skew in seconds (default 60). */
  readonly maxSkewSeconds?: number;
  /** Longest allowed `expires - created` in seconds (default 300). */
  readonly maxValiditySeconds?: number;
  /** Whether `expires` and `nonce` must be present (default true, as the request profile needs). */
  readonly requireExpiresAndNonce?: boolean;
  readonly request?: MessageView;
}

export interface VerifiedSignature {
  readonly params: SignatureParameters;
  readonly publicKey: JWK;
  readonly components: readonly string[];
  /** The raw `Signature` member of the label, for digests and `;req` binding. */
  readonly signatureValue: Uint8Array;
  /** The signature base that was verified: exactly what the signer signed. */
  readonly base: string;
}

// The required components are the same list on every request: serialise them once.
const requiredKeyCache = new WeakMap<readonly string[], string[]>();
function requiredKeys(required: readonly string[]): string[] {
  let keys = requiredKeyCache.get(required);
  if (!keys) {
    keys = required.map((c) => componentKey(component(c)));
    requiredKeyCache.set(required, keys);
  }
  return keys;
}

function readParams(raw: Map<string, BareItem>, requireExpiresAndNonce: boolean): SignatureParameters {
  const created = raw.get('created');
  const expires = raw.get('expires');
  const nonce = raw.get('nonce');
  const keyid = raw.get('keyid');
  const alg = raw.get('alg');
  const malformed = (what: string) => new HttpSignatureError('malformed', `Signature parameter ${what}.`);
  if (!Number.isInteger(created)) throw malformed('created is missing or not an integer');
  if (expires !== undefined && !Number.isInteger(expires)) throw malformed('expires is not an integer');
  if (typeof keyid !== 'string' || keyid === '') throw malformed('keyid is missing');
  if (typeof alg !== 'string' || !SIGNATURE_ALGORITHMS.includes(alg as SignatureAlgorithm)) {
    throw new HttpSignatureError(
      'algorithmMismatch',
      `Signature parameter alg must be one of ${SIGNATURE_ALGORITHMS.join(', ')}.`,
    );
  }
  if (nonce !== undefined && (typeof nonce !== 'string' || nonce.length < 16 || nonce.length > 128)) {
    throw malformed('nonce must be a string of 16 to 128 characters');
  }
  if (requireExpiresAndNonce && (expires === undefined || nonce === undefined))
    throw malformed('expires and nonce are required');
  return {
    created: created as number,
    ...(expires === undefined ? {} : { expires: expires as number }),
    ...(nonce === undefined ? {} : { nonce: nonce as string }),
    keyid,
    alg: alg as SignatureAlgorithm,
  };
}

/**
 * Until when (ms since the epoch) a verified signature's nonce must be remembered to refuse its replay:
 * `verifyMessage` accepts it while `expires + skew` (or `created + maxValidity + skew`), in whole seconds,
 * is not before the current second, so up to the last millisecond of that second.
 *
 * @example
 * nonces.claim({ keyid, nonce, expiresAt: replayWindowEnd(signature.params, 60) });
 */
export function replayWindowEnd(
  params: Pick<SignatureParameters, 'created' | 'expires'>,
  maxSkewSeconds: number,
  maxValiditySeconds = 300,
): number {
  return ((params.expires ?? params.created + maxValiditySeconds) + maxSkewSeconds + 1) * 1000;
}

/**
 * Verifies the RFC 9421 signature `label` of a message: presence, required components, time window,
 * key and algorithm, and the signature itself. Replay (nonce reuse) is the caller's to check.
 */
export async function verifyMessage(message: MessageView, options: VerifyOptions): Promise<VerifiedSignature> {
  const label = options.label ?? 'sig1';
  const inputHeader = message.header('signature-input');
  const signatureHeader = message.header('signature');
  if (!inputHeader || !signatureHeader) throw new HttpSignatureError('missing', 'The message is not signed.');
  let input: ReturnType<typeof parseDictionary>;
  let signatures: ReturnType<typeof parseDictionary>;
  try {
    input = parseDictionary(inputHeader);
    // Through the cache: a response bound to this request (`;req`) reads its signature from it.
    signatures = parsedDictionary(signatureHeader);
  } catch (cause) {
    throw new HttpSignatureError('malformed', 'Signature-Input or Signature is not a valid structured field.', {
      cause,
    });
  }
  const member = input.get(label);
  const signatureMember = signatures.get(label);
  if (!member || !signatureMember) throw new HttpSignatureError('missing', `The message has no signature ${label}.`);
  if (!isInnerList(member) || isInnerList(signatureMember) || !(signatureMember[0] instanceof ArrayBuffer)) {
    throw new HttpSignatureError('malformed', `Signature ${label} is not well formed.`);
  }
  const [components, rawParams] = member as [Component[], Map<string, BareItem>];
  const params = readParams(rawParams, options.requireExpiresAndNonce ?? true);

  const covered = new Set(components.map(componentKey));
  const missing = requiredKeys(options.requiredComponents).filter((key) => !covered.has(key));
  if (missing.length > 0) {
    throw new HttpSignatureError('missingComponent', `The signature does not cover ${missing.join(', ')}.`);
  }

  const skew = options.maxSkewSeconds ?? 60;
  if (params.created > options.now + skew) {
    throw new HttpSignatureError('notYetValid', `The signature was created in the future (${params.created}).`);
  }
  if (params.expires !== undefined) {
    if (params.expires < params.created)
      throw new HttpSignatureError('malformed', 'The signature expires before it was created.');
    if (params.expires - params.created > (options.maxValiditySeconds ?? 300)) {
      throw new HttpSignatureError('validityTooLong', 'The signature is valid for longer than allowed.');
    }
    if (params.expires + skew < options.now) {
      throw new HttpSignatureError('expired', `The signature expired at ${params.expires}.`);
    }
  } else if (params.created + (options.maxValiditySeconds ?? 300) + skew < options.now) {
    throw new HttpSignatureError('expired', 'The signature is too old.');
  }

  const publicKey = await options.publicKeyFor(params.keyid);
  if (!publicKey) throw new HttpSignatureError('unknownKey', `Key ${params.keyid} is not known.`);
  if (algorithmOf(publicKey) !== params.alg) {
    throw new HttpSignatureError('algorithmMismatch', `Key ${params.keyid} cannot make ${params.alg} signatures.`);
  }
  const base = signatureBase(components, rawParams, message, options.request);
  // A copy: the parsed header is shared through the cache (the response's `;req` reads it again).
  const signatureValue = new Uint8Array(signatureMember[0].slice(0));
  if (!(await verifyBytes(publicKey, utf8.encode(base), signatureValue))) {
    throw new HttpSignatureError('badSignature', 'The signature does not verify.');
  }
  return { params, publicKey, components: [...covered], signatureValue, base };
}
