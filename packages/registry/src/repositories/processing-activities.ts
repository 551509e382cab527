import type { ProcessingActivity, ProcessingActivityVersion, Vertrouwelijkheid } from '@poortwachter/protocol';
import { type InvalidParam, invalidField, ProblemError } from '@poortwachter/protocol';
import type { Kysely } from 'kysely';
import type { Actor } from '../domain/actor.ts';
import { toInstant } from '../domain/time.ts';
import type { RegistryDatabase } from '../storage/database.ts';
import type { ProcessingActivityVersionRow } from '../storage/tables/processing-activity.table.ts';
import { type RegistryDb, recordChange } from './changes.ts';
import { checkOrganisationRole, refuseIfAny } from './integrity.ts';

export interface ProcessingActivityInput {
  name: string;
  doel: string;
  grondslagIds: string[];
  responsibleOin: string;
  bewaartermijn: string;
  vertrouwelijkheid: Vertrouwelijkheid;
  validFrom?: string;
}

const toVersion = (row: ProcessingActivityVersionRow): ProcessingActivityVersion => ({
  id: row.id,
  version: Number(row.version),
  name: row.name,
  doel: row.doel,
  grondslagIds: JSON.parse(row.grondslag_ids) as string[],
  responsibleOin: row.responsible_oin,
  bewaartermijn: row.bewaartermijn,
  vertrouwelijkheid: row.vertrouwelijkheid,
  validFrom: row.valid_from,
  revokedAt: row.revoked_at,
  recordedAt: row.recorded_at,
});

function group(rows: ProcessingActivityVersionRow[]): ProcessingActivity[] {
  const byId = new Map<string, ProcessingActivityVersion[]>();
  for (const row of rows) byId.set(row.id, [...(byId.get(row.id) ?? []), toVersion(row)]);
  return [...byId].map(([id, versions]) => ({ id, versions }));
}

export async function listProcessingActivities(db: RegistryDb): Promise<ProcessingActivity[]> {
  const rows = await db
    .selectFrom('processing_activity_versions')
    .selectAll()
    .orderBy('id')
    .orderBy('version')
    .execute();
  return group(rows);
}

export async function getProcessingActivity(db: RegistryDb, id: string): Promise<ProcessingActivity> {
  const rows = await db
    .selectFrom('processing_activity_versions')
    .selectAll()
    .where('id', '=', id)
    .orderBy('version')
    .execute();
  const [activity] = group(rows);
  if (!activity) throw new ProblemError('notFound', `Verwerkingsactiviteit ${id} does not exist.`);
  return activity;
}

async function checkReferences(db: RegistryDb, input: ProcessingActivityInput): Promise<void> {
  const problems: InvalidParam[] = [];
  const responsible = await checkOrganisationRole(db, input.responsibleOin, 'afnemer', 'responsibleOin');
  if (responsible && responsible.code !== 'missingRole') problems.push(responsible);
  const known = new Set(
    (
      await db
        .selectFrom('grondslagen')
        .select('id')
        .where('id', 'in', input.grondslagIds)
        .where('revoked_at', 'is', null)
        .execute()
    ).map((r) => r.id),
  );
  input.grondslagIds.forEach((id, index) => {
    if (!known.has(id)) {
      problems.push({
        name: `grondslagIds[${index}]`,
        code: 'unknownGrondslag',
        reason: `Grondslag ${id} bestaat niet.`,
      });
    }
  });
  refuseIfAny(problems, 'The verwerkingsactiviteit refers to records the registry does not hold.');
}

async function insertVersion(
  db: Kysely<RegistryDatabase>,
  id: string,
  input: ProcessingActivityInput,
  action: 'create' | 'new-version' | 'revoke',
  actor: Actor,
  now: Date,
  revokedAt: string | null = null,
): Promise<ProcessingActivity> {
  const at = now.toISOString();
  const validFrom = input.validFrom === undefined ? at : toInstant(input.validFrom, 'validFrom');
  await db.transaction().execute(async (trx) => {
    const latest = await trx
      .selectFrom('processing_activity_versions')
      .select(['version', 'valid_from'])
      .where('id', '=', id)
      .orderBy('version', 'desc')
      .executeTakeFirst();
    if (action === 'create' && latest) {
      throw new ProblemError('conflict', `Verwerkingsactiviteit ${id} already exists; PUT a new version instead.`, {
        invalidParams: [{ name: 'id', code: 'duplicate', reason: 'Deze verwerkingsactiviteit bestaat al.' }],
      });
    }
    if (action !== 'create' && !latest)
      throw new ProblemError('notFound', `Verwerkingsactiviteit ${id} does not exist.`);
    // Versions follow each other in time; a version may not start before the one it replaces.
    if (latest && validFrom < latest.valid_from) {
      throw invalidField(
        'validFrom',
        `validFrom mag niet voor ${latest.valid_from} liggen (begin van de vorige versie).`,
      );
    }
    if (action !== 'revoke') await checkReferences(trx, input);
    const version = latest ? Number(latest.version) + 1 : 1;
    await trx
      .insertInto('processing_activity_versions')
      .values({
        id,
        version,
        name: input.name,
        doel: input.doel,
        grondslag_ids: JSON.stringify(input.grondslagIds),
        responsible_oin: input.responsibleOin,
        bewaartermijn: input.bewaartermijn,
        vertrouwelijkheid: input.vertrouwelijkheid,
        valid_from: validFrom,
        revoked_at: revokedAt,
        recorded_at: at,
      })
      .execute();
    await recordChange(trx, {
      entity: 'processing-activity',
      entityId: id,
      action,
      actor,
      record: { version, ...input, validFrom },
      at,
    });
  });
  return getProcessingActivity(db, id);
}

export const createProcessingActivity = (
  db: Kysely<RegistryDatabase>,
  input: ProcessingActivityInput & { id: string },
  actor: Actor,
  now = new Date(),
) => insertVersion(db, input.id, input, 'create', actor, now);

/** A change to a verwerkingsactiviteit: always a new version, never an update in place. */
export const addProcessingActivityVersion = (
  db: Kysely<RegistryDatabase>,
  id: string,
  input: ProcessingActivityInput,
  actor: Actor,
  now = new Date(),
) => insertVersion(db, id, input, 'new-version', actor, now);

/** Ends a verwerkingsactiviteit: a last version, in force from now, marked revoked. */
export async function revokeProcessingActivity(
  db: Kysely<RegistryDatabase>,
  id: string,
  actor: Actor,
  now = new Date(),
) {
  const activity = await getProcessingActivity(db, id);
  const last = activity.versions.at(-1);
  if (!last) throw new ProblemError('notFound', `Verwerkingsactiviteit ${id} does not exist.`);
  if (last.revokedAt) throw new ProblemError('conflict', `Verwerkingsactiviteit ${id} is already revoked.`);
  const at = now.toISOString();
  const { id: _, version: __, revokedAt: ___, recordedAt: ____, ...input } = last;
  return insertVersion(
    db,
    id,
    { ...input, grondslagIds: [...input.grondslagIds], validFrom: at },
    'revoke',
    actor,
    now,
    at,
  );
}
