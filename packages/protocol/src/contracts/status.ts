import type { AnchoredKeys } from './anchors.ts';
import {
  type ContractContent,
  ContractError,
  type ContractParties,
  checkContentShape,
  contentHash,
  contractParties,
  type SignedContract,
} from './contract.ts';
import { type ContractSignatureType, contractSignatureVerifies, readContractSignature } from './signatures.ts';

export const CONTRACT_STATES = [
  'proposed',
  'inForce',
  'rejected',
  'revoked',
  'expired',
  'notYetValid',
  'invalid',
] as const;
export type ContractState = (typeof CONTRACT_STATES)[number];

/** One signature of a contract as checked: `counted` only when every rule held, else `why` not. */
export interface SignatureCheck {
  readonly kid: string;
  /** The OIN of the anchored key that made it (absent when the key is not anchored). */
  readonly oin?: string;
  readonly type?: ContractSignatureType;
  /** Unix seconds. */
  readonly signedAt?: number;
  readonly reason?: string;
  readonly counted: boolean;
  readonly why?: string;
}

export interface ContractStatus {
  readonly hash: string;
  readonly state: ContractState;
  /** Set unless the content itself is invalid. */
  readonly parties?: ContractParties;
  readonly signatures: readonly SignatureCheck[];
  /** The parties whose acceptance counted, with when (Unix seconds), oldest first. */
  readonly acceptedBy: readonly { readonly oin: string; readonly signedAt: number }[];
  /** Parties whose acceptance is still missing. */
  readonly missing: readonly string[];
  /** When the earliest counted revoke or reject was signed (Unix seconds). */
  readonly endedAt?: number;
  /** Why the contract is invalid. */
  readonly why?: string;
}

/** How far ahead of a reader's clock a signature's `signed_at` may lie (clock skew) and still count. */
export const FUTURE_SLACK_SECONDS = 60;

/**
 * How long before the registry receives a signature its `signed_at` may lie (transit, a page left open).
 * A key is checked at `signed_at`, so without this bound a key revoked earlier could still sign by
 * dating its signature back; the change log's order is the clock `registry verify` checks it by (the
 * registry refuses an older one, and the auditor's replay of the log flags one recorded that late).
 */
export const SIGNED_AT_MAX_AGE_SECONDS = 300;

/**
 * Why a signature does not count when its key was revoked at or before its `signed_at`. A revoke may be
 * dated back to when a key leaked, so an honest signature recorded before the revoke stops counting
 * with it; whether it was recorded before the revoke is for the change log to tell (`registry verify`).
 */
export const KEY_REVOKED_BEFORE_SIGNED_AT = 'its key was revoked before signed_at';

/**
 * Decides a contract from its signatures alone: a signature counts when its JWS verifies with an anchored
 * key (`keys`) of a party, it names this content's hash (recomputed here, never taken from the contract),
 * the key could sign at `signed_at`, and `signed_at` is not in the future. In force: every party accepted,
 * nobody rejected or revoked, and `now` lies within the validity.
 *
 * @example
 * const status = await contractStatus(contract, await anchoredKeys(snapshot.organisations, anchors));
 * status.state; // 'inForce'
 */
export async function contractStatus(
  contract: SignedContract,
  keys: AnchoredKeys,
  options: { now?: Date } = {},
): Promise<ContractStatus> {
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  let content: ContractContent;
  try {
    content = checkContentShape(contract.content);
  } catch (error) {
    const why = error instanceof ContractError ? error.message : 'its content is malformed';
    return { hash: String(contract.hash), state: 'invalid', signatures: [], acceptedBy: [], missing: [], why };
  }
  const hash = contentHash(content);
  if (hash !== contract.hash) {
    return {
      hash: String(contract.hash),
      state: 'invalid',
      signatures: [],
      acceptedBy: [],
      missing: [],
      why: 'its content does not hash to its hash (changed after signing)',
    };
  }
  const parties = contractParties(content);
  const signatures: SignatureCheck[] = [];
  for (const jws of Array.isArray(contract.signatures) ? contract.signatures : []) signatures.push(await check(jws));

  async function check(jws: string): Promise<SignatureCheck> {
    let read: ReturnType<typeof readContractSignature>;
    try {
      read = readContractSignature(jws);
    } catch (error) {
      return { kid: '', counted: false, why: (error as Error).message };
    }
    const { kid, payload } = read;
    const seen = {
      kid,
      type: payload.type,
      signedAt: payload.signed_at,
      ...(payload.reason ? { reason: payload.reason } : {}),
    };
    const key = keys.byKid.get(kid);
    if (!key) return { ...seen, counted: false, why: 'its key is not anchored' };
    const at = { ...seen, oin: key.oin };
    if (payload.contract_content_hash !== hash) return { ...at, counted: false, why: 'it is for other content' };
    if (!parties.required.includes(key.oin)) return { ...at, counted: false, why: 'its signer is no party' };
    if (payload.signed_at > now + FUTURE_SLACK_SECONDS)
      return { ...at, counted: false, why: 'it is dated in the future' };
    // signed_at is whole seconds: a key valid from 12:00:00.500 signs in the second 12:00:00 too.
    const ms = payload.signed_at * 1000;
    if (ms + 1000 <= key.from) return { ...at, counted: false, why: 'its key could not sign at signed_at' };
    if (ms >= key.to) {
      // Named apart only when the key did make it: a revoke does not excuse a signature that does not verify.
      const revoked = key.revokedFrom !== undefined && ms >= key.revokedFrom;
      return revoked && (await contractSignatureVerifies(jws, key.jwk))
        ? { ...at, counted: false, why: KEY_REVOKED_BEFORE_SIGNED_AT }
        : { ...at, counted: false, why: 'its key could not sign at signed_at' };
    }
    if (!(await contractSignatureVerifies(jws, key.jwk))) return { ...at, counted: false, why: 'it does not verify' };
    return { ...at, counted: true };
  }

  const counted = signatures.filter((s) => s.counted);
  const accepts = new Map<string, number>();
  for (const s of counted) {
    if (s.type === 'accept' && s.oin && s.signedAt !== undefined)
      accepts.set(s.oin, Math.min(accepts.get(s.oin) ?? Infinity, s.signedAt));
  }
  const ends = counted.filter((s) => s.type === 'reject' || s.type === 'revoke');
  const endedAt = ends.length > 0 ? Math.min(...ends.map((s) => s.signedAt ?? Infinity)) : undefined;
  const acceptedBy = [...accepts].map(([oin, signedAt]) => ({ oin, signedAt })).sort((a, b) => a.signedAt - b.signedAt);
  const missing = parties.required.filter((oin) => !accepts.has(oin));
  const state: ContractState = ends.some((s) => s.type === 'revoke')
    ? 'revoked'
    : ends.length > 0
      ? 'rejected'
      : now >= content.validity.not_after
        ? 'expired'
        : missing.length > 0
          ? 'proposed'
          : now < content.validity.not_before
            ? 'notYetValid'
            : 'inForce';
  return { hash, state, parties, signatures, acceptedBy, missing, ...(endedAt !== undefined ? { endedAt } : {}) };
}
