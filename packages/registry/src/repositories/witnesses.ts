import {
  COSIGNATURE_ED25519,
  formatVkey,
  invalidField,
  type NoteKey,
  ProblemError,
  parseVkey,
  type Witness,
} from '@poortwachter/protocol';
import type { Kysely, Transaction } from 'kysely';
import type { Actor } from '../domain/actor.ts';
import { isHttpsOrLocal } from '../domain/web-address.ts';
import type { RegistryDatabase } from '../storage/database.ts';
import type { WitnessRow } from '../storage/tables/witness.table.ts';
import { type RegistryDb, recordChange } from './changes.ts';

/** The witnesses the directory lists and how many of them must cosign a head (`witness_quorum`). */
export interface WitnessPolicyRecord {
  readonly witnesses: readonly Witness[];
  readonly quorum: number;
}

export interface WitnessInput {
  /** C2SP verifier key of the witness's cosignature key (type 0x04); its name is the witness's name. */
  vkey: string;
  url: string;
  operator?: string;
  /** The quorum from this change on; left out keeps the current one (refused when that is no majority then). */
  quorum?: number;
}

const toWitness = (row: WitnessRow): Witness => ({
  name: row.name,
  vkey: row.vkey,
  url: row.url,
  ...(row.operator === null ? {} : { operator: row.operator }),
});

/** The quorums that are a majority of `count` witnesses: two of them always share a witness. */
export function majorityRange(count: number): { min: number; max: number } {
  return count === 0 ? { min: 0, max: 0 } : { min: Math.floor(count / 2) + 1, max: count };
}

/**
 * Refuses a quorum that is not a majority of `count` witnesses (`quorum > count / 2`, `quorum <= count`):
 * with two quorums that share no witness, two honest witnesses that each saw one branch of a split
 * view would let both through. A 400 naming `quorum`.
 */
export function checkMajority(quorum: number, count: number): void {
  const { min, max } = majorityRange(count);
  if (Number.isInteger(quorum) && quorum >= min && quorum <= max) return;
  const range = min === max ? `${min}` : `${min} tot en met ${max}`;
  throw invalidField(
    'quorum',
    count === 0
      ? `Zonder getuigen is het quorum 0, niet ${quorum}.`
      : `Met ${count} getuige${count === 1 ? '' : 'n'} is het quorum ${range}, niet ${quorum}: een meerderheid, zodat twee quorums altijd een getuige delen.`,
    'majority',
  );
}

/** A witness's address: https (http only to this machine), no credentials, query or fragment; no trailing `/`. */
function witnessUrl(value: string): string {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (!url) throw invalidField('url', 'Geef een volledige URL, zoals https://getuige.example.nl.', 'url');
  if (!isHttpsOrLocal(url)) throw invalidField('url', 'Gebruik https (http alleen voor localhost).', 'url');
  if (url.username || url.password || url.hash || url.search) {
    throw invalidField('url', 'Zonder gebruikersnaam, wachtwoord, ?-deel of #-deel.', 'url');
  }
  return url.href.replace(/\/+$/, '');
}

/** The witness's cosignature key from its vkey, or a 400 naming `vkey`. */
function cosignatureKey(vkey: string): NoteKey {
  let key: NoteKey;
  try {
    key = parseVkey(vkey);
  } catch (error) {
    throw invalidField(
      'vkey',
      `Geen verifier key (naam+sleutel-id+base64): ${error instanceof Error ? error.message : String(error)}.`,
      'vkey',
    );
  }
  if (key.type !== COSIGNATURE_ED25519) {
    throw invalidField('vkey', 'Een getuige tekent met een Ed25519 cosignature/v1-sleutel (type 0x04).', 'vkeyType');
  }
  return key;
}

export async function listWitnesses(db: RegistryDb): Promise<Witness[]> {
  return (await db.selectFrom('witnesses').selectAll().orderBy('name').execute()).map(toWitness);
}

export async function currentWitnessPolicy(db: RegistryDb): Promise<WitnessPolicyRecord> {
  const row = await db.selectFrom('witness_policy').select('quorum').where('id', '=', 1).executeTakeFirst();
  return { witnesses: await listWitnesses(db), quorum: Number(row?.quorum ?? 0) };
}

export async function getWitness(db: RegistryDb, name: string): Promise<Witness> {
  const row = await db.selectFrom('witnesses').selectAll().where('name', '=', name).executeTakeFirst();
  if (!row) throw new ProblemError('notFound', `Witness ${name} is not listed.`);
  return toWitness(row);
}

/**
 * Runs a change of the witnesses in one transaction that first takes the policy row: concurrent
 * changes take turns, so each checks the majority against what the one before it left.
 */
async function changePolicy<T>(
  db: Kysely<RegistryDatabase>,
  at: string,
  change: (trx: Transaction<RegistryDatabase>, current: WitnessPolicyRecord) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await trx.updateTable('witness_policy').set({ updated_at: at }).where('id', '=', 1).execute();
    return change(trx, await currentWitnessPolicy(trx));
  });
}

/** Sets the quorum and records it in the change log, when it changes. */
async function recordQuorum(
  trx: Transaction<RegistryDatabase>,
  from: number,
  quorum: number,
  actor: Actor,
  at: string,
): Promise<void> {
  if (quorum === from) return;
  await trx.updateTable('witness_policy').set({ quorum, updated_at: at }).where('id', '=', 1).execute();
  await recordChange(trx, {
    entity: 'witness-quorum',
    entityId: 'witness_quorum',
    action: 'update',
    actor,
    record: { quorum },
    at,
  });
}

/**
 * Lists a witness in the directory, with the quorum from then on (the current one when left out):
 * refuses a name or a key listed already (409) and a quorum that is not a majority (400).
 */
export async function addWitness(
  db: Kysely<RegistryDatabase>,
  input: WitnessInput,
  actor: Actor,
  now = new Date(),
): Promise<WitnessPolicyRecord> {
  const at = now.toISOString();
  const key = cosignatureKey(input.vkey);
  const url = witnessUrl(input.url);
  return changePolicy(db, at, async (trx, current) => {
    if (current.witnesses.some((w) => w.name === key.name)) {
      throw new ProblemError('conflict', `Witness ${key.name} is listed already.`, {
        invalidParams: [{ name: 'vkey', code: 'duplicate', reason: 'Er staat al een getuige met deze naam.' }],
      });
    }
    // One key under two names would count one witness twice towards the quorum.
    const sameKey = current.witnesses.find((w) => Buffer.from(parseVkey(w.vkey).publicKey).equals(key.publicKey));
    if (sameKey) {
      throw new ProblemError('conflict', `Witness ${sameKey.name} has this key already.`, {
        invalidParams: [{ name: 'vkey', code: 'duplicate', reason: `Getuige ${sameKey.name} heeft deze sleutel al.` }],
      });
    }
    const quorum = input.quorum ?? current.quorum;
    checkMajority(quorum, current.witnesses.length + 1);
    const witness: Witness = {
      name: key.name,
      vkey: formatVkey(key),
      url,
      ...(input.operator === undefined ? {} : { operator: input.operator }),
    };
    await trx
      .insertInto('witnesses')
      .values({ ...witness, operator: input.operator ?? null, created_at: at, updated_at: at })
      .execute();
    await recordChange(trx, { entity: 'witness', entityId: key.name, action: 'create', actor, record: witness, at });
    await recordQuorum(trx, current.quorum, quorum, actor, at);
    return currentWitnessPolicy(trx);
  });
}

/**
 * Takes a witness off the directory, with the quorum from then on (the current one when left out):
 * a quorum that is not a majority of the witnesses left is refused (400).
 */
export async function removeWitness(
  db: Kysely<RegistryDatabase>,
  name: string,
  options: { quorum?: number },
  actor: Actor,
  now = new Date(),
): Promise<WitnessPolicyRecord> {
  const at = now.toISOString();
  return changePolicy(db, at, async (trx, current) => {
    const witness = await getWitness(trx, name);
    const quorum = options.quorum ?? current.quorum;
    checkMajority(quorum, current.witnesses.length - 1);
    await trx.deleteFrom('witnesses').where('name', '=', name).execute();
    await recordChange(trx, { entity: 'witness', entityId: name, action: 'remove', actor, record: witness, at });
    await recordQuorum(trx, current.quorum, quorum, actor, at);
    return currentWitnessPolicy(trx);
  });
}

/** Sets how many listed witnesses must cosign a head: a majority of them (400 otherwise). */
export async function setWitnessQuorum(
  db: Kysely<RegistryDatabase>,
  quorum: number,
  actor: Actor,
  now = new Date(),
): Promise<WitnessPolicyRecord> {
  const at = now.toISOString();
  return changePolicy(db, at, async (trx, current) => {
    checkMajority(quorum, current.witnesses.length);
    await recordQuorum(trx, current.quorum, quorum, actor, at);
    return currentWitnessPolicy(trx);
  });
}
