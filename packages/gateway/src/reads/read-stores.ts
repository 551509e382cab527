import type { RegistryHistory } from '@poortwachter/sdk';
import type { Kysely } from 'kysely';
import type { GatewayDatabase } from '../storage/tables.ts';

/** What the log's readers read from, set on `c.var.reads` for every reader sub-app. */
export interface ReadStores {
  readonly db: Kysely<GatewayDatabase>;
  readonly serviceId: string;
  /** This instance (the id of its Merkle log; the one that runs the coverage jobs it starts). */
  readonly instanceId: string;
  /** The name of this log in the Logboek read API's metadata. */
  readonly logbookId: string;
  /** The registry's history, which the coverage report replays. */
  readonly history: RegistryHistory;
  readonly pseudonymise: (bsn: string) => string;
  readonly now: () => number;
  /** Signs a head over this instance's log now, so that a report covers what is committed. */
  readonly signHeads: () => Promise<unknown>;
}
