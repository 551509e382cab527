import type { DirectorySnapshot } from '@poortwachter/protocol';
import { equalBytes, fromBase64, rangeRoot } from '@poortwachter/protocol';
import { readContractSignature } from '@poortwachter/protocol/contracts';
import type { RegistryChange } from './registry-history.ts';

/** A contract signature as a change of the log recorded it. */
interface LoggedSignature {
  readonly jws: string;
  readonly serial: number;
  readonly changedAt: string;
  readonly signedBy: string;
}

/** A contract as the log recorded it: when it was proposed (or migrated), its end, and its signatures. */
interface LoggedContract {
  readonly serial: number;
  readonly notAfter: number | undefined;
  readonly signatures: LoggedSignature[];
}

/** When a key, or every key of an organisation, was revoked: the change and the moment it took effect. */
interface Revocation {
  readonly serial: number;
  readonly from: number;
}

const CONTRACT_SIGNATURE_ACTIONS = new Set(['propose', 'accept', 'reject', 'revoke']);

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** What a signature says of itself (kind, key, date), for the findings; undefined parts when it does not read. */
function described(jws: string) {
  try {
    const { kid, payload } = readContractSignature(jws);
    return { kid, type: payload.type, at: new Date(payload.signed_at * 1000).toISOString() };
  } catch {
    return { kid: undefined, type: 'signature', at: 'an unreadable time' };
  }
}

/**
 * Which changes of the log the directory reflects: the prefix it names (`change_log`, checked against
 * the leaves), or, in a snapshot of a registry before it stated one, the changes up to its serial.
 */
function reflectedChanges(
  directory: DirectorySnapshot,
  changes: readonly RegistryChange[],
  leaves: readonly Uint8Array[],
  findings: string[],
): readonly RegistryChange[] {
  const stated = directory.change_log;
  if (stated) {
    const prefix = leaves.slice(0, stated.tree_size);
    if (prefix.length < stated.tree_size || !equalBytes(rangeRoot(prefix), fromBase64(stated.root_hash))) {
      findings.push(
        `the directory (serial ${directory.serial}) says it reflects the change log at size ${stated.tree_size}, but the log's first ${stated.tree_size} changes do not make up its root hash.`,
      );
      return changes.filter((c) => c.serial <= directory.serial);
    }
    const reflected = changes.slice(0, stated.tree_size);
    const last = reflected.at(-1)?.serial ?? 0;
    if (directory.serial !== last)
      findings.push(
        `the directory's serial ${directory.serial} is not that of the last change it reflects (change ${last}): the serial was raised outside the registry's changes.`,
      );
    return reflected;
  }
  const last = changes.at(-1)?.serial ?? 0;
  if (directory.serial > last)
    findings.push(
      `the directory's serial ${directory.serial} is ahead of the change log (last change ${last}): the serial was raised outside the registry's changes.`,
    );
  return changes.filter((c) => c.serial <= directory.serial);
}

/**
 * Replays the contract changes of the (verified) change log against the published directory. Each
 * contract signature the log recorded must be in the directory with its contract, and each signature
 * in the directory must be one the log recorded: a row deleted from or written into the registry's
 * database past its API shows as a difference, also when every signature left verifies. A contract
 * the log recorded and that has not ended must be listed. And the log's order is the witnessed clock:
 * a signature recorded after the change that revoked its key (or its organisation) was made after the
 * revocation, whatever its `signed_at` says. Returns each difference in words; empty when they agree.
 *
 * @example
 * const findings = directoryAgreesWithChangeLog(directory, changes, leaves);
 */
export function directoryAgreesWithChangeLog(
  directory: DirectorySnapshot,
  changes: readonly RegistryChange[],
  leaves: readonly Uint8Array[],
): string[] {
  const findings: string[] = [];
  const names = new Map((directory.organisations ?? []).map((o) => [o.oin, o.name]));
  const who = (oin: string | undefined) => (oin ? (names.get(oin) ?? oin) : 'an unknown signer');
  const keyOwners = new Map((directory.organisations ?? []).flatMap((o) => (o.keys ?? []).map((k) => [k.kid, o.oin])));

  const logged = new Map<string, LoggedContract>();
  const revokedKeys = new Map<string, Revocation>();
  const revokedOrganisations = new Map<string, Revocation>();
  for (const change of reflectedChanges(directory, changes, leaves, findings)) {
    const { record } = change;
    if (change.entity === 'organisation') {
      const from = Date.parse(text(record.revokedAt) ?? change.changedAt);
      const kid = text(record.kid);
      if (change.action === 'revoke-key' && kid) revokedKeys.set(kid, { serial: change.serial, from });
      if (change.action === 'revoke') revokedOrganisations.set(change.entityId, { serial: change.serial, from });
      continue;
    }
    if (change.entity !== 'contract') continue;
    if (change.action === 'propose' || change.action === 'migrate') {
      const content = record.content as { validity?: { not_after?: unknown } } | undefined;
      const notAfter = content?.validity?.not_after;
      logged.set(change.entityId, {
        serial: change.serial,
        notAfter: typeof notAfter === 'number' ? notAfter : undefined,
        signatures: [],
      });
    }
    const jws = text(record.signature);
    if (!CONTRACT_SIGNATURE_ACTIONS.has(change.action) || !jws) continue;
    const signature = {
      jws,
      serial: change.serial,
      changedAt: change.changedAt,
      signedBy: text(record.signedBy) ?? change.actor ?? '',
    };
    logged.get(change.entityId)?.signatures.push(signature);
    const { kid, type } = described(jws);
    const revoked =
      (kid === undefined ? undefined : revokedKeys.get(kid)) ?? revokedOrganisations.get(signature.signedBy);
    if (revoked && revoked.serial < change.serial && Date.parse(change.changedAt) >= revoked.from)
      findings.push(
        `the ${type} by ${who(signature.signedBy)} of contract ${change.entityId} (key ${kid}, signed_at ${described(jws).at}) is recorded in change ${change.serial}, after change ${revoked.serial} revoked that key: it was signed after the revocation and dated back.`,
      );
  }

  const issuedAt = Math.floor(Date.parse(directory.issued_at) / 1000);
  const listed = new Map((directory.contracts ?? []).map((c) => [c.hash, c]));
  for (const [hash, contract] of logged) {
    const published = listed.get(hash);
    if (!published) {
      if (contract.notAfter === undefined || contract.notAfter >= issuedAt)
        findings.push(
          `contract ${hash} (recorded in change ${contract.serial}) has not ended but is not in the directory.`,
        );
      continue;
    }
    const inDirectory = new Set(published.signatures);
    for (const signature of contract.signatures) {
      if (inDirectory.has(signature.jws)) continue;
      const { type, at } = described(signature.jws);
      findings.push(
        `the ${type} by ${who(signature.signedBy)} of contract ${hash} at ${at} is in the change log (change ${signature.serial}) but not in the directory.`,
      );
    }
  }
  for (const published of directory.contracts ?? []) {
    const recorded = logged.get(published.hash);
    if (!recorded) {
      findings.push(`contract ${published.hash} is in the directory, but no change of the change log recorded it.`);
      continue;
    }
    const inLog = new Set(recorded.signatures.map((s) => s.jws));
    for (const jws of Array.isArray(published.signatures) ? published.signatures : []) {
      if (inLog.has(jws)) continue;
      const { kid, type, at } = described(jws);
      const signer = kid === undefined ? 'an unreadable key' : `${who(keyOwners.get(kid))} (key ${kid})`;
      findings.push(
        `the ${type} by ${signer} of contract ${published.hash} at ${at} is in the directory but in no change of the change log: it was written past the registry's API.`,
      );
    }
  }
  return findings;
}
