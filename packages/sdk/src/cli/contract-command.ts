import { CONTRACT_TIME_ZONE, calendarDateIn, dateTimeIn, readPeriod } from '@poortwachter/protocol';
import { type ContractView, createContractClient } from '../contract-client.ts';
import { fetchDirectory } from '../directory-client.ts';
import {
  CliExit,
  checkDateOptions,
  organisationNamed,
  organisationWithKey,
  registryOptions,
  runCommand,
} from './common.ts';
import type { ValuesOf } from './definitions.ts';
import { joined, jsonText, print, printError, shown, type TerminalText } from './output.ts';
import { table } from './table.ts';

type Signing = {
  oin: string;
  key?: string | undefined;
  registry?: string | undefined;
  'registry-key'?: string | undefined;
};

/** The contract client of the organisation `--oin` names (by OIN or part of its name), with its key (and `--group`). */
export async function signingClient(values: Signing, groupId?: string) {
  const registry = registryOptions(values);
  const directory = await fetchDirectory(registry);
  const { organisation, privateKey } = organisationWithKey(directory, values.oin, values.key, undefined, '--oin');
  return {
    organisation,
    directory,
    client: createContractClient({
      oin: organisation.oin,
      privateKey,
      directory,
      ...registry,
      ...(groupId === undefined ? {} : { groupId }),
    }),
  };
}

/** A list of values from `a,b` (spaces around each ignored); empty is a usage error naming the option. */
function listOption(option: string, value: string): string[] {
  const items = value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  if (items.length === 0) throw new CliExit(2, `--${option} needs at least one value, as a,b.`);
  return items;
}

// A contract's dates are meant and shown in Amsterdam time (CONTRACT_TIME_ZONE), on the page as here.
const day = (unix: number) => calendarDateIn(unix * 1000, CONTRACT_TIME_ZONE);
const moment = (iso: string | number) =>
  dateTimeIn(typeof iso === 'number' ? iso * 1000 : Date.parse(iso), CONTRACT_TIME_ZONE);

/** The organisation a signing command acted as, resolved from `--oin`: "Name (OIN)". */
const signedAs = (organisation: { name: string; oin: string }) =>
  shown`signed as    ${organisation.name} (${organisation.oin})`;

/**
 * A contract's terms and history as lines: what the CLI's `show` and `propose` print; after a signature,
 * first the organisation it was signed as (`--oin` resolved: a look-alike name never passes unseen).
 */
function described(
  contract: ContractView,
  nameOf: (oin: string) => string,
  signer?: { name: string; oin: string },
): TerminalText {
  const grant = contract.content.grants[0].data;
  const p = grant.properties;
  return joined([
    ...(signer ? [signedAs(signer)] : []),
    shown`contract ${contract.hash}`,
    shown`state        ${contract.state}`,
    shown`afnemer      ${nameOf(contract.parties.afnemer)} (${contract.parties.afnemer})`,
    shown`bronhouder   ${nameOf(contract.parties.bronhouder)} (${contract.parties.bronhouder})`,
    ...(contract.parties.delegator
      ? [shown`delegator    ${nameOf(contract.parties.delegator)} (${contract.parties.delegator})`]
      : []),
    shown`service      ${grant.service.name}`,
    shown`activity     ${p.processing_activity_id} (version ${p.processing_activity_version})`,
    shown`grondslag    ${p.grondslag_id}`,
    shown`fields       ${p.fields.join(', ')}`,
    shown`searches     ${p.search_types.join(', ')}`,
    shown`valid        ${moment(contract.content.validity.not_before)} to ${moment(contract.content.validity.not_after)}`,
    shown``,
    table(
      ['signed at', 'recorded at', 'who', 'what', 'reason'],
      contract.signatureDetails.map((s) => [
        moment(s.signedAt),
        s.recordedAt ? moment(s.recordedAt) : '',
        nameOf(s.oin),
        s.type,
        s.reason ?? '',
      ]),
    ),
    shown``,
  ]);
}

const namesOf = (directory: { organisations: readonly { oin: string; name: string }[] }) => {
  const names = new Map(directory.organisations.map((o) => [o.oin, o.name]));
  return (oin: string) => names.get(oin) ?? oin;
};

/** `poortwachter contract propose …`: a proposal, signed by the organisation as afnemer. */
export function contractProposeCommand(values: ValuesOf<'contract propose'>): Promise<number> {
  return runCommand(async () => {
    checkDateOptions({ '--from': values.from, '--until': values.until });
    // A date is a day in Amsterdam: --until 2027-12-31 holds through 23:59:59 there.
    const period = readPeriod(values.from, values.until, CONTRACT_TIME_ZONE);
    if ((period.to ?? 0) <= Date.now()) throw new CliExit(2, `--until ${values.until} lies in the past.`);
    const { client, directory, organisation } = await signingClient(values, values.group);
    const contract = await client.propose({
      serviceId: values.service,
      processingActivityId: values.activity,
      grondslagId: values.grondslag,
      fields: listOption('fields', values.fields),
      searchTypes: listOption('search-types', values['search-types']),
      ...(period.from === undefined ? {} : { notBefore: new Date(period.from) }),
      // The last second of the --until day (a date as the end includes that day).
      notAfter: new Date((period.to ?? 0) - 1000),
      ...(values.delegator ? { delegatorOin: organisationNamed(directory, values.delegator, '--delegator').oin } : {}),
    });
    if (values.json) printError(joined([signedAs(organisation), shown``]));
    print(values.json ? jsonText(contract) : described(contract, namesOf(directory), organisation));
    return 0;
  });
}

/** `poortwachter contract list --oin OIN [--state S]`. */
export function contractListCommand(values: ValuesOf<'contract list'>): Promise<number> {
  return runCommand(async () => {
    const registry = registryOptions(values);
    const directory = await fetchDirectory(registry);
    const { oin } = organisationNamed(directory, values.oin);
    const client = createContractClient({ oin, privateKey: {}, directory, ...registry });
    const contracts = await client.list(values.state ? { state: values.state } : {});
    if (values.json) {
      print(jsonText(contracts));
      return 0;
    }
    const nameOf = namesOf(directory);
    print(
      joined([
        table(
          ['hash', 'state', 'afnemer', 'service', 'activity', 'until'],
          contracts.map((c) => [
            c.hash,
            c.state,
            nameOf(c.parties.afnemer),
            c.content.grants[0].data.service.name,
            c.content.grants[0].data.properties.processing_activity_id,
            day(c.content.validity.not_after),
          ]),
        ),
        shown``,
      ]),
    );
    return 0;
  });
}

/** `poortwachter contract show HASH`. */
export function contractShowCommand(values: ValuesOf<'contract show'>): Promise<number> {
  return runCommand(async () => {
    const registry = registryOptions(values);
    const directory = await fetchDirectory(registry);
    const contract = await createContractClient({ oin: '', privateKey: {}, directory, ...registry }).get(
      values.operand,
    );
    print(values.json ? jsonText(contract) : described(contract, namesOf(directory)));
    return 0;
  });
}

/** `poortwachter contract accept|reject|revoke HASH --oin OIN [--reason TEXT]`. */
function signCommand(type: 'accept' | 'reject' | 'revoke') {
  return (values: Signing & { operand: string; reason?: string }): Promise<number> =>
    runCommand(async () => {
      const { client, directory, organisation } = await signingClient(values);
      const contract =
        type === 'accept'
          ? await client.accept(values.operand)
          : await client[type](values.operand, values.reason ?? '');
      print(described(contract, namesOf(directory), organisation));
      return 0;
    });
}

export const contractAcceptCommand = signCommand('accept');
export const contractRejectCommand = signCommand('reject');
export const contractRevokeCommand = signCommand('revoke');
