import type { X509Certificate } from 'node:crypto';
import type {
  Organisation,
  OrganisationKey,
  ProcessingActivity,
  ProcessingActivityChange,
  SignedChangesPage,
} from '@poortwachter/protocol';
import { invalidField, OIN_PATTERN, ProblemError, parseDateTime, versionAt } from '@poortwachter/protocol';
import { type Context, Hono } from 'hono';
import type { Kysely } from 'kysely';
import { contractsNoLongerBinding, trustedSnapshot } from '../../directory/contracts-no-longer-binding.ts';
import type { DirectoryPublisher } from '../../directory/publisher.ts';
import { OPERATOR } from '../../domain/actor.ts';
import { signsForItself, whyNotAnchored } from '../../domain/anchored-key.ts';
import { authoriseChange, type ChangeTarget } from '../../domain/change-rules.ts';
import { checkAnchoringCertificate, checkX5c } from '../../domain/key-certificate.ts';
import { toPublicJwk } from '../../domain/public-jwk.ts';
import { currentSerial, listChanges } from '../../repositories/changes.ts';
import {
  createGrondslag,
  type GrondslagInput,
  getGrondslag,
  listGrondslagen,
  revokeGrondslag,
  updateGrondslag,
} from '../../repositories/grondslagen.ts';
import {
  createIdentityProvider,
  getIdentityProvider,
  type IdentityProviderInput,
  listIdentityProviders,
  revokeIdentityProvider,
  updateIdentityProvider,
} from '../../repositories/identity-providers.ts';
import {
  addKey,
  createOrganisation,
  getOrganisation,
  type KeyInput,
  listOrganisations,
  type OrganisationInput,
  revokeKey,
  revokeOrganisation,
  setKeyCertificate,
  updateOrganisation,
} from '../../repositories/organisations.ts';
import {
  addProcessingActivityVersion,
  createProcessingActivity,
  getProcessingActivity,
  listProcessingActivities,
  type ProcessingActivityInput,
  revokeProcessingActivity,
} from '../../repositories/processing-activities.ts';
import {
  createService,
  getService,
  getServiceOpenApi,
  listServices,
  revokeService,
  type ServiceInput,
  updateService,
} from '../../repositories/services.ts';
import type { RegistryDatabase } from '../../storage/database.ts';
import type { ChangeEnv } from '../admin-auth.ts';
import { readJson } from '../problem-response.ts';
import type { RequestSchemaName } from '../schemas.ts';
import { validateBody } from '../validate-body.ts';

/** Parses and validates a JSON body against one of the published schemas. */
async function body<T>(c: Context<ChangeEnv>, schema: RequestSchemaName): Promise<T> {
  return validateBody<T>(schema, await readJson(c));
}

function oinParam(oin: string): string {
  if (!new RegExp(OIN_PATTERN).test(oin))
    throw invalidField('oin', 'Een OIN bestaat uit precies 20 cijfers.', 'pattern');
  return oin;
}

/**
 * The registry's records: public reads (the same facts the directory publishes) and changes, each
 * authenticated (`authenticateChange`, see app.ts) and authorised per record by `authoriseChange`.
 */
export function recordRoutes(
  db: Kysely<RegistryDatabase>,
  publisher?: Pick<DirectoryPublisher, 'signChanges'>,
  /** The trust anchors a key an organisation adds must be anchored to. */
  anchors: readonly X509Certificate[] = [],
) {
  const app = new Hono<ChangeEnv>();
  const registryWide = (what: string) => ({ what, owners: [], operator: true });

  app.get('/organisations', async (c) => c.json(await listOrganisations(db)));
  app.get('/organisations/:oin', async (c) => c.json(await getOrganisation(db, oinParam(c.req.param('oin')))));
  app.post('/organisations', async (c) => {
    const input = await body<OrganisationInput & { oin: string; keys?: KeyInput[] }>(c, 'organisation-create');
    authoriseChange(c.var.actor, registryWide('onboarding an organisation'));
    const organisation = await createOrganisation(db, input, c.var.actor);
    return c.json(organisation, 201, { location: `/v1/organisations/${organisation.oin}` });
  });
  app.put('/organisations/:oin', async (c) => {
    const oin = oinParam(c.req.param('oin'));
    const input = await body<OrganisationInput>(c, 'organisation-update');
    authoriseChange(c.var.actor, organisationUpdateTarget(await getOrganisation(db, oin), input));
    return c.json(await updateOrganisation(db, oin, input, c.var.actor));
  });
  app.post('/organisations/:oin/revoke', async (c) => {
    const { revokedAt } = await body<{ revokedAt?: string }>(c, 'revoke');
    authoriseChange(c.var.actor, registryWide('revoking an organisation'));
    return c.json(await revokeOrganisation(db, oinParam(c.req.param('oin')), revokedAt, c.var.actor));
  });
  app.post('/organisations/:oin/keys', async (c) => {
    const oin = oinParam(c.req.param('oin'));
    const input = await body<KeyInput>(c, 'key-create');
    const organisation = await getOrganisation(db, oin);
    if (c.var.actor === OPERATOR) {
      // The operator adds a key only for an organisation left without an anchored key (onboarded before
      // issue 28, or its last one revoked), and only one its certificate anchors: the act gives the
      // operator no key of its own, since the gateways check the chain again.
      const own = await signsForItself(organisation, anchors, new Date());
      authoriseChange(c.var.actor, {
        what: own ? `the keys of ${oin}, which holds an anchored key,` : `the keys of ${oin}`,
        owners: [oin],
        operator: !own,
      });
      if (!input.x5c)
        throw invalidField('x5c', 'De beheerder voegt alleen een sleutel toe met zijn certificaatketen.', 'required');
      checkAnchoringCertificate(input.x5c, oin, await toPublicJwk(input.jwk, 'jwk'), anchors, new Date(), 'x5c');
    } else {
      authoriseChange(c.var.actor, { what: `the keys of ${oin}`, owners: [oin], operator: false });
      // A key an organisation adds itself must be anchored (x5c to a trust anchor, or an endorsement by
      // its current anchored key): otherwise whoever holds one key could add keys no anchor vouches for.
      const why = await whyNotAnchored(organisation, await candidateKey(input), anchors);
      if (why) throw new ProblemError('unauthorized', `Organisation ${oin} cannot add this key: ${why}.`);
    }
    const key = await addKey(db, oin, input, c.var.actor);
    return c.json(key, 201, { location: `/v1/organisations/${oin}#${key.kid}` });
  });
  // The operator's act that anchors a key listed before issue 28 (or the organisation's own, signed).
  app.put('/organisations/:oin/keys/:kid/certificate', async (c) => {
    const oin = oinParam(c.req.param('oin'));
    const kid = c.req.param('kid');
    const { x5c } = await body<{ x5c: string[] }>(c, 'key-certificate');
    authoriseChange(c.var.actor, { what: `the certificate of key ${kid} of ${oin}`, owners: [oin], operator: true });
    return c.json(await setKeyCertificate(db, oin, kid, x5c, anchors, c.var.actor));
  });
  // Revoking a key only withholds: it grants nothing, and a signature made before its revokedAt still
  // counts. So the operator may revoke one key too (a leaked key that revoked the organisation's others).
  app.post('/organisations/:oin/keys/:kid/revoke', async (c) => {
    const { revokedAt } = await body<{ revokedAt?: string }>(c, 'revoke');
    const oin = oinParam(c.req.param('oin'));
    authoriseChange(c.var.actor, { what: `the keys of ${oin}`, owners: [oin], operator: true });
    return c.json(await revokeKey(db, oin, c.req.param('kid'), revokedAt, c.var.actor));
  });

  app.get('/services', async (c) => c.json(await listServices(db)));
  app.get('/services/:id', async (c) => c.json(await getService(db, c.req.param('id'))));
  app.get('/services/:id/openapi', async (c) => {
    const document = await getServiceOpenApi(db, c.req.param('id'));
    if (!document) throw new ProblemError('notFound', `Service ${c.req.param('id')} has no OpenAPI document.`);
    return c.json(document);
  });
  app.post('/services', async (c) => {
    const input = await body<ServiceInput & { id: string }>(c, 'service-create');
    authoriseChange(c.var.actor, serviceTarget(input.id, [input.providerOin]));
    const service = await createService(db, input, c.var.actor);
    return c.json(service, 201, { location: `/v1/services/${service.id}` });
  });
  app.put('/services/:id', async (c) => {
    const id = c.req.param('id');
    const input = await body<ServiceInput>(c, 'service-update');
    authoriseChange(c.var.actor, serviceTarget(id, [(await getService(db, id)).providerOin, input.providerOin]));
    return c.json(await updateService(db, id, input, c.var.actor));
  });
  app.post('/services/:id/revoke', async (c) => {
    const id = c.req.param('id');
    authoriseChange(c.var.actor, serviceTarget(id, [(await getService(db, id)).providerOin]));
    return c.json(await revokeService(db, id, c.var.actor));
  });

  app.get('/grondslagen', async (c) => c.json(await listGrondslagen(db)));
  app.get('/grondslagen/:id', async (c) => c.json(await getGrondslag(db, c.req.param('id'))));
  app.post('/grondslagen', async (c) => {
    const input = await body<GrondslagInput & { id: string }>(c, 'grondslag-create');
    authoriseChange(c.var.actor, registryWide('the grondslagen'));
    const grondslag = await createGrondslag(db, input, c.var.actor);
    return c.json(grondslag, 201, { location: `/v1/grondslagen/${grondslag.id}` });
  });
  app.put('/grondslagen/:id', async (c) => {
    const input = await body<GrondslagInput>(c, 'grondslag-update');
    authoriseChange(c.var.actor, registryWide('the grondslagen'));
    return c.json(await updateGrondslag(db, c.req.param('id'), input, c.var.actor));
  });
  app.post('/grondslagen/:id/revoke', async (c) => {
    authoriseChange(c.var.actor, registryWide('the grondslagen'));
    return c.json(await revokeGrondslag(db, c.req.param('id'), c.var.actor));
  });

  // Processing activity ids are URIs: clients percent-encode them in the path.
  app.get('/processing-activities', async (c) => c.json(await listProcessingActivities(db)));
  app.get('/processing-activities/:id', async (c) => {
    const activity = await getProcessingActivity(db, c.req.param('id'));
    const at = c.req.query('at');
    if (at === undefined) return c.json(activity);
    const instant = parseDateTime(at);
    if (!instant) throw invalidField('at', 'at is geen datum-tijd die bestaat (2026-11-23T14:00:00Z).', 'date');
    const version = versionAt(activity, new Date(instant.ms).toISOString());
    if (!version)
      throw invalidField('at', `Op ${at} was er nog geen versie van deze verwerkingsactiviteit.`, 'beforeFirstVersion');
    return c.json(version);
  });
  app.post('/processing-activities', async (c) => {
    const input = await body<ProcessingActivityInput & { id: string }>(c, 'processing-activity-create');
    authoriseChange(c.var.actor, activityTarget(input.id, [input.responsibleOin]));
    const activity = await createProcessingActivity(db, input, c.var.actor);
    return c.json(activity, 201, { location: `/v1/processing-activities/${encodeURIComponent(activity.id)}` });
  });
  // The answer names the contracts the new version stops (each needs a new one both sides sign), so
  // that whoever changes an activity learns it here, not from refused queries.
  app.put('/processing-activities/:id', async (c) => {
    const id = c.req.param('id');
    const input = await body<ProcessingActivityInput>(c, 'processing-activity-version');
    const before = await getProcessingActivity(db, id);
    authoriseChange(c.var.actor, activityTarget(id, [responsibleOf(before), input.responsibleOin]));
    const directory = await trustedSnapshot(db, anchors);
    const now = new Date();
    const activity = await addProcessingActivityVersion(db, id, input, c.var.actor, now);
    const answer: ProcessingActivityChange = {
      ...activity,
      contractsNoLongerBinding: contractsNoLongerBinding(directory, before, activity, now),
    };
    return c.json(answer);
  });
  app.post('/processing-activities/:id/revoke', async (c) => {
    const id = c.req.param('id');
    authoriseChange(c.var.actor, activityTarget(id, [responsibleOf(await getProcessingActivity(db, id))]));
    return c.json(await revokeProcessingActivity(db, id, c.var.actor));
  });

  app.get('/identity-providers', async (c) => c.json(await listIdentityProviders(db)));
  app.get('/identity-providers/:issuer', async (c) => c.json(await getIdentityProvider(db, c.req.param('issuer'))));
  app.post('/identity-providers', async (c) => {
    const input = await body<IdentityProviderInput & { issuer: string }>(c, 'identity-provider-create');
    authoriseChange(c.var.actor, registryWide('the identity providers'));
    const provider = await createIdentityProvider(db, input, c.var.actor);
    return c.json(provider, 201, { location: `/v1/identity-providers/${encodeURIComponent(provider.issuer)}` });
  });
  app.put('/identity-providers/:issuer', async (c) => {
    const input = await body<IdentityProviderInput>(c, 'identity-provider-update');
    authoriseChange(c.var.actor, registryWide('the identity providers'));
    return c.json(await updateIdentityProvider(db, c.req.param('issuer'), input, c.var.actor));
  });
  app.post('/identity-providers/:issuer/revoke', async (c) => {
    authoriseChange(c.var.actor, registryWide('the identity providers'));
    return c.json(await revokeIdentityProvider(db, c.req.param('issuer'), c.var.actor));
  });

  app.get('/changes', async (c) => {
    const after = c.req.query('afterSerial');
    const entity = c.req.query('entity');
    const entityId = c.req.query('entityId');
    const afterSerial = after && /^\d+$/.test(after) ? Number(after) : 0;
    const changes = await listChanges(db, {
      ...(entity ? { entity } : {}),
      ...(entityId ? { entityId } : {}),
      afterSerial,
    });
    // Signed, for auditors' reports that replay the registry's history: same key as the directory.
    if (publisher && (c.req.header('accept') ?? '').includes('application/jose')) {
      const { serial } = await currentSerial(db);
      const jws = await publisher.signChanges({
        serial,
        afterSerial,
        changes: changes as SignedChangesPage['changes'],
      });
      return c.body(jws, 200, { 'content-type': 'application/jose' });
    }
    return c.json(changes);
  });

  /** The organisation responsible for a verwerkingsactiviteit now (its latest version). */
  function responsibleOf(activity: ProcessingActivity): string {
    const latest = activity.versions.at(-1);
    if (!latest) throw new ProblemError('notFound', `Verwerkingsactiviteit ${activity.id} does not exist.`);
    return latest.responsibleOin;
  }

  return app;
}

/** A key as it would be registered, to ask whether it would be anchored. */
async function candidateKey(input: KeyInput): Promise<OrganisationKey> {
  // The key's own mistakes first (a private member, a chain that does not hold it), each a 400 naming it.
  const jwk = await toPublicJwk(input.jwk, 'jwk');
  if (input.x5c) checkX5c(input.x5c, jwk, 'x5c');
  return {
    kid: jwk.kid,
    jwk,
    status: 'active',
    revokedAt: null,
    validFrom: input.validFrom ?? new Date().toISOString(),
    validTo: input.validTo ?? null,
    ...(input.x5c ? { x5c: input.x5c } : {}),
    ...(input.endorsement ? { endorsement: input.endorsement } : {}),
  };
}

/** A verwerkingsactiviteit is its responsible organisation's (before and after the change). */
const activityTarget = (id: string, owners: readonly string[]): ChangeTarget => ({
  what: `verwerkingsactiviteit ${id}`,
  owners,
  operator: false,
});

/** A service is published by the operator, and changed by the operator or its bronhouder. */
const serviceTarget = (id: string, owners: readonly string[]): ChangeTarget => ({
  what: `service ${id}`,
  owners,
  operator: true,
});

/**
 * An organisation changes its own name, privacy contact and web origins; its kind and roles are
 * onboarding facts the operator sets. A change to both at once is refused to both.
 */
function organisationUpdateTarget(current: Organisation, input: OrganisationInput): ChangeTarget {
  const onboardingFacts =
    current.kind !== input.kind ||
    JSON.stringify([...current.roles].sort()) !== JSON.stringify([...input.roles].sort());
  const ownFacts =
    current.name !== input.name ||
    (input.privacyContact !== undefined &&
      JSON.stringify(current.privacyContact ?? null) !== JSON.stringify(input.privacyContact)) ||
    (input.webOrigins !== undefined && JSON.stringify(current.webOrigins ?? []) !== JSON.stringify(input.webOrigins));
  if (onboardingFacts && !ownFacts)
    return { what: `the kind and roles of organisation ${current.oin}`, owners: [], operator: true };
  if (onboardingFacts)
    return {
      what: `the kind and roles of organisation ${current.oin} (change them apart)`,
      owners: [],
      operator: false,
    };
  return { what: `organisation ${current.oin}`, owners: [current.oin], operator: false };
}
