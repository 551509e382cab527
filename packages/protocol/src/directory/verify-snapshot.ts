import type { JWK } from 'jose';
import { TREE_HEAD_TYP } from '../merkle/tree-head.ts';
import { keysByThumbprint, type ParsedRegistryJws, parseRegistryJws, verifiedPayload } from './registry-signatures.ts';
import { CHANGES_TYP, DIRECTORY_TYP, type DirectorySnapshot } from './types.ts';

export interface VerifySnapshotOptions {
  /** Refuse snapshots signed longer ago than this (seconds). */
  readonly maxAgeSeconds?: number;
  /** Refuse snapshots with a lower serial (rollback to an older directory). */
  readonly minSerial?: number;
  /** For tests: the current time. */
  readonly now?: Date;
}

/** Why a snapshot was refused; `reason` is one of a closed set so callers can react. */
export class DirectoryVerificationError extends Error {
  constructor(
    readonly reason: 'signature' | 'unknownKey' | 'malformed' | 'tooOld' | 'rollback' | 'future',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DirectoryVerificationError';
  }
}

/**
 * Verifies a registry JWS of the given `typ` (compact, or JSON general serialization with a signature
 * per key) against the pinned keys (never a key fetched from the registry itself). It holds when at
 * least one signature is by a pinned key and every signature that names a pinned key verifies.
 */
async function verifyRegistryJws(
  jws: string,
  pinned: JWK | { keys: readonly JWK[] },
  typ: string,
  what: string,
): Promise<{ payload: Uint8Array; parsed: ParsedRegistryJws; pinned: Map<string, JWK> }> {
  let parsed: ParsedRegistryJws;
  try {
    parsed = parseRegistryJws(jws);
  } catch (cause) {
    throw new DirectoryVerificationError('malformed', `The ${what} is not a JWS.`, { cause });
  }
  const keys = await keysByThumbprint(pinned);
  const ofType = parsed.signatures.filter((s) => s.typ === typ);
  if (ofType.length === 0) {
    const found = parsed.signatures.map((s) => String(s.typ)).join(', ');
    throw new DirectoryVerificationError('malformed', `The JWS has typ ${found}, not ${typ}.`);
  }
  let payload: Uint8Array | undefined;
  for (const signature of ofType) {
    const key = signature.kid ? keys.get(signature.kid) : undefined;
    if (!key) continue;
    payload = await verifiedPayload(parsed, signature, key);
    if (!payload) throw new DirectoryVerificationError('signature', `The ${what} signature does not verify.`);
  }
  if (!payload) {
    const kids = ofType.map((s) => s.kid ?? '(none)').join(', ');
    throw new DirectoryVerificationError('unknownKey', `The ${what} is signed with key ${kids}, not a pinned key.`);
  }
  return { payload, parsed, pinned: keys };
}

/** One page of the registry's change log, signed (`GET /v1/changes` with `Accept: application/jose`). */
export interface SignedChangesPage {
  /** The registry's serial when the page was signed. */
  readonly serial: number;
  readonly afterSerial: number;
  readonly changes: readonly {
    /** Who made the change: `operator` or an OIN (missing from a registry before issue 28). */
    readonly actor?: string;
    readonly serial: number;
    readonly changedAt: string;
    readonly entity: string;
    readonly entityId: string;
    readonly action: string;
    readonly record: Record<string, unknown>;
  }[];
}

/** The `log_id` of the registry's verifiable change log. */
export const CHANGE_LOG_ID = 'registry-changes';

/** A signed head of the registry's change log, after its signature was checked. */
export interface ChangeLogHead {
  readonly log_id: string;
  readonly tree_size: number;
  readonly root_hash: string;
  readonly timestamp: number;
}

/**
 * Verifies a signed head of the registry's change log (compact JWS, typ `poortwachter-tree-head+jws`)
 * against the pinned registry key, as the directory is verified.
 *
 * @example
 * const head = await verifyChangeLogHead(jws, pinnedRegistryKey); // { tree_size, root_hash, … }
 */
export async function verifyChangeLogHead(jws: string, pinned: JWK | { keys: readonly JWK[] }): Promise<ChangeLogHead> {
  const { payload } = await verifyRegistryJws(jws, pinned, TREE_HEAD_TYP, 'change log head');
  let head: ChangeLogHead;
  try {
    head = JSON.parse(new TextDecoder().decode(payload)) as ChangeLogHead;
  } catch (cause) {
    throw new DirectoryVerificationError('malformed', 'The change log head is not JSON.', { cause });
  }
  if (
    head.log_id !== CHANGE_LOG_ID ||
    !Number.isSafeInteger(head.tree_size) ||
    head.tree_size < 0 ||
    typeof head.root_hash !== 'string' ||
    !Number.isSafeInteger(head.timestamp)
  )
    throw new DirectoryVerificationError('malformed', 'The change log head is not a head of the registry change log.');
  return head;
}

/** Verifies a signed page of the registry's change log against the pinned registry key. */
export async function verifyChangesPage(
  jws: string,
  pinned: JWK | { keys: readonly JWK[] },
): Promise<SignedChangesPage> {
  const { payload } = await verifyRegistryJws(jws, pinned, CHANGES_TYP, 'change log');
  try {
    const page = JSON.parse(new TextDecoder().decode(payload)) as SignedChangesPage;
    if (!Array.isArray(page.changes) || !Number.isInteger(page.serial)) throw new Error('shape');
    return page;
  } catch (cause) {
    throw new DirectoryVerificationError('malformed', 'The change log payload is not a change page.', { cause });
  }
}

/** A verified snapshot and the registry keys it introduced (see `verifyDirectory`). */
export interface VerifiedDirectory {
  readonly snapshot: DirectorySnapshot;
  /**
   * Keys not pinned yet that the snapshot names in `registry_keys` and that signed it too: the
   * registry is rotating its key, and a pinned key vouches for the new one. Keep them pinned.
   */
  readonly learnedKeys: readonly JWK[];
}

/**
 * Verifies a directory snapshot against a pinned registry key or key set, and returns its payload
 * and the new registry keys it vouches for. A signature's key is chosen by the thumbprint in its
 * header's `kid`, never taken from the snapshot itself; a key the snapshot names is learned only when
 * a pinned key signed the snapshot and the named key did too (a key rotation's overlap). The one
 * check for gateways, the sdk and the citizens' page.
 *
 * @example
 * const { snapshot, learnedKeys } = await verifyDirectory(jws, pinnedRegistryKeys, { maxAgeSeconds: 900 });
 * if (learnedKeys.length > 0) pinnedRegistryKeys = { keys: [...pinnedRegistryKeys.keys, ...learnedKeys] };
 */
export async function verifyDirectory(
  jws: string,
  pinned: JWK | { keys: readonly JWK[] },
  options: VerifySnapshotOptions = {},
): Promise<VerifiedDirectory> {
  const verified = await verifyRegistryJws(jws, pinned, DIRECTORY_TYP, 'directory');
  const { payload } = verified;
  let snapshot: DirectorySnapshot;
  try {
    snapshot = JSON.parse(new TextDecoder().decode(payload)) as DirectorySnapshot;
  } catch (cause) {
    throw new DirectoryVerificationError('malformed', 'The directory payload is not JSON.', { cause });
  }
  const issuedAt = Date.parse(snapshot.issued_at);
  if (!Number.isInteger(snapshot.serial) || snapshot.serial < 0 || Number.isNaN(issuedAt)) {
    throw new DirectoryVerificationError('malformed', 'The directory has no valid serial or issued_at.');
  }
  const now = (options.now ?? new Date()).getTime();
  if (issuedAt > now + 60_000)
    throw new DirectoryVerificationError(
      'future',
      `The directory claims to be issued at ${snapshot.issued_at}, in the future.`,
    );
  if (options.maxAgeSeconds !== undefined && now - issuedAt > options.maxAgeSeconds * 1000) {
    throw new DirectoryVerificationError(
      'tooOld',
      `The directory was issued at ${snapshot.issued_at}, longer ago than ${options.maxAgeSeconds} s.`,
    );
  }
  if (options.minSerial !== undefined && snapshot.serial < options.minSerial) {
    throw new DirectoryVerificationError(
      'rollback',
      `The directory serial ${snapshot.serial} is lower than ${options.minSerial}.`,
    );
  }
  return { snapshot, learnedKeys: await keysVouchedFor(snapshot, verified) };
}

async function keysVouchedFor(
  snapshot: DirectorySnapshot,
  verified: { parsed: ParsedRegistryJws; pinned: Map<string, JWK> },
): Promise<JWK[]> {
  if (!Array.isArray(snapshot.registry_keys)) return [];
  const learned: JWK[] = [];
  for (const named of snapshot.registry_keys) {
    const entry = await keysByThumbprint(named).then(
      (byKid) => [...byKid][0],
      () => undefined,
    );
    if (!entry || verified.pinned.has(entry[0])) continue;
    const [kid, key] = entry;
    const signature = verified.parsed.signatures.find((s) => s.kid === kid && s.typ === DIRECTORY_TYP);
    if (signature && (await verifiedPayload(verified.parsed, signature, key))) learned.push(key);
  }
  return learned;
}

/**
 * Verifies a directory snapshot against a pinned registry key or key set, and returns its payload
 * (`verifyDirectory` without the keys it introduces).
 *
 * @example
 * const snapshot = await verifyDirectorySnapshot(jws, pinnedRegistryKey, { maxAgeSeconds: 86_400 });
 * snapshot.serial; // 42
 */
export async function verifyDirectorySnapshot(
  jws: string,
  pinned: JWK | { keys: readonly JWK[] },
  options: VerifySnapshotOptions = {},
): Promise<DirectorySnapshot> {
  return (await verifyDirectory(jws, pinned, options)).snapshot;
}
