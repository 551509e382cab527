import { createHash } from 'node:crypto';
import type {
  CatalogueField,
  OpenApiObject,
  Protocol,
  SearchParameter,
  Service,
  ServiceBetrokkene,
  ServiceDescription,
} from '@poortwachter/protocol';
import { type InvalidParam, isAtOrBelow, ProblemError } from '@poortwachter/protocol';
import type { Kysely } from 'kysely';
import type { Actor } from '../domain/actor.ts';
import type { RegistryDatabase } from '../storage/database.ts';
import type { ServiceRow } from '../storage/tables/service.table.ts';
import { type RegistryDb, recordChange, revokeRecord } from './changes.ts';
import { listSignedContracts } from './contracts.ts';
import { checkOrganisationRole, refuseIfAny } from './integrity.ts';
import { serviceDescriptionProblems, serviceSearchTypes } from './service-description.ts';

export interface ServiceInput {
  providerOin: string;
  name: string;
  gatewayUrl: string;
  protocol: Protocol;
  fieldCatalogue: CatalogueField[];
  dataSubjectPaths: string[];
  searchParameters?: SearchParameter[];
  /** The service's API as data; required for `haal-centraal-hal`. */
  description?: ServiceDescription;
  /** The OpenAPI document the description is checked against; on update, left out keeps the stored one. */
  openApi?: OpenApiObject;
  /** What the service offers the citizen the data is about; left out: nothing. */
  betrokkene?: ServiceBetrokkene;
}

const toService = (row: ServiceRow): Service => ({
  id: row.id,
  providerOin: row.provider_oin,
  name: row.name,
  gatewayUrl: row.gateway_url,
  protocol: row.protocol as Protocol,
  fieldCatalogue: JSON.parse(row.field_catalogue) as CatalogueField[],
  dataSubjectPaths: JSON.parse(row.data_subject_paths) as string[],
  searchParameters: JSON.parse(row.search_parameters) as SearchParameter[],
  ...(row.description === null ? {} : { description: JSON.parse(row.description) as ServiceDescription }),
  ...(row.betrokkene === null ? {} : { betrokkene: JSON.parse(row.betrokkene) as ServiceBetrokkene }),
  revokedAt: row.revoked_at,
});

const toColumns = (input: ServiceInput, openApi: OpenApiObject | undefined) => ({
  provider_oin: input.providerOin,
  name: input.name,
  gateway_url: input.gatewayUrl,
  protocol: input.protocol,
  field_catalogue: JSON.stringify(input.fieldCatalogue),
  data_subject_paths: JSON.stringify(input.dataSubjectPaths),
  search_parameters: JSON.stringify(input.searchParameters ?? []),
  description: input.description === undefined ? null : JSON.stringify(input.description),
  open_api: openApi === undefined ? null : JSON.stringify(openApi),
  betrokkene: input.betrokkene === undefined ? null : JSON.stringify(input.betrokkene),
});

/**
 * The service as the change history keeps it: the OpenAPI document by its SHA-256 only (it is large,
 * and served at `/v1/services/{id}/openapi`), so that history says which document was checked.
 */
function changeRecord(input: ServiceInput, openApi: OpenApiObject | undefined) {
  const { openApi: _document, ...rest } = input;
  if (openApi === undefined) return rest;
  return { ...rest, openApiSha256: createHash('sha256').update(JSON.stringify(openApi)).digest('hex') };
}

export async function listServices(db: RegistryDb): Promise<Service[]> {
  return (await db.selectFrom('services').selectAll().orderBy('id').execute()).map(toService);
}

export async function getService(db: RegistryDb, id: string): Promise<Service> {
  const row = await db.selectFrom('services').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new ProblemError('notFound', `Service ${id} does not exist.`);
  return toService(row);
}

/** The OpenAPI document stored with a service, if any. */
export async function getServiceOpenApi(db: RegistryDb, id: string): Promise<OpenApiObject | undefined> {
  const row = await db.selectFrom('services').select('open_api').where('id', '=', id).executeTakeFirst();
  if (!row) throw new ProblemError('notFound', `Service ${id} does not exist.`);
  return row.open_api === null ? undefined : (JSON.parse(row.open_api) as OpenApiObject);
}

async function checkService(db: RegistryDb, input: ServiceInput, openApi: OpenApiObject | undefined): Promise<void> {
  const problems: InvalidParam[] = [];
  const provider = await checkOrganisationRole(db, input.providerOin, 'bronhouder', 'providerOin');
  if (provider) problems.push(provider);
  problems.push(...catalogueProblems(input));
  problems.push(...serviceDescriptionProblems(input, openApi));
  if (input.betrokkene) problems.push(...(await betrokkeneProblems(db, input, input.betrokkene)));
  refuseIfAny(problems, 'The service is not consistent with the registry.');
}

/**
 * What a service offers the citizen must be its bronhouder's own: both verwerkingsactiviteiten exist and
 * are the provider's, and the operation is one of the service's that takes a BSN (the BRP's
 * `RaadpleegMetBurgerservicenummer`, or a described operation with a `subjectType: 'BSN'` parameter).
 */
async function betrokkeneProblems(
  db: RegistryDb,
  input: ServiceInput,
  betrokkene: ServiceBetrokkene,
): Promise<InvalidParam[]> {
  const problems: InvalidParam[] = [];
  for (const member of ['inzageActivityId', 'terugmeldingActivityId'] as const) {
    const rows = await db
      .selectFrom('processing_activity_versions')
      .select('responsible_oin')
      .where('id', '=', betrokkene[member])
      .execute();
    if (rows.length === 0)
      problems.push({
        name: `betrokkene.${member}`,
        code: 'unknownProcessingActivity',
        reason: `Verwerkingsactiviteit ${betrokkene[member]} staat niet in het register.`,
      });
    else if (rows.some((r) => r.responsible_oin !== input.providerOin))
      problems.push({
        name: `betrokkene.${member}`,
        code: 'foreignProcessingActivity',
        reason: `Verwerkingsactiviteit ${betrokkene[member]} is niet van de bronhouder ${input.providerOin}.`,
      });
  }
  (betrokkene.anderePersonen ?? []).forEach((prefix, index) => {
    if (!input.fieldCatalogue.some((field) => isAtOrBelow(field.path, prefix)))
      problems.push({
        name: `betrokkene.anderePersonen[${index}]`,
        code: 'unknownField',
        reason: `Er is geen veld ${prefix} in de catalogus van deze dienst.`,
      });
  });
  const takesBsn = input.description
    ? input.description.operations.some(
        (o) => o.id === betrokkene.operation && o.parameters.some((p) => p.subjectType === 'BSN'),
      )
    : betrokkene.operation === 'RaadpleegMetBurgerservicenummer';
  // A described service without its description is refused for that already.
  if (!takesBsn && (input.description || input.protocol === 'brp-personen-v2'))
    problems.push({
      name: 'betrokkene.operation',
      code: 'unknownOperation',
      reason: `Operatie ${betrokkene.operation} van deze dienst zoekt niet op burgerservicenummer.`,
    });
  return problems;
}

/**
 * The catalogue's own consistency: each path once; an automatic field's categories name catalogue
 * paths (or groups of them); each search parameter once, selecting on releasable catalogue paths.
 */
function catalogueProblems(input: ServiceInput): InvalidParam[] {
  const problems: InvalidParam[] = [];
  const seen = new Set<string>();
  const releasable = input.fieldCatalogue.filter((f) => !f.automatic).map((f) => f.path);
  const isPathOrGroup = (path: string) => releasable.some((p) => isAtOrBelow(p, path));
  input.fieldCatalogue.forEach((field, index) => {
    if (seen.has(field.path)) {
      problems.push({
        name: `fieldCatalogue[${index}].path`,
        code: 'duplicate',
        reason: `Pad ${field.path} staat er dubbel in.`,
      });
    }
    seen.add(field.path);
    const delivery = field.automatic;
    if (delivery?.rule === 'besideRequested' && field.path.includes('.')) {
      problems.push({
        name: `fieldCatalogue[${index}].path`,
        code: 'besideRequested',
        reason: `Een veld dat naast gevraagde velden staat (${field.path}) heeft een naam zonder punt.`,
      });
    }
    if (delivery?.rule === 'byCategory') {
      for (const [category, paths] of Object.entries(delivery.categories)) {
        for (const path of paths.filter((p) => !isPathOrGroup(p))) {
          problems.push({
            name: `fieldCatalogue[${index}].automatic.categories.${category}`,
            code: 'unknownField',
            reason: `Pad ${path} staat niet (als veld of groep) in de catalogus.`,
          });
        }
      }
    }
  });
  const names = new Set<string>();
  (input.searchParameters ?? []).forEach((parameter, index) => {
    if (names.has(parameter.name)) {
      problems.push({
        name: `searchParameters[${index}].name`,
        code: 'duplicate',
        reason: `Parameter ${parameter.name} staat er dubbel in.`,
      });
    }
    names.add(parameter.name);
    parameter.selects.forEach((path, i) => {
      if (!releasable.includes(path)) {
        problems.push({
          name: `searchParameters[${index}].selects[${i}]`,
          code: 'unknownField',
          reason: `Pad ${path} is geen veld van de catalogus dat geautoriseerd kan worden.`,
        });
      }
    });
  });
  return problems;
}

/**
 * Refuses a change that would take from the contracts on this service what they still use: a catalogue
 * path, or an operation (search type) of its protocol or description. Every contract counts that is
 * not past its end and that no party rejected or revoked (a proposal too: it may yet be accepted).
 */
async function checkStillCovers(db: RegistryDb, serviceId: string, input: ServiceInput) {
  const paths = new Set(input.fieldCatalogue.filter((f) => !f.automatic).map((f) => f.path));
  const operations = new Set(serviceSearchTypes(input));
  const ended = new Set(
    (await db.selectFrom('contract_signatures').select('hash').where('type', 'in', ['reject', 'revoke']).execute()).map(
      (r) => r.hash,
    ),
  );
  const contracts = await listSignedContracts(db, { notAfterSince: Math.floor(Date.now() / 1000) });
  const problems: InvalidParam[] = [];
  for (const { contract } of contracts) {
    const { data } = contract.content.grants[0];
    if (data.service.name !== serviceId || ended.has(contract.hash)) continue;
    for (const path of data.properties.fields) {
      if (!paths.has(path)) {
        problems.push({
          name: 'fieldCatalogue',
          code: 'pathInUse',
          reason: `Pad ${path} wordt nog gebruikt door contract ${contract.hash}.`,
        });
      }
    }
    for (const operation of data.properties.search_types) {
      if (!operations.has(operation)) {
        problems.push({
          name: input.description ? 'description.operations' : 'protocol',
          code: 'operationInUse',
          reason: `Operatie ${operation} wordt nog gebruikt door contract ${contract.hash}.`,
        });
      }
    }
  }
  if (problems.length > 0) {
    throw new ProblemError('conflict', 'The change drops paths or operations that contracts still use.', {
      invalidParams: problems,
    });
  }
}

export async function createService(
  db: Kysely<RegistryDatabase>,
  input: ServiceInput & { id: string },
  actor: Actor,
  now = new Date(),
) {
  const at = now.toISOString();
  await db.transaction().execute(async (trx) => {
    const exists = await trx.selectFrom('services').select('id').where('id', '=', input.id).executeTakeFirst();
    if (exists) {
      throw new ProblemError('conflict', `Service ${input.id} already exists.`, {
        invalidParams: [{ name: 'id', code: 'duplicate', reason: 'Deze dienst bestaat al.' }],
      });
    }
    const { id: _id, ...service } = input;
    await checkService(trx, service, input.openApi);
    await trx
      .insertInto('services')
      .values({
        id: input.id,
        ...toColumns(service, input.openApi),
        created_at: at,
        updated_at: at,
        revoked_at: null,
      })
      .execute();
    await recordChange(trx, {
      entity: 'service',
      entityId: input.id,
      action: 'create',
      actor,
      record: { id: input.id, ...changeRecord(service, input.openApi) },
      at,
    });
  });
  return getService(db, input.id);
}

export async function updateService(
  db: Kysely<RegistryDatabase>,
  id: string,
  input: ServiceInput,
  actor: Actor,
  now = new Date(),
) {
  const at = now.toISOString();
  await db.transaction().execute(async (trx) => {
    const openApi = input.openApi ?? (await getServiceOpenApi(trx, id));
    await checkService(trx, input, openApi);
    await checkStillCovers(trx, id, input);
    await trx
      .updateTable('services')
      .set({ ...toColumns(input, openApi), updated_at: at })
      .where('id', '=', id)
      .execute();
    await recordChange(trx, {
      entity: 'service',
      entityId: id,
      action: 'update',
      actor,
      record: changeRecord(input, openApi),
      at,
    });
  });
  return getService(db, id);
}

export function revokeService(db: Kysely<RegistryDatabase>, id: string, actor: Actor, now = new Date()) {
  return revokeRecord(
    db,
    { table: 'services', key: 'id', id, entity: 'service', label: 'Service', get: getService },
    actor,
    now,
  );
}
