import { X509Certificate } from 'node:crypto';
import type { DirectorySnapshot } from '@poortwachter/protocol';
import { equalBytes, fromBase64, rangeRoot } from '@poortwachter/protocol';
import { readContractSignature, SIGNED_AT_MAX_AGE_SECONDS } from '@poortwachter/protocol/contracts';
import { ActivityReplay, grondslagenDiffer } from './activity-history.ts';
import { OrganisationReplay } from './organisation-history.ts';
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

const CONTRACT_SIGNATURE_ACTIONS = new Set(['propose', 'accept', 'reject', 'revoke']);

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** What a signature says of itself (kind, key, date), for the findings; undefined parts when it does not read. */
function described(jws: string) {
  try {
    const { kid, payload } = readContractSignature(jws);
    return {
      kid,
      type: payload.type,
      at: new Date(payload.signed_at * 1000).toISOString(),
      signedAt: payload.signed_at,
    };
  } catch {
    return { kid: undefined, type: 'signature', at: 'an unreadable time', signedAt: undefined };
  }
}

/**
 * How long a change may precede the directory's `issued_at` and still be missing from it. The registry
 * reads a snapshot (with a fresh issued_at) at once after each change and again every
 * DIRECTORY_RESIGN_SECONDS, each time from the database as it is: a change it holds is in every
 * snapshot read after it was committed. A change is dated (changedAt) a moment before its commit, and
 * clocks of several registry instances differ a little; 120 s covers that with room, so a change older
 * than that and absent is one the directory withholds (a frozen snapshot re-signed, or a stale copy).
 */
export const DIRECTORY_STALE_SLACK_SECONDS = 120;

/** The end of a key's certificate (the leaf's notAfter, ms), when the key has one that reads. */
function certificateEnd(x5c: readonly string[] | undefined): number | undefined {
  if (!x5c?.[0]) return undefined;
  try {
    return Date.parse(new X509Certificate(Buffer.from(x5c[0], 'base64')).validTo);
  } catch {
    return undefined;
  }
}

/**
 * Serials are given by the registry's one change routine, in the transaction that records the change
 * (a rolled-back change gives its serial back): the log's serials follow each other. A gap is a serial
 * raised past that routine, by something that is not a change.
 */
function serialGaps(changes: readonly RegistryChange[]): string[] {
  const findings: string[] = [];
  for (let i = 1; i < changes.length; i++) {
    const before = (changes[i - 1] as RegistryChange).serial;
    const after = (changes[i] as RegistryChange).serial;
    if (after !== before + 1)
      findings.push(
        `the change log goes from serial ${before} to ${after}: the serial was raised outside the registry's changes.`,
      );
  }
  return findings;
}

/** Each change of the log the directory leaves out though it is well older than the directory. */
function withheld(
  directory: DirectorySnapshot,
  changes: readonly RegistryChange[],
  reflected: readonly RegistryChange[],
): string[] {
  const issuedAt = Date.parse(directory.issued_at);
  const inDirectory = new Set(reflected);
  return changes
    .filter((c) => !inDirectory.has(c) && Date.parse(c.changedAt) < issuedAt - DIRECTORY_STALE_SLACK_SECONDS * 1000)
    .map(
      (c) =>
        `change ${c.serial} of ${c.changedAt} (${c.action} of ${c.entity} ${c.entityId}) is not in the directory issued at ${directory.issued_at}: the directory is stale or withholds it.`,
    );
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
 * Replays the (verified) change log against the published directory. Each contract signature the log
 * recorded must be in the directory with its contract, and each signature in the directory must be one
 * the log recorded: a row deleted from or written into the registry's database past its API shows as a
 * difference, also when every signature left verifies. A contract the log recorded and that has not
 * ended must be listed. The log's order is the witnessed clock: a signature recorded after the change
 * that revoked its key (or its organisation), after its key's validTo or certificate, or longer after
 * its `signed_at` than the registry takes, was dated back. The organisations, their keys and the
 * verwerkingsactiviteit versions must be as the log built them (OrganisationReplay, ActivityReplay); a
 * change well older than the directory must be in it (not stale), and the serials must follow each
 * other. Returns each difference in words; empty when they agree.
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
  const directoryKeys = new Map(
    (directory.organisations ?? []).flatMap((o) => (o.keys ?? []).map((k) => [k.kid, { oin: o.oin, key: k }])),
  );

  const logged = new Map<string, LoggedContract>();
  const organisations = new OrganisationReplay();
  const activities = new ActivityReplay();
  const reflected = reflectedChanges(directory, changes, leaves, findings);
  findings.push(...serialGaps(changes), ...withheld(directory, changes, reflected));
  for (const change of reflected) {
    const { record } = change;
    organisations.apply(change);
    activities.apply(change);
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
    const { kid, type, at, signedAt } = described(jws);
    const recordedAt = Date.parse(change.changedAt);
    const signer = `the ${type} by ${who(signature.signedBy)} of contract ${change.entityId} (key ${kid}, signed_at ${at})`;
    const revoked =
      (kid === undefined ? undefined : organisations.keyRevocation(kid)) ??
      organisations.organisationRevocation(signature.signedBy);
    if (revoked && revoked.serial < change.serial && recordedAt >= revoked.from)
      findings.push(
        `${signer} is recorded in change ${change.serial}, after change ${revoked.serial} revoked that key: it was signed after the revocation and dated back.`,
      );
    // The key's end as the log recorded it, or else as the directory lists it; and its certificate's.
    const published = kid === undefined ? undefined : directoryKeys.get(kid)?.key;
    const validTo =
      (kid === undefined ? undefined : organisations.keyValidTo(kid)) ??
      (published?.validTo ? Date.parse(published.validTo) : undefined);
    if (validTo !== undefined && recordedAt >= validTo)
      findings.push(
        `${signer} is recorded in change ${change.serial} at ${change.changedAt}, after the key's validity ended (${new Date(validTo).toISOString()}): it was signed after its end and dated back.`,
      );
    const notAfter = certificateEnd(published?.x5c);
    if (notAfter !== undefined && recordedAt >= notAfter)
      findings.push(
        `${signer} is recorded in change ${change.serial} at ${change.changedAt}, after the key's certificate ended (${new Date(notAfter).toISOString()}): it was signed after its end and dated back.`,
      );
    if (signedAt !== undefined && signedAt * 1000 < recordedAt - SIGNED_AT_MAX_AGE_SECONDS * 1000)
      findings.push(
        `${signer} is recorded in change ${change.serial} at ${change.changedAt}, more than ${SIGNED_AT_MAX_AGE_SECONDS / 60} minutes after its signed_at: the registry refuses that, so it was written past its API.`,
      );
  }
  findings.push(
    ...organisations.differences(directory.organisations ?? [], who),
    ...activities.differences(directory.processing_activities ?? []),
    ...grondslagenDiffer(directory.grondslagen ?? [], reflected),
  );

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
      const signer = kid === undefined ? 'an unreadable key' : `${who(directoryKeys.get(kid)?.oin)} (key ${kid})`;
      findings.push(
        `the ${type} by ${signer} of contract ${published.hash} at ${at} is in the directory but in no change of the change log: it was written past the registry's API.`,
      );
    }
  }
  return findings;
}
