import { join } from 'node:path';
import { COSIGNATURE_ED25519, formatVkey, noteKeyFromJwk } from '@poortwachter/protocol';
import { DEMO_WITNESS_QUORUM, DEMO_WITNESSES } from '@poortwachter/seeds';
import type { Kysely } from 'kysely';
import { OPERATOR } from '../domain/actor.ts';
import { addWitness } from '../repositories/witnesses.ts';
import type { RegistryDatabase } from '../storage/database.ts';
import { loadOrCreateKey, publicJwkOf } from './key-files.ts';

/** Where the demo's witnesses answer, by their id in `DEMO_WITNESSES` (`pnpm start`: ports 8313 and 8314). */
export type DemoWitnessUrls = Readonly<Record<(typeof DEMO_WITNESSES)[number]['id'], string>>;

/**
 * Lists the demo's two witnesses with quorum 2, making each one's key (Ed25519, demo-marked) under
 * `keyDir` for the witness to sign with (`WITNESS_KEY_FILE`). Only in a registry whose witnesses were
 * never changed: one whose operator listed, removed or set anything keeps what it has. Returns whether
 * it listed them.
 */
export async function seedDemoWitnesses(
  db: Kysely<RegistryDatabase>,
  options: { keyDir: string; urls: DemoWitnessUrls; now?: Date },
): Promise<boolean> {
  const changed = await db
    .selectFrom('registry_changes')
    .select('serial')
    .where('entity', 'in', ['witness', 'witness-quorum'])
    .limit(1)
    .executeTakeFirst();
  if (changed) return false;
  for (const [index, witness] of DEMO_WITNESSES.entries()) {
    const { jwk } = await loadOrCreateKey(join(options.keyDir, witness.keyFile), 'Ed25519', { demo: true });
    const vkey = formatVkey(noteKeyFromJwk(witness.name, COSIGNATURE_ED25519, publicJwkOf(jwk)));
    // The quorum grows with them: a majority of the witnesses listed at each step, both at the end.
    await addWitness(
      db,
      {
        vkey,
        url: options.urls[witness.id],
        operator: witness.operator,
        quorum: Math.min(index + 1, DEMO_WITNESS_QUORUM),
      },
      OPERATOR,
      options.now,
    );
  }
  return true;
}
