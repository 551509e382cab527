import type { CatalogueField, Protocol, SearchParameter, Service } from '@poortwachter/protocol';
import { type InvalidParam, isAtOrBelow, ProblemError } from '@poortwachter/protocol';
import type { Kysely } from 'kysely';
import type { RegistryDatabase } from '../storage/database.ts';
import type { ServiceRow } from '../storage/tables/service.table.ts';
import { type RegistryDb, recordChange, revokeRecord } from './changes.ts';
import { checkOrganisationRole, refuseIfAny } from './integrity.ts';

export interface ServiceInput {
  providerOin: string;
  name: string;
  gatewayUrl: string;
  protocol: Protocol;
  fieldCatalogue: CatalogueField[];
  dataSubjectPaths: string[];
  searchParameters?: SearchParameter[];
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
  revokedAt: row.revoked_at,
});

const toColumns = (input: ServiceInput) => ({
  provider_oin: input.providerOin,
  name: input.name,
  gateway_url: input.gatewayUrl,
  protocol: input.protocol,
  field_catalogue: JSON.stringify(input.fieldCatalogue),
  data_subject_paths: JSON.stringify(input.dataSubjectPaths),
  search_parameters: JSON.stringify(input.searchParameters ?? []),
});

export async function listServices(db: RegistryDb): Promise<Service[]> {
  return (await db.selectFrom('services').selectAll().orderBy('id').execute()).map(toService);
}

export async function getService(db: RegistryDb, id: string): Promise<Service> {
  const row = await db.selectFrom('services').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new ProblemError('notFound', `Service ${id} does not exist.`);
  return toService(row);
}

async function checkService(db: RegistryDb, input: ServiceInput): Promise<void> {
  const problems: InvalidParam[] = [];
  const provider = await checkOrganisationRole(db, input.providerOin, 'bronhouder', 'providerOin');
  if (provider) problems.push(provider);
  problems.push(...catalogueProblems(input));
  refuseIfAny(problems, 'The service is not consistent with the registry.');
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

/** Paths that autorisaties on this service still use but that the new catalogue would drop. */
async function checkCatalogueStillCovers(db: RegistryDb, serviceId: string, catalogue: CatalogueField[]) {
  const paths = new Set(catalogue.filter((f) => !f.automatic).map((f) => f.path));
  const autorisaties = await db
    .selectFrom('autorisaties')
    .select(['id', 'fields'])
    .where('service_id', '=', serviceId)
    .where('revoked_at', 'is', null)
    .execute();
  const problems: InvalidParam[] = [];
  for (const autorisatie of autorisaties) {
    for (const path of JSON.parse(autorisatie.fields) as string[]) {
      if (!paths.has(path)) {
        problems.push({
          name: 'fieldCatalogue',
          code: 'pathInUse',
          reason: `Pad ${path} wordt nog gebruikt door autorisatie ${autorisatie.id}.`,
        });
      }
    }
  }
  if (problems.length > 0) {
    throw new ProblemError('conflict', 'The new catalogue drops paths that autorisaties still use.', {
      invalidParams: problems,
    });
  }
}

export async function createService(
  db: Kysely<RegistryDatabase>,
  input: ServiceInput & { id: string },
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
    await checkService(trx, input);
    await trx
      .insertInto('services')
      .values({
        id: input.id,
        ...toColumns(input),
        created_at: at,
        updated_at: at,
        revoked_at: null,
      })
      .execute();
    await recordChange(trx, { entity: 'service', entityId: input.id, action: 'create', record: input, at });
  });
  return getService(db, input.id);
}

export async function updateService(db: Kysely<RegistryDatabase>, id: string, input: ServiceInput, now = new Date()) {
  const at = now.toISOString();
  await db.transaction().execute(async (trx) => {
    await getService(trx, id);
    await checkService(trx, input);
    await checkCatalogueStillCovers(trx, id, input.fieldCatalogue);
    await trx
      .updateTable('services')
      .set({ ...toColumns(input), updated_at: at })
      .where('id', '=', id)
      .execute();
    await recordChange(trx, { entity: 'service', entityId: id, action: 'update', record: input, at });
  });
  return getService(db, id);
}

export function revokeService(db: Kysely<RegistryDatabase>, id: string, now = new Date()) {
  return revokeRecord(
    db,
    { table: 'services', key: 'id', id, entity: 'service', label: 'Service', get: getService },
    now,
  );
}
