import type { X509Certificate } from 'node:crypto';
import type { DirectorySnapshot } from '@poortwachter/protocol';
import {
  type ChangeLogHead,
  CheckpointError,
  changeLeafHash,
  equalBytes,
  fromBase64,
  MerkleProofError,
  NOTE_ED25519,
  type NoteKey,
  noteKeyFromJwk,
  REGISTRY_CHANGES_ORIGIN,
  rangeRoot,
  toBase64,
  verifyChangeLogHead,
  verifyCheckpoint,
  verifyConsistency,
  witnessPolicy,
} from '@poortwachter/protocol';
import { anchoredKeys, contractStatus, KEY_REVOKED_BEFORE_SIGNED_AT } from '@poortwachter/protocol/contracts';
import type { JWK } from 'jose';
import { directoryWith } from '../directory-client.ts';
import { directoryAgreesWithChangeLog } from './directory-history.ts';
import { registryHistory } from './registry-history.ts';

/**
 * A head of the registry's change log as a verifier remembers it: the payload and its JWS, and the
 * checkpoint of the same size and root with the witnesses' cosignatures it was accepted with.
 */
export interface RememberedChangeLogHead extends ChangeLogHead {
  readonly jws: string;
  readonly checkpoint?: string;
}

/** Which witnesses of the directory cosigned the head accepted, and how many had to (0: not witnessed). */
export interface ChangeLogWitnessed {
  readonly cosigners: readonly { readonly name: string; readonly timestamp: number }[];
  readonly quorum: number;
}

/**
 * The registry's change-log head cannot be accepted for want of its witnesses: `code` `quorum` when too
 * few of the directory's witnesses cosigned it (the head may be new, or the witnesses down), any other
 * code when its checkpoint is missing, not the registry's, or not of that head.
 */
export class ChangeLogWitnessError extends Error {
  constructor(
    readonly code: CheckpointError['code'] | 'missing' | 'mismatch',
    message: string,
    readonly cosigned = 0,
    readonly quorum = 0,
  ) {
    super(message);
    this.name = 'ChangeLogWitnessError';
  }
}

/** The registry's pinned keys as note keys of its change log (Ed25519 type 0x01, P-256 type 0x02). */
function changeLogNoteKeys(registryKey: JWK | { keys: JWK[] }): NoteKey[] {
  const keys = 'keys' in registryKey && Array.isArray(registryKey.keys) ? registryKey.keys : [registryKey as JWK];
  return keys.flatMap((jwk) => {
    try {
      return [noteKeyFromJwk(REGISTRY_CHANGES_ORIGIN, NOTE_ED25519, jwk)];
    } catch {
      return [];
    }
  });
}

/**
 * Accepts the served head only with its checkpoint (same size and root, signed by the pinned registry
 * key) cosigned by the quorum of the directory's witnesses; throws ChangeLogWitnessError saying why not.
 */
async function witnessedHead(
  head: ChangeLogHead,
  checkpoint: string | undefined,
  options: { registryKey: JWK | { keys: JWK[] }; directory: DirectorySnapshot },
): Promise<ChangeLogWitnessed> {
  const policy = witnessPolicy(options.directory);
  if (checkpoint === undefined) {
    if (policy.quorum === 0) return { cosigners: [], quorum: 0 };
    throw new ChangeLogWitnessError(
      'missing',
      `the registry serves no checkpoint beside its change-log head ${head.tree_size}, so the ${policy.quorum} witnesses its directory requires cannot be checked.`,
      0,
      policy.quorum,
    );
  }
  try {
    const verified = await verifyCheckpoint(checkpoint, {
      logKeys: changeLogNoteKeys(options.registryKey),
      policy,
      origin: REGISTRY_CHANGES_ORIGIN,
    });
    if (verified.size !== head.tree_size || toBase64(verified.rootHash) !== head.root_hash)
      throw new ChangeLogWitnessError(
        'mismatch',
        `the checkpoint (size ${verified.size}) is not of the signed head (size ${head.tree_size}) it is served with.`,
      );
    return { cosigners: verified.cosigners, quorum: verified.quorum };
  } catch (error) {
    if (!(error instanceof CheckpointError)) throw error;
    throw new ChangeLogWitnessError(error.code, error.message, error.cosigned, error.quorum);
  }
}

/** What `verifyChangeLog` found. */
export interface ChangeLogVerification {
  /** The head verified now (remember it for the next run when `findings` is empty). */
  readonly head: RememberedChangeLogHead;
  /** Each way history does not add up, in words; empty when it does. */
  readonly findings: readonly string[];
  /** How many changes were checked against their leaves. */
  readonly changesChecked: number;
  /** The witnesses that cosigned the head and the directory's quorum (0: the registry lists none). */
  readonly witnessed: ChangeLogWitnessed;
}

/**
 * Checks the registry's history as an auditor: the change log's head is signed by the pinned registry
 * key, and its checkpoint is cosigned by the quorum of the witnesses the directory lists (a registry
 * that lists none: quorum 0, not witnessed; too few: ChangeLogWitnessError, nothing else is checked);
 * it extends the head remembered from an earlier run (RFC 9162 consistency, so nothing before it
 * was rewritten or removed); the leaves served make up that head's root; every change of the signed
 * change pages (`/v1/changes`) hashes to its leaf, in order; and the directory agrees with that witnessed
 * log (`directoryAgreesWithChangeLog`: no signature logged but left out or published but never logged,
 * none recorded after its key was revoked or ended; organisations, keys and verwerkingsactiviteit
 * versions as the log built them; no change well older than the directory left out).
 *
 * @example
 * const result = await verifyChangeLog({ registryUrl, registryKey, remembered });
 * if (result.findings.length === 0) remember(result.head);
 */
export async function verifyChangeLog(options: {
  readonly registryUrl: string;
  readonly registryKey: JWK | { keys: JWK[] };
  readonly remembered?: RememberedChangeLogHead | undefined;
  /** The directory verified with the pinned key (its witnesses and quorum); fetched when left out. */
  readonly directory?: DirectorySnapshot;
  /** How many times (half a second apart) to ask again for a witnessed head that reaches the directory (default 6). */
  readonly waitForHeadTries?: number;
  readonly fetch?: typeof globalThis.fetch;
}): Promise<ChangeLogVerification> {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const base = `${options.registryUrl.replace(/\/+$/, '')}/v1/changes/log`;
  const getJson = async <T>(path: string): Promise<T> => {
    const res = await fetchImpl(`${base}${path}`, { headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(`The registry's change log answered ${res.status} to ${path}.`);
    return (await res.json()) as T;
  };
  const findings: string[] = [];
  const directory =
    options.directory ??
    (await directoryWith(fetchImpl, { registryUrl: options.registryUrl, registryKey: options.registryKey }));
  // The directory may reflect a change its witnesses are still cosigning: give them a few seconds.
  const reflects = directory.change_log?.tree_size ?? directory.serial;
  let served = await getJson<{ jws: string; checkpoint?: string }>('/head');
  let payload = await verifyChangeLogHead(served.jws, options.registryKey);
  for (let tries = 0; payload.tree_size < reflects && tries < (options.waitForHeadTries ?? 6); tries++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    served = await getJson<{ jws: string; checkpoint?: string }>('/head');
    payload = await verifyChangeLogHead(served.jws, options.registryKey);
  }
  const witnessed = await witnessedHead(payload, served.checkpoint, { registryKey: options.registryKey, directory });
  const head: RememberedChangeLogHead = {
    ...payload,
    jws: served.jws,
    ...(served.checkpoint === undefined ? {} : { checkpoint: served.checkpoint }),
  };
  const size = head.tree_size;

  const previous = options.remembered;
  if (previous) {
    // The remembered head is checked again: a heads file edited by hand proves nothing.
    await verifyChangeLogHead(previous.jws, options.registryKey);
    try {
      if (previous.tree_size > size)
        throw new MerkleProofError(`the log shrank from ${previous.tree_size} to ${size}.`);
      const proof =
        previous.tree_size === size || previous.tree_size === 0
          ? []
          : (await getJson<{ proof: string[] }>(`/consistency?first=${previous.tree_size}&second=${size}`)).proof;
      if (previous.tree_size > 0)
        verifyConsistency(
          previous.tree_size,
          size,
          proof.map(fromBase64),
          fromBase64(previous.root_hash),
          fromBase64(head.root_hash),
        );
    } catch (error) {
      if (!(error instanceof MerkleProofError)) throw error;
      findings.push(
        `the history is not an extension of the head seen before (size ${previous.tree_size}): ${error.message}`,
      );
    }
  }

  // The leaves of the witnessed head, and past it those the directory reflects (a witness down: the
  // newest head it reflects is not cosigned yet; that tail is checked as the registry serves it).
  const wanted = Math.max(size, reflects);
  const leaves: Uint8Array[] = [];
  while (leaves.length < wanted) {
    const page = await getJson<{ leaves: { index: number; leaf_hash: string }[] }>(`/leaves?start=${leaves.length}`);
    if (page.leaves.length === 0) break;
    for (const leaf of page.leaves) leaves.push(fromBase64(leaf.leaf_hash));
  }
  leaves.length = Math.min(leaves.length, wanted);
  const inHead = leaves.slice(0, size);
  if (inHead.length < size || !equalBytes(rangeRoot(inHead), fromBase64(head.root_hash)))
    findings.push(`the leaves the registry serves do not make up its signed head (size ${size}).`);

  const changes = await registryHistory({
    registryUrl: options.registryUrl,
    registryKey: options.registryKey,
    fetch: fetchImpl,
  }).changes();
  let checked = 0;
  for (const [index, leaf] of leaves.entries()) {
    const change = changes[index];
    if (!change) {
      findings.push(`leaf ${index} has no change in the change log: a change was deleted.`);
      continue;
    }
    if (index < size) checked++;
    const entry = { ...change, actor: change.actor ?? '' };
    if (!equalBytes(changeLeafHash(entry), leaf))
      findings.push(
        `change ${change.serial} (${change.entity} ${change.entityId}, ${change.action}) is not the change the log holds at leaf ${index}: it was edited or a change before it was deleted.`,
      );
  }
  findings.push(...directoryAgreesWithChangeLog(directory, changes.slice(0, leaves.length), leaves));
  return { head, findings, changesChecked: checked, witnessed };
}

/** What `verifyContractSignatures` found. */
export interface ContractSignatureCheck {
  readonly contracts: number;
  readonly signatures: number;
  /** Each signature that does not count, and each contract that is invalid, in words. */
  readonly findings: readonly string[];
  /**
   * Each signature that stopped counting because its key was revoked later, dated back to at or before
   * its `signed_at` (a leaked key), in words: no finding, as the change-log replay flags one recorded
   * after that revoke and one no change recorded.
   */
  readonly discounted: readonly string[];
}

/**
 * Re-verifies every contract signature in a directory (verified against the pinned registry key, before
 * any trust step) itself, with core's `contractStatus` against the keys anchored in `anchors`. The
 * registry refuses a signature that does not count, so one in its directory means it was bypassed
 * (a row written straight into its database, or a snapshot it signed with something extra). Except one
 * whose key a later revoke dated back to at or before its `signed_at` (a leaked key): it is `discounted`,
 * not a finding; the change-log replay flags it when it was recorded after that revoke.
 *
 * @example
 * const { findings } = await verifyContractSignatures(snapshot, anchors);
 */
export async function verifyContractSignatures(
  snapshot: DirectorySnapshot,
  anchors: readonly X509Certificate[],
  now = new Date(),
): Promise<ContractSignatureCheck> {
  const keys = await anchoredKeys(snapshot.organisations ?? [], anchors);
  const findings: string[] = [];
  const discounted: string[] = [];
  let signatures = 0;
  const contracts = snapshot.contracts ?? [];
  for (const contract of contracts) {
    const status = await contractStatus(contract, keys, { now });
    if (status.state === 'invalid')
      findings.push(`contract ${contract.hash} is invalid: ${status.why ?? 'its content'}.`);
    for (const signature of status.signatures) {
      signatures++;
      const revokedFrom = keys.byKid.get(signature.kid)?.revokedFrom;
      if (signature.why === KEY_REVOKED_BEFORE_SIGNED_AT && revokedFrom !== undefined)
        discounted.push(
          `contract ${contract.hash}: the ${signature.type ?? ''} signature by key ${signature.kid} (signed at ${isoSeconds(signature.signedAt)}) no longer counts: the key was revoked from ${new Date(revokedFrom).toISOString()} (a revoke after it, in the change log).`,
        );
      else if (!signature.counted)
        findings.push(
          `contract ${contract.hash}: the ${signature.type ?? ''} signature by key ${signature.kid} does not count: ${signature.why ?? 'it does not verify'}.`,
        );
    }
  }
  return { contracts: contracts.length, signatures, findings, discounted };
}

const isoSeconds = (seconds: number | undefined) =>
  seconds === undefined ? '(no time)' : new Date(seconds * 1000).toISOString();
