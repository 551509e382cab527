import { type Logger, startWitnessCollector, type WitnessCollector } from '@poortwachter/operations';
import { consistencyProofOf, NOTE_ED25519, type NoteKey, noteKeyFromJwk } from '@poortwachter/protocol';
import type { JWK } from 'jose';
import type { Kysely } from 'kysely';
import { changeCosignedSizes, saveChangeCosignature, signedChangeHead } from '../repositories/change-heads.ts';
import { changeLeaves } from '../repositories/changes.ts';
import { currentWitnessPolicy, type WitnessPolicyRecord } from '../repositories/witnesses.ts';
import type { RegistryDatabase } from '../storage/database.ts';
import type { DirectoryPublisher } from './publisher.ts';

export interface ChangeLogWitnessingOptions {
  readonly db: Kysely<RegistryDatabase>;
  readonly publisher: Pick<DirectoryPublisher, 'jwks' | 'signHead' | 'signCheckpoint'>;
  readonly logger: Logger;
  /** Reach the witnesses through this `fetch` (tests). */
  readonly fetch?: typeof globalThis.fetch;
  readonly intervalMs?: number;
  readonly backoff?: { readonly firstMs?: number; readonly maxMs?: number };
}

/** The registry's public keys as note keys named `origin` (a P-256 key signs as type 0x02). */
function registryNoteKeys(keys: readonly JWK[], origin: string): NoteKey[] {
  return keys.flatMap((jwk) => {
    try {
      return [noteKeyFromJwk(origin, NOTE_ED25519, jwk)];
    } catch {
      return [];
    }
  });
}

/**
 * Collects cosignatures of the change log's newest checkpoint from the witnesses in the registry's own
 * directory (the shared collector, as every gateway log does), in the background: a head is signed
 * when the log grew, the proofs come from the stored leaves, the cosignatures go into
 * `registry_change_cosignatures`. The witnesses and quorum are read from storage again each round.
 *
 * @example
 * const witnessing = await startChangeLogWitnessing({ db, publisher, logger });
 * witnessing.status(); // for /readyz
 */
export async function startChangeLogWitnessing(options: ChangeLogWitnessingOptions): Promise<WitnessCollector> {
  const { db, publisher } = options;
  let policy: WitnessPolicyRecord = await currentWitnessPolicy(db);
  let reading: Promise<void> | undefined;
  const refresh = () => {
    reading ??= currentWitnessPolicy(db)
      .then((p) => {
        policy = p;
      })
      .catch((error: unknown) =>
        options.logger.warn({ err: error, event: 'witness_policy' }, "the registry's witnesses cannot be read"),
      )
      .finally(() => {
        reading = undefined;
      });
  };
  const collector = startWitnessCollector({
    policy: () => {
      refresh();
      return policy;
    },
    logKeys: (origin) => registryNoteKeys(publisher.jwks.keys, origin),
    newest: async () => {
      const head = await signedChangeHead(db, publisher);
      return { note: head.checkpoint, size: Number(head.tree_size) };
    },
    cosigned: () => changeCosignedSizes(db),
    proof: async (first, second) => consistencyProofOf(await changeLeaves(db), first, second),
    store: (cosignature) => saveChangeCosignature(db, cosignature, new Date()),
    logger: options.logger,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.intervalMs ? { intervalMs: options.intervalMs } : {}),
    ...(options.backoff ? { backoff: options.backoff } : {}),
  });
  return {
    ...collector,
    /** One round on the witnesses as stored now (tests; the timer's rounds follow a change within one). */
    async runNow() {
      refresh();
      await reading;
      await collector.runNow();
    },
  };
}
