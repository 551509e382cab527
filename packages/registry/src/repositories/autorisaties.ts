import { randomUUID } from 'node:crypto';
import type { Autorisatie, Protocol, Quota, ServiceDescription } from '@poortwachter/protocol';
import { type InvalidParam, ProblemError } from '@poortwachter/protocol';
import type { Kysely } from 'kysely';
import type { Actor } from '../domain/actor.ts';
import { toInterval } from '../domain/time.ts';
import type { RegistryDatabase } from '../storage/database.ts';
import type { AutorisatieRow } from '../storage/tables/autorisatie.table.ts';
import { type RegistryDb, recordChange, revokeRecord } from './changes.ts';
import { checkOrganisationRole, refuseIfAny } from './integrity.ts';
import { getProcessingActivity } from './processing-activities.ts';
import { serviceSearchTypes } from './service-description.ts';

export interface AutorisatieInput {
  afnemerOin: string;
  serviceId: string;
  processingActivityId: string;
  fields: string[];
  searchTypes: string[];
  validFrom?: string;
  validTo?: string | null;
  /** The afnemer's quota at the service's gateways; left out or null: the gateways' default. */
  quota?: Quota | null;
}

const toAutorisatie = (row: AutorisatieRow): Autorisatie => ({
  id: row.id,
  afnemerOin: row.afnemer_oin,
  serviceId: row.service_id,
  processingActivityId: row.processing_activity_id,
  fields: JSON.parse(row.fields) as string[],
  searchTypes: JSON.parse(row.search_types) as string[],
  validFrom: row.valid_from,
  validTo: row.valid_to,
  revokedAt: row.revoked_at,
  // Optional in the directory: an autorisatie without one reads as it did before quotas.
  ...(row.quota === null ? {} : { quota: JSON.parse(row.quota) as Quota }),
});

export async function listAutorisaties(db: RegistryDb, filter: { afnemerOin?: string } = {}): Promise<Autorisatie[]> {
  let query = db.selectFrom('autorisaties').selectAll().orderBy('afnemer_oin').orderBy('id');
  if (filter.afnemerOin) query = query.where('afnemer_oin', '=', filter.afnemerOin);
  return (await query.execute()).map(toAutorisatie);
}

export async function getAutorisatie(db: RegistryDb, id: string): Promise<Autorisatie> {
  const row = await db.selectFrom('autorisaties').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new ProblemError('notFound', `Autorisatie ${id} does not exist.`);
  return toAutorisatie(row);
}

/**
 * The integrity rules of an autorisatie: an existing afnemer, an existing service, a processing
 * activity of that afnemer, field paths from the service's catalogue and search types its protocol
 * or its description knows (a `haal-centraal-hal` service's operation ids). Every violation is named in one 400.
 */
async function checkAutorisatie(db: RegistryDb, input: AutorisatieInput): Promise<void> {
  const problems: InvalidParam[] = [];
  const afnemer = await checkOrganisationRole(db, input.afnemerOin, 'afnemer', 'afnemerOin');
  if (afnemer) problems.push(afnemer);

  const service = await db.selectFrom('services').selectAll().where('id', '=', input.serviceId).executeTakeFirst();
  if (!service || service.revoked_at) {
    problems.push({ name: 'serviceId', code: 'unknownService', reason: `Dienst ${input.serviceId} bestaat niet.` });
  } else {
    const fields = JSON.parse(service.field_catalogue) as { path: string; automatic?: unknown }[];
    const catalogue = new Set(fields.filter((f) => !f.automatic).map((f) => f.path));
    const automatic = new Set(fields.filter((f) => f.automatic).map((f) => f.path));
    input.fields.forEach((path, index) => {
      if (automatic.has(path)) {
        problems.push({
          name: `fields[${index}]`,
          code: 'automaticField',
          reason: `Veld ${path} wordt altijd automatisch geleverd waar het van toepassing is; het wordt niet geautoriseerd.`,
        });
      } else if (!catalogue.has(path)) {
        problems.push({
          name: `fields[${index}]`,
          code: 'unknownField',
          reason: `Veld ${path} staat niet in de veldencatalogus van dienst ${input.serviceId}.`,
        });
      }
    });
    const searchTypes = serviceSearchTypes({
      protocol: service.protocol as Protocol,
      ...(service.description === null ? {} : { description: JSON.parse(service.description) as ServiceDescription }),
    });
    input.searchTypes.forEach((type, index) => {
      if (!searchTypes.includes(type)) {
        problems.push({
          name: `searchTypes[${index}]`,
          code: 'unknownSearchType',
          reason: `Zoekvraag ${type} bestaat niet in protocol ${service.protocol} of de beschrijving van dienst ${input.serviceId}.`,
        });
      }
    });
  }

  const activity = await getProcessingActivity(db, input.processingActivityId).catch(() => undefined);
  const latest = activity?.versions.at(-1);
  if (!latest || latest.revokedAt) {
    problems.push({
      name: 'processingActivityId',
      code: 'unknownProcessingActivity',
      reason: `Verwerkingsactiviteit ${input.processingActivityId} bestaat niet.`,
    });
  } else if (latest.responsibleOin !== input.afnemerOin) {
    problems.push({
      name: 'processingActivityId',
      code: 'foreignProcessingActivity',
      reason: `Verwerkingsactiviteit ${input.processingActivityId} is van ${latest.responsibleOin}, niet van de afnemer ${input.afnemerOin}.`,
    });
  }
  refuseIfAny(problems, 'The autorisatie is not consistent with the registry.');
}

function toColumns(input: AutorisatieInput, now: Date) {
  const interval = toInterval(input.validFrom, input.validTo, now);
  return {
    afnemer_oin: input.afnemerOin,
    service_id: input.serviceId,
    processing_activity_id: input.processingActivityId,
    fields: JSON.stringify(input.fields),
    search_types: JSON.stringify(input.searchTypes),
    valid_from: interval.from,
    valid_to: interval.to,
    quota: input.quota
      ? JSON.stringify({ requestsPerSecond: input.quota.requestsPerSecond, burst: input.quota.burst })
      : null,
  };
}

export async function createAutorisatie(
  db: Kysely<RegistryDatabase>,
  input: AutorisatieInput & { id?: string },
  actor: Actor,
  now = new Date(),
): Promise<Autorisatie> {
  const at = now.toISOString();
  const id = input.id ?? randomUUID();
  const columns = toColumns(input, now);
  await db.transaction().execute(async (trx) => {
    const exists = await trx.selectFrom('autorisaties').select('id').where('id', '=', id).executeTakeFirst();
    if (exists) {
      throw new ProblemError('conflict', `Autorisatie ${id} already exists.`, {
        invalidParams: [{ name: 'id', code: 'duplicate', reason: 'Deze autorisatie bestaat al.' }],
      });
    }
    await checkAutorisatie(trx, input);
    await trx
      .insertInto('autorisaties')
      .values({ id, ...columns, created_at: at, updated_at: at, revoked_at: null })
      .execute();
    // The change holds the record as stored, so history can be replayed as it was.
    await recordChange(trx, {
      entity: 'autorisatie',
      entityId: id,
      action: 'create',
      actor,
      record: await getAutorisatie(trx, id),
      at,
    });
  });
  return getAutorisatie(db, id);
}

export async function updateAutorisatie(
  db: Kysely<RegistryDatabase>,
  id: string,
  input: AutorisatieInput,
  actor: Actor,
  now = new Date(),
) {
  const at = now.toISOString();
  const columns = toColumns(input, now);
  await db.transaction().execute(async (trx) => {
    const current = await getAutorisatie(trx, id);
    if (current.revokedAt) throw new ProblemError('conflict', `Autorisatie ${id} is revoked; create a new one.`);
    await checkAutorisatie(trx, input);
    await trx
      .updateTable('autorisaties')
      .set({ ...columns, updated_at: at })
      .where('id', '=', id)
      .execute();
    // The change log keeps the previous state, so "what was authorised on that date" stays answerable.
    await recordChange(trx, {
      entity: 'autorisatie',
      entityId: id,
      action: 'update',
      actor,
      record: { ...(await getAutorisatie(trx, id)), previous: current },
      at,
    });
  });
  return getAutorisatie(db, id);
}

export function revokeAutorisatie(db: Kysely<RegistryDatabase>, id: string, actor: Actor, now = new Date()) {
  return revokeRecord(
    db,
    { table: 'autorisaties', key: 'id', id, entity: 'autorisatie', label: 'Autorisatie', get: getAutorisatie },
    actor,
    now,
  );
}
