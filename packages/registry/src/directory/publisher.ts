import type { SignedChangesPage } from '@poortwachter/protocol';
import {
  CHANGES_TYP,
  type ChangeLogHead,
  DIRECTORY_TYP,
  type DirectorySnapshot,
  TREE_HEAD_TYP,
} from '@poortwachter/protocol';
import { CompactSign, calculateJwkThumbprint, GeneralSign, importJWK, type JWK } from 'jose';
import type { Kysely } from 'kysely';
import { listAutorisaties } from '../repositories/autorisaties.ts';
import { currentSerial } from '../repositories/changes.ts';
import { listGrondslagen } from '../repositories/grondslagen.ts';
import { listIdentityProviders } from '../repositories/identity-providers.ts';
import { listOrganisations } from '../repositories/organisations.ts';
import { listProcessingActivities } from '../repositories/processing-activities.ts';
import { listServices } from '../repositories/services.ts';
import type { RegistryDatabase } from '../storage/database.ts';

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
}

interface SigningKey {
  readonly alg: 'EdDSA' | 'ES256';
  readonly kid: string;
  readonly publicJwk: JWK;
  readonly key: Awaited<ReturnType<typeof importJWK>>;
}

async function signingKey(privateJwk: JWK): Promise<SigningKey> {
  const { d: _d, ...publicJwk } = privateJwk;
  const alg = privateJwk.kty === 'OKP' ? 'EdDSA' : 'ES256';
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  return { alg, kid, publicJwk: { ...publicJwk, kid, alg, use: 'sig' }, key: await importJWK(privateJwk, alg) };
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
    // Read everything in one transaction so the snapshot is consistent with its serial.
    const snapshot = await db.transaction().execute(async (trx): Promise<DirectorySnapshot> => {
      const { serial } = await currentSerial(trx);
      return {
        serial,
        issued_at: new Date().toISOString(),
        resign_interval_seconds: resignAfterMs / 1000,
        organisations: await listOrganisations(trx),
        services: await listServices(trx),
        grondslagen: await listGrondslagen(trx),
        processing_activities: await listProcessingActivities(trx),
        autorisaties: await listAutorisaties(trx),
        identity_providers: await listIdentityProviders(trx),
        ...(keys.length > 1 ? { registry_keys: keys.map((k) => k.publicJwk) } : {}),
      };
    });
    const payload = new TextEncoder().encode(JSON.stringify(snapshot));
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
