import { calculateJwkThumbprint, compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import { CHANGES_TYP, DIRECTORY_ALGS, DIRECTORY_TYP, type DirectorySnapshot } from './types.ts';

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

async function pinnedKeys(pinned: JWK | { keys: JWK[] }): Promise<Map<string, JWK>> {
  const keys = 'keys' in pinned && Array.isArray(pinned.keys) ? pinned.keys : [pinned as JWK];
  const byKid = new Map<string, JWK>();
  for (const key of keys) {
    const { d: _d, ...publicPart } = key;
    byKid.set(await calculateJwkThumbprint(publicPart, 'sha256'), publicPart);
  }
  return byKid;
}

/**
 * Verifies a compact JWS of the registry of the given `typ` against the pinned keys (never a key
 * fetched from the registry itself) and returns its payload bytes.
 */
async function verifyRegistryJws(
  jws: string,
  pinned: JWK | { keys: JWK[] },
  typ: string,
  what: string,
): Promise<Uint8Array> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(jws);
  } catch (cause) {
    throw new DirectoryVerificationError('malformed', `The ${what} is not a compact JWS.`, { cause });
  }
  const keys = await pinnedKeys(pinned);
  if (header.typ !== typ) {
    throw new DirectoryVerificationError('malformed', `The JWS has typ ${String(header.typ)}, not ${typ}.`);
  }
  const key = header.kid ? keys.get(header.kid) : undefined;
  if (!key) {
    throw new DirectoryVerificationError(
      'unknownKey',
      `The ${what} is signed with key ${header.kid ?? '(none)'}, not a pinned key.`,
    );
  }
  try {
    return (await compactVerify(jws, await importJWK(key, header.alg), { algorithms: [...DIRECTORY_ALGS] })).payload;
  } catch (cause) {
    throw new DirectoryVerificationError('signature', `The ${what} signature does not verify.`, { cause });
  }
}

/** One page of the registry's change log, signed (`GET /v1/changes` with `Accept: application/jose`). */
export interface SignedChangesPage {
  /** The registry's serial when the page was signed. */
  readonly serial: number;
  readonly afterSerial: number;
  readonly changes: readonly {
    readonly serial: number;
    readonly changedAt: string;
    readonly entity: string;
    readonly entityId: string;
    readonly action: string;
    readonly record: Record<string, unknown>;
  }[];
}

/** Verifies a signed page of the registry's change log against the pinned registry key. */
export async function verifyChangesPage(jws: string, pinned: JWK | { keys: JWK[] }): Promise<SignedChangesPage> {
  const payload = await verifyRegistryJws(jws, pinned, CHANGES_TYP, 'change log');
  try {
    const page = JSON.parse(new TextDecoder().decode(payload)) as SignedChangesPage;
    if (!Array.isArray(page.changes) || !Number.isInteger(page.serial)) throw new Error('shape');
    return page;
  } catch (cause) {
    throw new DirectoryVerificationError('malformed', 'The change log payload is not a change page.', { cause });
  }
}

/**
 * Verifies a directory snapshot (compact JWS) against a pinned registry key or key set, and returns
 * its payload. The key is chosen by the thumbprint in the header's `kid`, never taken from the
 * snapshot itself. Used by gateways and the sdk.
 *
 * @example
 * const snapshot = await verifyDirectorySnapshot(jws, pinnedRegistryKey, { maxAgeSeconds: 86_400 });
 * snapshot.serial; // 42
 */
export async function verifyDirectorySnapshot(
  jws: string,
  pinned: JWK | { keys: JWK[] },
  options: VerifySnapshotOptions = {},
): Promise<DirectorySnapshot> {
  const payload = await verifyRegistryJws(jws, pinned, DIRECTORY_TYP, 'directory');
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
  return snapshot;
}
