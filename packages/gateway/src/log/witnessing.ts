import { type Logger, startWitnessCollector, type WitnessCollector } from '@poortwachter/operations';
import { fromBase64, NOTE_ED25519, noteKeyFromJwk } from '@poortwachter/protocol';
import type { JWK } from 'jose';
import type { Kysely } from 'kysely';
import type { DirectoryProvider } from '../directory/directory-provider.ts';
import type { GatewayDatabase } from '../storage/tables.ts';
import { cosignedSizes, newestCheckpoint, saveCosignature } from './merkle/checkpoints.ts';
import { consistencyProof } from './merkle/merkle-store.ts';

/** What a log needs to have its heads witnessed: the directory (witnesses, quorum) and where to report. */
export interface WitnessingOptions {
  readonly directory: DirectoryProvider;
  readonly logger: Logger;
  /** Reach the witnesses through this `fetch` (tests). */
  readonly fetch?: typeof globalThis.fetch;
  readonly intervalMs?: number;
  readonly backoff?: { readonly firstMs?: number; readonly maxMs?: number };
}

/** The directory's witnesses now, or undefined before there is a (fresh enough) directory. */
export function directoryWitnesses(directory: DirectoryProvider) {
  if (directory.status().serial === undefined) return undefined;
  try {
    const { snapshot } = directory.current();
    return { witnesses: snapshot.witnesses ?? [], quorum: snapshot.witness_quorum ?? 0 };
  } catch {
    return undefined;
  }
}

/**
 * Collects the directory's witnesses' cosignatures of the newest checkpoint of one log (the shared
 * collector on this log's storage): the proofs from the stored nodes, the cosignatures into
 * `merkle_cosignatures`.
 */
export function startWitnessing(
  options: WitnessingOptions & { db: Kysely<GatewayDatabase>; logId: string; signingKey: JWK },
): WitnessCollector {
  const { db, logId } = options;
  const { d: _private, ...publicJwk } = options.signingKey;
  return startWitnessCollector({
    policy: () => directoryWitnesses(options.directory),
    logKeys: (origin) => [noteKeyFromJwk(origin, NOTE_ED25519, publicJwk)],
    newest: () => newestCheckpoint(db, logId),
    cosigned: () => cosignedSizes(db, logId),
    proof: async (first, second) => (await consistencyProof(db, logId, first, second)).map(fromBase64),
    store: (cosignature) => saveCosignature(db, logId, cosignature, Date.now()),
    logger: options.logger,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.intervalMs ? { intervalMs: options.intervalMs } : {}),
    ...(options.backoff ? { backoff: options.backoff } : {}),
  });
}
