import type { SignedChangesPage } from '@poortwachter/protocol';
import {
  CHANGES_TYP,
  type ChangeLogHead,
  type Checkpoint,
  DIRECTORY_TYP,
  type DirectorySnapshot,
  rangeRoot,
  signCheckpoint,
  TREE_HEAD_TYP,
  toBase64,
} from '@poortwachter/protocol';
import { CompactSign, calculateJwkThumbprint, GeneralSign, importJWK, type JWK } from 'jose';
import type { Kysely } from 'kysely';
import { changeLeaves, currentSerial, type RegistryDb } from '../repositories/changes.ts';
import { listSignedContracts } from '../repositories/contracts.ts';
import { listGrondslagen } from '../repositories/grondslagen.ts';
import { listIdentityProviders } from '../repositories/identity-providers.ts';
import { listOrganisations } from '../repositories/organisations.ts';
import { listProcessingActivities } from '../repositories/processing-activities.ts';
import { listServices } from '../repositories/services.ts';
import { currentWitnessPolicy } from '../repositories/witnesses.ts';
import type { RegistryDatabase } from '../storage/database.ts';
import { isPostgres } from '../storage/open-database.ts';

export interface SignedDirectory {
  readonly serial: number;
  /** Compact JWS by the current key (what every verifier reads). */
  readonly jws: string;
  /** JWS JSON general serialization, a signature per key: during a rotation, by the old and the new. */
  readonly jwsJson: string;
}

export interface DirectoryPublisher {
  /** The registry's public signing keys, as served at `/.well-known/jwks.json`. */
  readonly jwks: { keys: JWK[] };
  /** The current snapshot, signed; re-signed only when the serial moved. */
  current(): Promise<SignedDirectory>;
  /** The current serial, cheaply (for `If-None-Match`). */
  serial(): Promise<number>;
  /** Signs a page of the change log with the registry key (typ `poortwachter-changes+jws`). */
  signChanges(page: SignedChangesPage): Promise<string>;
  /** Signs a head of the verifiable change log with the registry key (typ `poortwachter-tree-head+jws`). */
  signHead(head: ChangeLogHead): Promise<string>;
  /** Signs a checkpoint of the change log as a C2SP signed note with the registry key (Ed25519 or P-256). */
  signCheckpoint(checkpoint: Checkpoint): Promise<string>;
}

interface SigningKey {
  readonly alg: 'EdDSA' | 'ES256';
  readonly kid: string;
  readonly publicJwk: JWK;
  readonly key: Awaited<ReturnType<typeof importJWK>>;
  readonly privateJwk: JWK;
}

async function signingKey(privateJwk: JWK): Promise<SigningKey> {
  const { d: _d, ...publicJwk } = privateJwk;
  const alg = privateJwk.kty === 'OKP' ? 'EdDSA' : 'ES256';
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  return {
    alg,
    kid,
    publicJwk: { ...publicJwk, kid, alg, use: 'sig' },
    key: await importJWK(privateJwk, alg),
    privateJwk,
  };
}

/** A day, in seconds: an ended contract stays in the directory this long, for gateways catching up. */
const DAY_S = 86_400;

/**
 * The directory's content as the registry holds it now: every record, and every contract not past its
 * end by more than a day with all its signatures. `autorisaties` is empty: readers derive them from
 * the contracts the parties signed (`trustDirectory`), never from the registry's word. The witnesses
 * and their quorum are always stated, also when there are none (quorum 0: heads are not witnessed), and
 * so is the head of the change log the snapshot reflects (read in the same transaction).
 */
export async function readSnapshot(
  db: RegistryDb,
  options: { resignIntervalSeconds?: number; now?: Date } = {},
): Promise<DirectorySnapshot> {
  const now = options.now ?? new Date();
  const { serial } = await currentSerial(db);
  const contracts = await listSignedContracts(db, { notAfterSince: Math.floor(now.getTime() / 1000) - DAY_S });
  const witnesses = await currentWitnessPolicy(db);
  const leaves = await changeLeaves(db);
  return {
    serial,
    issued_at: now.toISOString(),
    ...(options.resignIntervalSeconds === undefined ? {} : { resign_interval_seconds: options.resignIntervalSeconds }),
    organisations: await listOrganisations(db),
    services: await listServices(db),
    grondslagen: await listGrondslagen(db),
    processing_activities: await listProcessingActivities(db),
    autorisaties: [],
    contracts: contracts.map((c) => c.contract),
    identity_providers: await listIdentityProviders(db),
    witnesses: witnesses.witnesses,
    witness_quorum: witnesses.quorum,
    change_log: { tree_size: leaves.length, root_hash: toBase64(rangeRoot(leaves)) },
  };
}

/**
 * Builds and signs directory snapshots with the registry's private key (ES256 or EdDSA), or with
 * several during a key rotation: the first (the current key) signs the compact JWS, every key signs
 * the JSON serialization, and the snapshot names them all in `registry_keys`, so that a verifier that
 * pinned one learns the others.
 *
 * @example
 * const publisher = await createDirectoryPublisher(db, [currentPrivateJwk, nextPrivateJwk]);
 * const { jws, jwsJson } = await publisher.current();
 */
export async function createDirectoryPublisher(
  db: Kysely<RegistryDatabase>,
  privateJwks: JWK | readonly JWK[],
  /** `resignAfterMs`: how often an unchanged snapshot is signed again (default 60 s; stated in the snapshot). */
  options: { resignAfterMs?: number } = {},
): Promise<DirectoryPublisher> {
  // Re-sign an unchanged directory now and then, so that issued_at stays fresh and gateways that
  // enforce a maximum age keep trusting a registry that simply had nothing to change.
  const resignAfterMs = options.resignAfterMs ?? 60_000;
  const keys = await Promise.all((Array.isArray(privateJwks) ? privateJwks : [privateJwks as JWK]).map(signingKey));
  const [current] = keys;
  if (!current) throw new Error('The registry needs a signing key.');
  const { alg, kid, key } = current;
  let cached: (SignedDirectory & { signedAt: number }) | undefined;
  let building: Promise<SignedDirectory & { signedAt: number }> | undefined;

  async function build(): Promise<SignedDirectory & { signedAt: number }> {
    // Read everything in one transaction so the snapshot is consistent with its serial: as of one
    // moment. PostgreSQL's default, READ COMMITTED, lets each statement see what committed since the
    // last (a serial read before a change, its records after it); REPEATABLE READ reads all of it from
    // the snapshot of the first statement. SQLite's transactions are serialisable already (and kysely's
    // SQLite driver has no isolation level to set).
    const transaction = isPostgres(db) ? db.transaction().setIsolationLevel('repeatable read') : db.transaction();
    const snapshot = await transaction.execute((trx) =>
      readSnapshot(trx, { resignIntervalSeconds: resignAfterMs / 1000 }),
    );
    const signed = keys.length > 1 ? { ...snapshot, registry_keys: keys.map((k) => k.publicJwk) } : snapshot;
    const payload = new TextEncoder().encode(JSON.stringify(signed));
    const jws = await new CompactSign(payload)
      .setProtectedHeader({ alg, kid, typ: DIRECTORY_TYP, cty: 'application/json' })
      .sign(key);
    const general = new GeneralSign(payload);
    for (const k of keys) {
      general
        .addSignature(k.key)
        .setProtectedHeader({ alg: k.alg, kid: k.kid, typ: DIRECTORY_TYP, cty: 'application/json' });
    }
    const jwsJson = JSON.stringify(await general.sign());
    return { serial: snapshot.serial, jws, jwsJson, signedAt: Date.now() };
  }

  return {
    jwks: { keys: keys.map((k) => k.publicJwk) },
    serial: async () => (await currentSerial(db)).serial,
    signChanges: (page) =>
      new CompactSign(new TextEncoder().encode(JSON.stringify(page)))
        .setProtectedHeader({ alg, kid, typ: CHANGES_TYP, cty: 'application/json' })
        .sign(key),
    signHead: (head) =>
      new CompactSign(new TextEncoder().encode(JSON.stringify(head)))
        .setProtectedHeader({ alg, kid, typ: TREE_HEAD_TYP })
        .sign(key),
    signCheckpoint: (checkpoint) => signCheckpoint(checkpoint, current.privateJwk),
    async current() {
      const serial = (await currentSerial(db)).serial;
      if (cached && cached.serial === serial && Date.now() - cached.signedAt < resignAfterMs) return cached;
      building ??= build().finally(() => {
        building = undefined;
      });
      cached = await building;
      return cached;
    },
  };
}
