import type { InvalidParam, Protocol, ServiceDescription } from '@poortwachter/protocol';
import type { ContractContent } from '@poortwachter/protocol/contracts';
import type { RegistryDb } from './changes.ts';
import { checkOrganisationRole, refuseIfAny } from './integrity.ts';
import { serviceSearchTypes } from './service-description.ts';

/** Where the grant's members sit in a proposal's body. */
const GRANT = 'content.grants.0.data';

/**
 * The integrity rules of a contract's grant, as the registry checked an autorisatie before: the
 * service exists and is the bronhouder's, the caller (and the delegator) are afnemers, the
 * verwerkingsactiviteit's version exists and belongs to the afnemer (or to the delegator of a delegated
 * grant), the grondslag is one of that version's, the fields are in the service's catalogue (none
 * delivered automatically) and the search types are known to its protocol or description. Every
 * violation is named, by its member in the body, in one 400.
 */
export async function checkContractTerms(db: RegistryDb, content: ContractContent): Promise<void> {
  const problems: InvalidParam[] = [];
  const { data } = content.grants[0];
  const { properties } = data;
  const afnemer = await checkOrganisationRole(db, data.outway.peer_id, 'afnemer', `${GRANT}.outway.peer_id`);
  if (afnemer) problems.push(afnemer);
  if (data.delegator) {
    const delegator = await checkOrganisationRole(db, data.delegator.peer_id, 'afnemer', `${GRANT}.delegator.peer_id`);
    if (delegator) problems.push(delegator);
  }

  const service = await db.selectFrom('services').selectAll().where('id', '=', data.service.name).executeTakeFirst();
  if (!service || service.revoked_at) {
    problems.push({
      name: `${GRANT}.service.name`,
      code: 'unknownService',
      reason: `Dienst ${data.service.name} bestaat niet.`,
    });
  } else {
    if (service.provider_oin !== data.service.peer_id) {
      problems.push({
        name: `${GRANT}.service.peer_id`,
        code: 'notTheBronhouder',
        reason: `Dienst ${service.id} is van ${service.provider_oin}, niet van ${data.service.peer_id}.`,
      });
    }
    const fields = JSON.parse(service.field_catalogue) as { path: string; automatic?: unknown }[];
    const catalogue = new Set(fields.filter((f) => !f.automatic).map((f) => f.path));
    const automatic = new Set(fields.filter((f) => f.automatic).map((f) => f.path));
    properties.fields.forEach((path, index) => {
      const name = `${GRANT}.properties.fields.${index}`;
      if (automatic.has(path)) {
        problems.push({
          name,
          code: 'automaticField',
          reason: `Veld ${path} wordt altijd automatisch geleverd waar het van toepassing is; het wordt niet geautoriseerd.`,
        });
      } else if (!catalogue.has(path)) {
        problems.push({
          name,
          code: 'unknownField',
          reason: `Veld ${path} staat niet in de veldencatalogus van dienst ${service.id}.`,
        });
      }
    });
    const searchTypes = serviceSearchTypes({
      protocol: service.protocol as Protocol,
      ...(service.description === null ? {} : { description: JSON.parse(service.description) as ServiceDescription }),
    });
    properties.search_types.forEach((type, index) => {
      if (!searchTypes.includes(type)) {
        problems.push({
          name: `${GRANT}.properties.search_types.${index}`,
          code: 'unknownSearchType',
          reason: `Zoekvraag ${type} bestaat niet in protocol ${service.protocol} of de beschrijving van dienst ${service.id}.`,
        });
      }
    });
  }

  problems.push(...(await checkActivity(db, content)));
  refuseIfAny(problems, 'The contract is not consistent with the registry.');
}

/** The verwerkingsactiviteit's version and grondslag, and whose activity it is. */
async function checkActivity(db: RegistryDb, content: ContractContent): Promise<InvalidParam[]> {
  const { data } = content.grants[0];
  const { properties } = data;
  const version = await db
    .selectFrom('processing_activity_versions')
    .selectAll()
    .where('id', '=', properties.processing_activity_id)
    .where('version', '=', properties.processing_activity_version)
    .executeTakeFirst();
  if (!version || version.revoked_at) {
    return [
      {
        name: `${GRANT}.properties.processing_activity_version`,
        code: 'unknownProcessingActivity',
        reason: `Verwerkingsactiviteit ${properties.processing_activity_id} heeft geen versie ${properties.processing_activity_version}.`,
      },
    ];
  }
  const problems: InvalidParam[] = [];
  // A delegate calls for the gemeente that delegated: the activity is the gemeente's.
  const responsible = data.delegator?.peer_id ?? data.outway.peer_id;
  if (version.responsible_oin !== responsible) {
    problems.push({
      name: `${GRANT}.properties.processing_activity_id`,
      code: 'foreignProcessingActivity',
      reason: `Verwerkingsactiviteit ${properties.processing_activity_id} is van ${version.responsible_oin}, niet van ${responsible}.`,
    });
  }
  if (!(JSON.parse(version.grondslag_ids) as string[]).includes(properties.grondslag_id)) {
    problems.push({
      name: `${GRANT}.properties.grondslag_id`,
      code: 'unknownGrondslag',
      reason: `Grondslag ${properties.grondslag_id} hoort niet bij versie ${properties.processing_activity_version} van deze verwerkingsactiviteit.`,
    });
  }
  return problems;
}
