import type { SignedChangesPage } from '@poortwachter/protocol';
import { invalidField, OIN_PATTERN, ProblemError, parseDateTime, versionAt } from '@poortwachter/protocol';
import { type Context, Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { DirectoryPublisher } from '../../directory/publisher.ts';
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
import { readJson } from '../problem-response.ts';
import type { RequestSchemaName } from '../schemas.ts';
import { validateBody } from '../validate-body.ts';

/** Parses and validates a JSON body against one of the published schemas. */
async function body<T>(c: Context, schema: RequestSchemaName): Promise<T> {
  return validateBody<T>(schema, await readJson(c));
}

function oinParam(oin: string): string {
  if (!new RegExp(OIN_PATTERN).test(oin))
    throw invalidField('oin', 'Een OIN bestaat uit precies 20 cijfers.', 'pattern');
  return oin;
}

/**
 * The registry's records: public reads (the same facts the directory publishes) and admin-only
 * changes (`requireAdmin` guards every method but GET and HEAD, see app.ts).
 */
export function recordRoutes(db: Kysely<RegistryDatabase>, publisher?: Pick<DirectoryPublisher, 'signChanges'>) {
  const app = new Hono();

  app.get('/organisations', async (c) => c.json(await listOrganisations(db)));
  app.get('/organisations/:oin', async (c) => c.json(await getOrganisation(db, oinParam(c.req.param('oin')))));
  app.post('/organisations', async (c) => {
    const input = await body<OrganisationInput & { oin: string; keys?: KeyInput[] }>(c, 'organisation-create');
    const organisation = await createOrganisation(db, input);
    return c.json(organisation, 201, { location: `/v1/organisations/${organisation.oin}` });
  });
  app.put('/organisations/:oin', async (c) => {
    const oin = oinParam(c.req.param('oin'));
    return c.json(await updateOrganisation(db, oin, await body<OrganisationInput>(c, 'organisation-update')));
  });
  app.post('/organisations/:oin/revoke', async (c) => {
    const { revokedAt } = await body<{ revokedAt?: string }>(c, 'revoke');
    return c.json(await revokeOrganisation(db, oinParam(c.req.param('oin')), revokedAt));
  });
  app.post('/organisations/:oin/keys', async (c) => {
    const oin = oinParam(c.req.param('oin'));
    const key = await addKey(db, oin, await body<KeyInput>(c, 'key-create'));
    return c.json(key, 201, { location: `/v1/organisations/${oin}#${key.kid}` });
  });
  app.post('/organisations/:oin/keys/:kid/revoke', async (c) => {
    const { revokedAt } = await body<{ revokedAt?: string }>(c, 'revoke');
    return c.json(await revokeKey(db, oinParam(c.req.param('oin')), c.req.param('kid'), revokedAt));
  });

  app.get('/services', async (c) => c.json(await listServices(db)));
  app.get('/services/:id', async (c) => c.json(await getService(db, c.req.param('id'))));
  app.get('/services/:id/openapi', async (c) => {
    const document = await getServiceOpenApi(db, c.req.param('id'));
    if (!document) throw new ProblemError('notFound', `Service ${c.req.param('id')} has no OpenAPI document.`);
    return c.json(document);
  });
  app.post('/services', async (c) => {
    const service = await createService(db, await body<ServiceInput & { id: string }>(c, 'service-create'));
    return c.json(service, 201, { location: `/v1/services/${service.id}` });
  });
  app.put('/services/:id', async (c) =>
    c.json(await updateService(db, c.req.param('id'), await body<ServiceInput>(c, 'service-update'))),
  );
  app.post('/services/:id/revoke', async (c) => c.json(await revokeService(db, c.req.param('id'))));

  app.get('/grondslagen', async (c) => c.json(await listGrondslagen(db)));
  app.get('/grondslagen/:id', async (c) => c.json(await getGrondslag(db, c.req.param('id'))));
  app.post('/grondslagen', async (c) => {
    const grondslag = await createGrondslag(db, await body<GrondslagInput & { id: string }>(c, 'grondslag-create'));
    return c.json(grondslag, 201, { location: `/v1/grondslagen/${grondslag.id}` });
  });
  app.put('/grondslagen/:id', async (c) =>
    c.json(await updateGrondslag(db, c.req.param('id'), await body<GrondslagInput>(c, 'grondslag-update'))),
  );
  app.post('/grondslagen/:id/revoke', async (c) => c.json(await revokeGrondslag(db, c.req.param('id'))));

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
    const activity = await createProcessingActivity(db, input);
    return c.json(activity, 201, { location: `/v1/processing-activities/${encodeURIComponent(activity.id)}` });
  });
  app.put('/processing-activities/:id', async (c) =>
    c.json(
      await addProcessingActivityVersion(
        db,
        c.req.param('id'),
        await body<ProcessingActivityInput>(c, 'processing-activity-version'),
      ),
    ),
  );
  app.post('/processing-activities/:id/revoke', async (c) =>
    c.json(await revokeProcessingActivity(db, c.req.param('id'))),
  );

  app.get('/identity-providers', async (c) => c.json(await listIdentityProviders(db)));
  app.get('/identity-providers/:issuer', async (c) => c.json(await getIdentityProvider(db, c.req.param('issuer'))));
  app.post('/identity-providers', async (c) => {
    const input = await body<IdentityProviderInput & { issuer: string }>(c, 'identity-provider-create');
    const provider = await createIdentityProvider(db, input);
    return c.json(provider, 201, { location: `/v1/identity-providers/${encodeURIComponent(provider.issuer)}` });
  });
  app.put('/identity-providers/:issuer', async (c) =>
    c.json(
      await updateIdentityProvider(
        db,
        c.req.param('issuer'),
        await body<IdentityProviderInput>(c, 'identity-provider-update'),
      ),
    ),
  );
  app.post('/identity-providers/:issuer/revoke', async (c) =>
    c.json(await revokeIdentityProvider(db, c.req.param('issuer'))),
  );

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

  return app;
}
