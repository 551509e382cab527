import type { X509Certificate } from 'node:crypto';
import type {
  Organisation,
  OrganisationKey,
  OrganisationKind,
  OrganisationRole,
  PrivacyContact,
  PublicJwk,
} from '@poortwachter/protocol';
import { invalidField, ProblemError } from '@poortwachter/protocol';
import type { Kysely, Transaction } from 'kysely';
import { type Actor, OPERATOR } from '../domain/actor.ts';
import { checkAnchoringCertificate, checkX5c } from '../domain/key-certificate.ts';
import { toPublicJwk } from '../domain/public-jwk.ts';
import { toInstant, toInterval } from '../domain/time.ts';
import { isHttpsOrLocal } from '../domain/web-address.ts';
import type { RegistryDatabase } from '../storage/database.ts';
import type { OrganisationKeyRow, OrganisationRow } from '../storage/tables/organisation.table.ts';
import { type RegistryDb, recordChange } from './changes.ts';

export interface KeyInput {
  jwk: Record<string, unknown>;
  validFrom?: string;
  validTo?: string | null;
  /** Its certificate chain, base64 DER, leaf first (RFC 7517): anchors the key outside the registry. */
  x5c?: string[];
  /** A compact JWS by another key of the organisation endorsing this one (key continuity). */
  endorsement?: string;
}
export interface OrganisationInput {
  name: string;
  kind: OrganisationKind;
  roles: OrganisationRole[];
  /** On update: left out keeps what is registered; null removes it. */
  privacyContact?: PrivacyContact | null;
  /** On update: left out keeps what is registered. */
  webOrigins?: string[];
}

/**
 * A web origin as a browser sends it in `Origin`: scheme, host and port only. https, or http for
 * this machine (development). `name` is where it sits in the request body.
 */
export function webOrigin(value: string, name: string): string {
  const invalid = (reason: string) => invalidField(name, reason, 'origin');
  if (!URL.canParse(value)) throw invalid('Geef een origin als https://mijn.example.nl.');
  const url = new URL(value);
  if (url.origin !== value) {
    throw invalid(`Alleen schema, host en poort, zonder pad of slash aan het eind: ${url.origin}.`);
  }
  if (!isHttpsOrLocal(url)) {
    throw invalid('Gebruik https (http alleen voor localhost).');
  }
  return value;
}

function contactOf(value: PrivacyContact, name: string): PrivacyContact {
  if (!value.email && !value.phone && !value.url) {
    throw invalidField(name, 'Geef ten minste een e-mailadres, telefoonnummer of webadres.', 'required');
  }
  if (value.url !== undefined) {
    const url = URL.canParse(value.url) ? new URL(value.url) : undefined;
    if (url?.protocol !== 'https:') throw invalidField(`${name}.url`, 'Geef een https-adres.', 'url');
  }
  if (value.email !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value.email)) {
    throw invalidField(`${name}.email`, 'Dit is geen e-mailadres.', 'email');
  }
  return value;
}

/** The contact and origins of an input, checked; undefined members are left as they are. */
function contactColumns(input: OrganisationInput) {
  return {
    ...(input.privacyContact === undefined
      ? {}
      : {
          privacy_contact:
            input.privacyContact === null ? null : JSON.stringify(contactOf(input.privacyContact, 'privacyContact')),
        }),
    ...(input.webOrigins === undefined
      ? {}
      : {
          web_origins: JSON.stringify([...new Set(input.webOrigins.map((o, i) => webOrigin(o, `webOrigins[${i}]`)))]),
        }),
  };
}

const toKey = (row: OrganisationKeyRow): OrganisationKey => ({
  kid: row.kid,
  jwk: JSON.parse(row.jwk) as PublicJwk,
  status: row.status,
  revokedAt: row.revoked_at,
  validFrom: row.valid_from,
  validTo: row.valid_to,
  // Optional in the directory: a key without them reads as it did before issue 28.
  ...(row.x5c === null ? {} : { x5c: JSON.parse(row.x5c) as string[] }),
  ...(row.endorsement === null ? {} : { endorsement: row.endorsement }),
});

const toOrganisation = (row: OrganisationRow, keys: OrganisationKeyRow[]): Organisation => ({
  oin: row.oin,
  name: row.name,
  kind: row.kind as OrganisationKind,
  roles: JSON.parse(row.roles) as OrganisationRole[],
  keys: keys.map(toKey),
  revokedAt: row.revoked_at,
  privacyContact: row.privacy_contact === null ? null : (JSON.parse(row.privacy_contact) as PrivacyContact),
  webOrigins: JSON.parse(row.web_origins) as string[],
});

export async function listOrganisations(db: RegistryDb): Promise<Organisation[]> {
  const [rows, keys] = await Promise.all([
    db.selectFrom('organisations').selectAll().orderBy('oin').execute(),
    db.selectFrom('organisation_keys').selectAll().orderBy('created_at').orderBy('kid').execute(),
  ]);
  return rows.map((row) =>
    toOrganisation(
      row,
      keys.filter((k) => k.oin === row.oin),
    ),
  );
}

export async function findOrganisation(db: RegistryDb, oin: string): Promise<Organisation | undefined> {
  const row = await db.selectFrom('organisations').selectAll().where('oin', '=', oin).executeTakeFirst();
  if (!row) return undefined;
  const keys = await db
    .selectFrom('organisation_keys')
    .selectAll()
    .where('oin', '=', oin)
    .orderBy('created_at')
    .orderBy('kid')
    .execute();
  return toOrganisation(row, keys);
}

export async function getOrganisation(db: RegistryDb, oin: string): Promise<Organisation> {
  const organisation = await findOrganisation(db, oin);
  if (!organisation) throw new ProblemError('notFound', `Organisation ${oin} does not exist.`);
  return organisation;
}

/** `prefix` is where the key sits in the request body (`keys[0]`), empty for a body that is the key. */
async function insertKey(trx: Transaction<RegistryDatabase>, oin: string, input: KeyInput, prefix: string, now: Date) {
  const name = prefix ? `${prefix}.jwk` : 'jwk';
  const jwk = await toPublicJwk(input.jwk, name);
  const interval = toInterval(input.validFrom, input.validTo, now);
  if (input.x5c) checkX5c(input.x5c, jwk, prefix ? `${prefix}.x5c` : 'x5c');
  const existing = await trx
    .selectFrom('organisation_keys')
    .select(['oin'])
    .where('kid', '=', jwk.kid)
    .executeTakeFirst();
  if (existing) {
    throw new ProblemError('conflict', `Key ${jwk.kid} is already registered (to ${existing.oin}).`, {
      invalidParams: [{ name, code: 'duplicateKey', reason: 'Deze sleutel is al geregistreerd.' }],
    });
  }
  await trx
    .insertInto('organisation_keys')
    .values({
      kid: jwk.kid,
      oin,
      jwk: JSON.stringify(jwk),
      status: 'active',
      revoked_at: null,
      valid_from: interval.from,
      valid_to: interval.to,
      x5c: input.x5c ? JSON.stringify(input.x5c) : null,
      endorsement: input.endorsement ?? null,
      created_at: now.toISOString(),
    })
    .execute();
  return jwk.kid;
}

export async function createOrganisation(
  db: Kysely<RegistryDatabase>,
  input: OrganisationInput & { oin: string; keys?: KeyInput[] },
  actor: Actor,
  now = new Date(),
): Promise<Organisation> {
  const at = now.toISOString();
  await db.transaction().execute(async (trx) => {
    if (await findOrganisation(trx, input.oin)) {
      throw new ProblemError('conflict', `Organisation ${input.oin} already exists.`, {
        invalidParams: [{ name: 'oin', code: 'duplicate', reason: 'Deze OIN is al geregistreerd.' }],
      });
    }
    await trx
      .insertInto('organisations')
      .values({
        oin: input.oin,
        name: input.name,
        kind: input.kind,
        roles: JSON.stringify(input.roles),
        privacy_contact: null,
        web_origins: '[]',
        ...contactColumns(input),
        created_at: at,
        updated_at: at,
        revoked_at: null,
      })
      .execute();
    for (const [index, key] of (input.keys ?? []).entries())
      await insertKey(trx, input.oin, key, `keys[${index}]`, now);
    await recordChange(trx, {
      entity: 'organisation',
      entityId: input.oin,
      action: 'create',
      actor,
      record: await getOrganisation(trx, input.oin),
      at,
    });
  });
  return getOrganisation(db, input.oin);
}

export async function updateOrganisation(
  db: Kysely<RegistryDatabase>,
  oin: string,
  input: OrganisationInput,
  actor: Actor,
  now = new Date(),
) {
  const at = now.toISOString();
  await db.transaction().execute(async (trx) => {
    await getOrganisation(trx, oin);
    await trx
      .updateTable('organisations')
      .set({
        name: input.name,
        kind: input.kind,
        roles: JSON.stringify(input.roles),
        ...contactColumns(input),
        updated_at: at,
      })
      .where('oin', '=', oin)
      .execute();
    await recordChange(trx, {
      entity: 'organisation',
      entityId: oin,
      action: 'update',
      actor,
      record: await getOrganisation(trx, oin),
      at,
    });
  });
  return getOrganisation(db, oin);
}

export async function addKey(
  db: Kysely<RegistryDatabase>,
  oin: string,
  input: KeyInput,
  actor: Actor,
  now = new Date(),
): Promise<OrganisationKey> {
  const at = now.toISOString();
  const kid = await db.transaction().execute(async (trx) => {
    const organisation = await getOrganisation(trx, oin);
    if (organisation.revokedAt) throw new ProblemError('conflict', `Organisation ${oin} is revoked.`);
    const kid = await insertKey(trx, oin, input, '', now);
    // The key as written (its validity, certificate, endorsement), so that a replay of the log can
    // compare the directory's key with it (`registry verify`); before issue 28 the record held the kid only.
    const record = (await getOrganisation(trx, oin)).keys.find((k) => k.kid === kid);
    await recordChange(trx, { entity: 'organisation', entityId: oin, action: 'add-key', actor, record, at });
    return kid;
  });
  const key = (await getOrganisation(db, oin)).keys.find((k) => k.kid === kid);
  if (!key) throw new Error('key vanished after insert');
  return key;
}

/**
 * Gives a registered key its certificate chain (`x5c`, leaf first): the operator's recorded act that
 * anchors a key listed before issue 28 (or the organisation's own). The chain must anchor exactly that
 * key for that OIN to one of `anchors`, now (`checkAnchoringCertificate`: 400 naming the member). Only an
 * active key without one: a chain once published is not swapped (a new certificate is a new key, or an
 * endorsement). Records the change (`certify-key`).
 */
export async function setKeyCertificate(
  db: Kysely<RegistryDatabase>,
  oin: string,
  kid: string,
  x5c: string[],
  anchors: readonly X509Certificate[],
  actor: Actor,
  now = new Date(),
): Promise<OrganisationKey> {
  const at = now.toISOString();
  await db.transaction().execute(async (trx) => {
    const key = (await getOrganisation(trx, oin)).keys.find((k) => k.kid === kid);
    if (!key) throw new ProblemError('notFound', `Organisation ${oin} has no key ${kid}.`);
    if (key.status === 'revoked') throw new ProblemError('conflict', `Key ${kid} is revoked: add a new key instead.`);
    if (key.x5c)
      throw new ProblemError(
        'conflict',
        `Key ${kid} has a certificate already; a new certificate is a new key (POST /v1/organisations/${oin}/keys).`,
      );
    checkAnchoringCertificate(x5c, oin, key.jwk, anchors, now, 'x5c');
    await trx
      .updateTable('organisation_keys')
      .set({ x5c: JSON.stringify(x5c) })
      .where('kid', '=', kid)
      .execute();
    await recordChange(trx, {
      entity: 'organisation',
      entityId: oin,
      action: 'certify-key',
      actor,
      record: { kid, x5c },
      at,
    });
  });
  const key = (await getOrganisation(db, oin)).keys.find((k) => k.kid === kid);
  if (!key) throw new Error('key vanished after update');
  return key;
}

/**
 * The operator's revoke of a key may only withhold. A key's revoke or reject of a contract, signed after
 * the moment the operator names, would stop counting with it, and the contract it ended would be in force
 * again: access that party withdrew, granted back by the operator. So that moment may not lie before such
 * a signature (409, naming the contracts). The organisation itself may (it undoes its own decision).
 */
async function refuseUndoingWithholds(trx: Kysely<RegistryDatabase>, oin: string, kid: string, when: string) {
  const withholds = await trx
    .selectFrom('contract_signatures')
    .select(['hash', 'type', 'signed_at'])
    .where('kid', '=', kid)
    .where('type', 'in', ['reject', 'revoke'])
    .execute();
  // The gateways count a signature only while its signed_at lies before its key's revokedAt (contractStatus).
  const undone = withholds.filter((s) => Date.parse(s.signed_at) >= Date.parse(when));
  if (undone.length === 0) return;
  throw new ProblemError(
    'conflict',
    `The operator cannot revoke key ${kid} of ${oin} from ${when}: it signed ${undone
      .map((s) => `the ${s.type} of contract ${s.hash} at ${s.signed_at}`)
      .join(', ')} after that moment, and that contract would be in force again. Revoke it from a moment after ${undone
      .map((s) => s.signed_at)
      .sort()
      .at(-1)}, or have the organisation revoke it.`,
  );
}

/**
 * Revokes one key from `revokedAt` (default now; the moment it leaked), by the organisation or the
 * operator alike: not before the key's validFrom, and not later than now (a later end is `validTo`; a
 * key revoked from a future moment would sign on until then, and could be revoked no sooner). A revoked
 * key is never reactivated.
 */
export async function revokeKey(
  db: Kysely<RegistryDatabase>,
  oin: string,
  kid: string,
  revokedAt: string | undefined,
  actor: Actor,
  now = new Date(),
) {
  const at = now.toISOString();
  const when = revokedAt === undefined ? at : toInstant(revokedAt, 'revokedAt');
  await db.transaction().execute(async (trx) => {
    const key = (await getOrganisation(trx, oin)).keys.find((k) => k.kid === kid);
    if (!key) throw new ProblemError('notFound', `Organisation ${oin} has no key ${kid}.`);
    if (key.status === 'revoked') throw new ProblemError('conflict', `Key ${kid} is already revoked.`);
    if (when < key.validFrom)
      throw invalidField('revokedAt', 'revokedAt ligt voor het begin van de geldigheid van de sleutel.');
    if (when > at)
      throw invalidField(
        'revokedAt',
        'revokedAt ligt in de toekomst. Trek de sleutel in vanaf nu of vanaf het moment dat hij uitlekte.',
        'inFuture',
      );
    if (actor === OPERATOR) await refuseUndoingWithholds(trx, oin, kid, when);
    await trx
      .updateTable('organisation_keys')
      .set({ status: 'revoked', revoked_at: when })
      .where('kid', '=', kid)
      .execute();
    await recordChange(trx, {
      entity: 'organisation',
      entityId: oin,
      action: 'revoke-key',
      actor,
      record: { kid, revokedAt: when },
      at,
    });
  });
  return getOrganisation(db, oin);
}

/** Revokes an organisation and all its active keys. */
export async function revokeOrganisation(
  db: Kysely<RegistryDatabase>,
  oin: string,
  revokedAt: string | undefined,
  actor: Actor,
  now = new Date(),
) {
  const at = now.toISOString();
  const when = revokedAt === undefined ? at : toInstant(revokedAt, 'revokedAt');
  await db.transaction().execute(async (trx) => {
    const organisation = await getOrganisation(trx, oin);
    if (organisation.revokedAt) throw new ProblemError('conflict', `Organisation ${oin} is already revoked.`);
    await trx.updateTable('organisations').set({ revoked_at: when, updated_at: at }).where('oin', '=', oin).execute();
    await trx
      .updateTable('organisation_keys')
      .set({ status: 'revoked', revoked_at: when })
      .where('oin', '=', oin)
      .where('status', '=', 'active')
      .execute();
    await recordChange(trx, {
      entity: 'organisation',
      entityId: oin,
      action: 'revoke',
      actor,
      record: { revokedAt: when },
      at,
    });
  });
  return getOrganisation(db, oin);
}
