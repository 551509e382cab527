import type { Autorisatie, DirectorySnapshot } from '@poortwachter/protocol';
import { contractGrantHash } from '@poortwachter/protocol/contracts';

/** Per directory snapshot: the grant hash of each autorisatie (by its id, the contract's hash), made once. */
const hashesOf = new WeakMap<DirectorySnapshot, ReadonlyMap<string, string>>();

/**
 * The `Fsc-Grant-Hash` of an autorisatie: FSC's grant hash of the grant of the contract it comes from
 * (`contractGrantHash`: `$1$3$…`, or `$1$4$…` for a delegated grant), found in the (trusted) directory
 * by the autorisatie's id, which is the contract's hash; undefined for an autorisatie without a contract.
 * Opaque to applications, as in FSC: the outway lists the hashes of its organisation's grants at
 * `GET /grants`.
 */
export function grantHash(snapshot: DirectorySnapshot, autorisatie: Autorisatie): string | undefined {
  let hashes = hashesOf.get(snapshot);
  if (!hashes) {
    // Only contracts the trust step made an autorisatie of: their content was checked.
    const granted = new Set(snapshot.autorisaties.map((a) => a.id));
    hashes = new Map(
      (snapshot.contracts ?? []).filter((c) => granted.has(c.hash)).map((c) => [c.hash, contractGrantHash(c.content)]),
    );
    hashesOf.set(snapshot, hashes);
  }
  return hashes.get(autorisatie.id);
}
