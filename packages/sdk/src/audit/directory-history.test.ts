import type { DirectorySnapshot } from '@poortwachter/protocol';
import { changeLeafHash, rangeRoot, toBase64 } from '@poortwachter/protocol';
import { signContract } from '@poortwachter/protocol/contracts';
import { ed25519KeyPair } from '@poortwachter/protocol/testing';
import { describe, expect, it } from 'vitest';
import { directoryAgreesWithChangeLog } from './directory-history.ts';
import type { RegistryChange } from './registry-history.ts';

const HAARLEM = '00000001000000392000';
const RVIG = '00000001001000001000';
const HASH = '$1$1$contract';
const T0 = Date.parse('2026-12-07T09:00:00Z');
const content = { validity: { not_before: T0 / 1000 - 60, not_after: T0 / 1000 + 86_400 } };

async function history() {
  const haarlem = await ed25519KeyPair();
  const rvig = await ed25519KeyPair();
  const at = (minutes: number) => new Date(T0 + minutes * 60_000);
  const propose = await signContract(HASH, 'accept', haarlem.privateKey, { signedAt: at(1) });
  const accept = await signContract(HASH, 'accept', rvig.privateKey, { signedAt: at(2) });
  const revoke = await signContract(HASH, 'revoke', haarlem.privateKey, { signedAt: at(3), reason: 'Klaar.' });
  const change = (serial: number, action: string, actor: string, record: Record<string, unknown>): RegistryChange => ({
    serial,
    changedAt: at(serial).toISOString(),
    entity: 'contract',
    entityId: HASH,
    action,
    actor,
    record,
  });
  const changes = [
    change(1, 'propose', HAARLEM, { hash: HASH, content, signature: propose, signedBy: HAARLEM }),
    change(2, 'accept', RVIG, { hash: HASH, signature: accept, signedBy: RVIG }),
    change(3, 'revoke', HAARLEM, { hash: HASH, signature: revoke, signedBy: HAARLEM }),
  ];
  return { haarlem, changes, signatures: { propose, accept, revoke } };
}

const leavesOf = (changes: readonly RegistryChange[]) =>
  changes.map((c) => changeLeafHash({ ...c, actor: c.actor ?? '' }));

function directory(
  changes: readonly RegistryChange[],
  signatures: readonly string[],
  extra: Partial<DirectorySnapshot> = {},
): DirectorySnapshot {
  const leaves = leavesOf(changes);
  return {
    serial: changes.at(-1)?.serial ?? 0,
    issued_at: new Date(T0 + 10 * 60_000).toISOString(),
    organisations: [{ oin: HAARLEM, name: 'Gemeente Haarlem', keys: [] } as never],
    services: [],
    grondslagen: [],
    processing_activities: [],
    autorisaties: [],
    contracts: [{ hash: HASH, content: content as never, signatures: [...signatures] }],
    identity_providers: [],
    change_log: { tree_size: leaves.length, root_hash: toBase64(rangeRoot(leaves)) },
    ...extra,
  };
}

describe('directoryAgreesWithChangeLog', () => {
  it('finds nothing when the directory holds exactly the signatures the log recorded', async () => {
    const { changes, signatures } = await history();
    const all = [signatures.propose, signatures.accept, signatures.revoke];
    expect(directoryAgreesWithChangeLog(directory(changes, all), changes, leavesOf(changes))).toEqual([]);
  });

  it('names a logged revoke the directory lacks, and a serial raised past the log', async () => {
    const { changes, signatures } = await history();
    const dir = directory(changes, [signatures.propose, signatures.accept], { serial: 4 });
    const findings = directoryAgreesWithChangeLog(dir, changes, leavesOf(changes));
    expect(findings).toEqual([
      "the directory's serial 4 is not that of the last change it reflects (change 3): the serial was raised outside the registry's changes.",
      `the revoke by Gemeente Haarlem of contract ${HASH} at 2026-12-07T09:03:00.000Z is in the change log (change 3) but not in the directory.`,
    ]);
  });

  it('without a stated head (an older registry), compares the changes up to its serial', async () => {
    const { changes, signatures } = await history();
    const { change_log: _c, ...old } = directory(changes, [signatures.propose, signatures.accept], { serial: 4 });
    const findings = directoryAgreesWithChangeLog(old, changes, leavesOf(changes));
    expect(findings[0]).toContain('serial 4 is ahead of the change log (last change 3)');
    expect(findings[1]).toContain('is in the change log (change 3) but not in the directory');
  });

  it('names a signature in the directory that no change recorded, and a head that is not the log', async () => {
    const { changes, signatures, haarlem } = await history();
    const written = await signContract(HASH, 'reject', haarlem.privateKey, { signedAt: new Date(T0) });
    const all = [signatures.propose, signatures.accept, signatures.revoke, written];
    expect(directoryAgreesWithChangeLog(directory(changes, all), changes, leavesOf(changes))).toEqual([
      `the reject by an unknown signer (key ${haarlem.publicKey.kid}) of contract ${HASH} at 2026-12-07T09:00:00.000Z is in the directory but in no change of the change log: it was written past the registry's API.`,
    ]);
    const other = directory(changes.slice(0, 2), all.slice(0, 2));
    const lying = { ...other, change_log: { tree_size: 2, root_hash: toBase64(rangeRoot(leavesOf(changes))) } };
    expect(directoryAgreesWithChangeLog(lying, changes, leavesOf(changes))[0]).toContain(
      'do not make up its root hash',
    );
  });

  it('names a signature recorded after the change that revoked its key, whatever its signed_at', async () => {
    const { changes, signatures, haarlem } = await history();
    const revokeKey: RegistryChange = {
      serial: 3,
      changedAt: new Date(T0 + 3 * 60_000).toISOString(),
      entity: 'organisation',
      entityId: HAARLEM,
      action: 'revoke-key',
      actor: HAARLEM,
      record: { kid: haarlem.publicKey.kid, revokedAt: new Date(T0 + 3 * 60_000).toISOString() },
    };
    const late = { ...(changes[2] as RegistryChange), serial: 4, changedAt: new Date(T0 + 4 * 60_000).toISOString() };
    const log = [changes[0], changes[1], revokeKey, late] as RegistryChange[];
    const all = [signatures.propose, signatures.accept, signatures.revoke];
    const findings = directoryAgreesWithChangeLog(directory(log, all), log, leavesOf(log));
    expect(findings).toEqual([
      `the revoke by Gemeente Haarlem of contract ${HASH} (key ${haarlem.publicKey.kid}, signed_at 2026-12-07T09:03:00.000Z) is recorded in change 4, after change 3 revoked that key: it was signed after the revocation and dated back.`,
    ]);
  });

  it('names a contract the log recorded that has not ended but is not listed', async () => {
    const { changes } = await history();
    const dir = directory(changes, [], { contracts: [] });
    expect(directoryAgreesWithChangeLog(dir, changes, leavesOf(changes))).toEqual([
      `contract ${HASH} (recorded in change 1) has not ended but is not in the directory.`,
    ]);
  });
});
