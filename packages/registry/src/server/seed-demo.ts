import { join } from 'node:path';
import type { ServiceBetrokkene } from '@poortwachter/protocol';
import {
  brkAutorisaties,
  brkService,
  brpService,
  DEMO_GRONDSLAGEN,
  DEMO_OIN,
  DEMO_ORGANISATIONS,
  DEMO_PROCESSING_ACTIVITIES,
  DEV_IDENTITY_PROVIDER,
  demoAutorisaties,
} from '@poortwachter/seeds';
import type { Kysely } from 'kysely';
import { OPERATOR } from '../domain/actor.ts';
import { DEMO_GROUP_ID } from '../domain/contract-terms.ts';
import { createGrondslag } from '../repositories/grondslagen.ts';
import {
  createIdentityProvider,
  listIdentityProviders,
  updateIdentityProvider,
} from '../repositories/identity-providers.ts';
import { createOrganisation } from '../repositories/organisations.ts';
import { createProcessingActivity } from '../repositories/processing-activities.ts';
import { createService, getService, updateService } from '../repositories/services.ts';
import type { RegistryDatabase } from '../storage/database.ts';
import { certifyDemoKey, certifyRegisteredDemoKeys, loadOrCreateDemoCa } from './demo-certificates.ts';
import { signDemoContracts } from './demo-contracts.ts';
import { type DemoWitnessUrls, seedDemoWitnesses } from './demo-witnesses.ts';
import { loadOrCreateKey, publicJwkOf } from './key-files.ts';

export interface SeedOptions {
  /** Where demo private keys go: `<keyDir>/<OIN>.jwk.json`, mode 0600. */
  readonly keyDir: string;
  /** The public URL of the BRP gateway, as the directory publishes it. */
  readonly gatewayUrl: string;
  /**
   * The public URL of Kadaster's BRK inway. Without it the BRK service and its autorisaties are left
   * out (a test registry whose gateways serve the BRP only); Kadaster itself is always seeded.
   */
  readonly brkGatewayUrl?: string;
  /** The issuer URL of the development identity provider (default http://localhost:8303). */
  readonly identityProviderUrl?: string;
  /**
   * The development identity provider runs beside this registry (the server entry says so): register
   * its introspection endpoint (`<issuer>/introspect`), so that gateways refuse a token at once when the
   * citizen logged out. Off for tests that sign citizens' tokens themselves with no provider running.
   */
  readonly identityProviderIntrospection?: boolean;
  /**
   * Origins of the citizens' page (`pnpm start` serves it on port 8305): registered as web origins of
   * RvIG, which runs that page in the demo, so that the gateways let it call the citizen endpoints.
   */
  readonly portalOrigins?: readonly string[];
  /** The registry's FSC group, which the demo contracts name (default `poortwachter-demo`). */
  readonly groupId?: string;
  /**
   * Where the demo's two witnesses answer (`pnpm start` runs them): they are listed with quorum 2 and
   * their keys made under `keyDir` (`seedDemoWitnesses`). Without it none is listed: a registry a test
   * or a bench starts runs no witness, and its readers accept heads unwitnessed, saying so.
   */
  readonly witnessUrls?: DemoWitnessUrls;
  readonly now?: Date;
}

/** Whether the table holds a row with that key (revoked ones too: the seed never brings one back). */
async function has(
  db: Kysely<RegistryDatabase>,
  table: 'organisations' | 'grondslagen' | 'services' | 'processing_activity_versions',
  column: 'oin' | 'id',
  value: string,
): Promise<boolean> {
  const row = await db
    .selectFrom(table)
    .select(column as never)
    .where(column as never, '=', value as never)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Seeds the demo registry: the demo CA (`keyDir/demo-ca.pem`, the demo's trust anchor), the demo
 * organisations (each with a freshly generated key, kept under `keyDir`, each marked as a demo key, and
 * certified by the demo CA), grondslagen, verwerkingsactiviteiten, RvIG's BRP service, Kadaster's BRK
 * service, the demo autorisaties as contracts both parties signed with the demo keys, and the development
 * identity provider (its key under `keyDir` too). It goes through the same repository functions as the
 * API, so the seed obeys the same integrity rules and signature checks.
 * On a registry that holds organisations already it gives the development identity provider of a
 * registry seeded before issue 25 its introspection endpoint, and a demo registry (RvIG is in it)
 * gains the demo records it lacks (Kadaster and BRK, issue 26; certificates and signed contracts,
 * issue 28), keeping all it has; with `witnessUrls` it lists the demo's witnesses when its operator
 * never changed them (issue 30). Returns whether the registry was empty.
 */
export async function seedDemoRegistry(db: Kysely<RegistryDatabase>, options: SeedOptions): Promise<boolean> {
  const now = options.now ?? new Date();
  const issuer = options.identityProviderUrl ?? DEV_IDENTITY_PROVIDER.issuer;
  const introspectionEndpoint = options.identityProviderIntrospection
    ? `${issuer.replace(/\/+$/, '')}${DEV_IDENTITY_PROVIDER.introspectionPath}`
    : undefined;
  const any = await db.selectFrom('organisations').select('oin').limit(1).executeTakeFirst();
  if (any) {
    const registered = (await listIdentityProviders(db)).find((p) => p.issuer === issuer);
    if (introspectionEndpoint && registered && registered.revokedAt === null && !registered.introspectionEndpoint) {
      const { issuer: _issuer, revokedAt: _revokedAt, jwks, ...rest } = registered;
      await updateIdentityProvider(
        db,
        issuer,
        { ...rest, jwks: { keys: [...jwks.keys] }, introspectionEndpoint },
        OPERATOR,
      );
    }
    if (await has(db, 'organisations', 'oin', DEMO_OIN.rvig)) {
      await seedDemoRecords(db, options, now);
      if (options.witnessUrls) await seedDemoWitnesses(db, { keyDir: options.keyDir, urls: options.witnessUrls, now });
    }
    return false;
  }
  await seedDemoRecords(db, options, now);
  // The development identity provider (examples/dev-idp) reads this key; citizens' tokens from it are trusted.
  const idp = await loadOrCreateKey(join(options.keyDir, DEV_IDENTITY_PROVIDER.keyFile), 'P-256', { demo: true });
  await createIdentityProvider(
    db,
    {
      issuer,
      name: DEV_IDENTITY_PROVIDER.name,
      audience: DEV_IDENTITY_PROVIDER.audience,
      minimumAssurance: DEV_IDENTITY_PROVIDER.minimumAssurance,
      jwks: { keys: [publicJwkOf(idp.jwk) as Record<string, unknown>] },
      ...(introspectionEndpoint ? { introspectionEndpoint } : {}),
    },
    OPERATOR,
    now,
  );
  if (options.witnessUrls) await seedDemoWitnesses(db, { keyDir: options.keyDir, urls: options.witnessUrls, now });
  return true;
}

/** Every demo record the registry does not hold yet, in an order that satisfies the integrity rules. */
async function seedDemoRecords(db: Kysely<RegistryDatabase>, options: SeedOptions, now: Date): Promise<void> {
  const ca = await loadOrCreateDemoCa(options.keyDir, now);
  for (const organisation of DEMO_ORGANISATIONS) {
    if (await has(db, 'organisations', 'oin', organisation.oin)) continue;
    const { jwk } = await loadOrCreateKey(join(options.keyDir, `${organisation.oin}.jwk.json`), organisation.keyType, {
      demo: true,
    });
    const validFrom = new Date(now.getTime() - 86_400_000);
    await createOrganisation(
      db,
      {
        oin: organisation.oin,
        name: organisation.name,
        kind: organisation.kind,
        roles: [...organisation.roles],
        privacyContact: organisation.privacyContact,
        ...(organisation.oin === DEMO_OIN.rvig ? { webOrigins: [...(options.portalOrigins ?? [])] } : {}),
        keys: [
          {
            jwk: publicJwkOf(jwk) as Record<string, unknown>,
            validFrom: validFrom.toISOString(),
            x5c: [certifyDemoKey(ca, organisation, jwk, validFrom)],
          },
        ],
      },
      OPERATOR,
      now,
    );
  }
  for (const grondslag of DEMO_GRONDSLAGEN) {
    if (!(await has(db, 'grondslagen', 'id', grondslag.id))) await createGrondslag(db, { ...grondslag }, OPERATOR, now);
  }
  for (const activity of DEMO_PROCESSING_ACTIVITIES) {
    if (await has(db, 'processing_activity_versions', 'id', activity.id)) continue;
    // In force from before the oldest demo autorisatie (two years back), so every one is covered.
    await createProcessingActivity(
      db,
      {
        ...activity,
        grondslagIds: [...activity.grondslagIds],
        validFrom: new Date(now.getTime() - 800 * 86_400_000).toISOString(),
      },
      OPERATOR,
      now,
    );
  }
  const brkUrl = options.brkGatewayUrl;
  const services = [brpService(options.gatewayUrl), ...(brkUrl === undefined ? [] : [brkService(brkUrl)])];
  for (const service of services) {
    if (!(await has(db, 'services', 'id', service.id))) await createService(db, service, OPERATOR, now);
    else await offerBetrokkene(db, service.id, service.betrokkene, now);
  }
  // A demo registry from before issue 28: its keys gain certificates, its autorisaties (migrated to
  // proposed contracts) the demo parties' signatures.
  await certifyRegisteredDemoKeys(db, ca, options.keyDir, now);
  const autorisaties = [...demoAutorisaties(now), ...(brkUrl === undefined ? [] : brkAutorisaties(now))];
  await signDemoContracts(db, {
    keyDir: options.keyDir,
    trust: { anchors: [ca.certificate], groupId: options.groupId ?? DEMO_GROUP_ID },
    autorisaties,
    now,
  });
}

/**
 * A demo service from before issue 29 gains what it offers the citizen (their own data, terugmeldingen);
 * one its bronhouder already set up is left as it is.
 */
async function offerBetrokkene(
  db: Kysely<RegistryDatabase>,
  id: string,
  betrokkene: ServiceBetrokkene,
  now: Date,
): Promise<void> {
  const { revokedAt: _revoked, id: _id, ...service } = await getService(db, id);
  if (service.betrokkene) return;
  await updateService(
    db,
    id,
    {
      ...service,
      fieldCatalogue: [...service.fieldCatalogue],
      dataSubjectPaths: [...service.dataSubjectPaths],
      searchParameters: [...service.searchParameters],
      betrokkene,
    },
    OPERATOR,
    now,
  );
}
