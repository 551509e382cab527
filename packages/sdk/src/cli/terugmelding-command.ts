import {
  type DirectorySnapshot,
  fieldUrn,
  inForce,
  isProblemError,
  parseTerugmelding,
  type TerugMelding,
  type TerugmeldingView,
} from '@poortwachter/protocol';
import { fetchDirectory } from '../directory-client.ts';
import { createTerugmeldingClient } from '../terugmelding-client.ts';
import { CliExit, organisationWithKey, registryOptions, runCommand } from './common.ts';
import type { ValuesOf } from './definitions.ts';
import { joined, jsonText, print, shown, type TerminalText } from './output.ts';
import { table } from './table.ts';

type Melder = ValuesOf<'terugmelding list'>;

/**
 * The organisation `--as` names with its key, its terugmelding client, and the service: `--service`,
 * else the one service taking terugmeldingen that it provides, else the one it has an autorisatie for.
 */
async function melder(values: Pick<Melder, 'as' | 'key' | 'service' | 'registry' | 'registry-key' | 'trust-anchors'>) {
  const registry = registryOptions(values);
  const directory = await fetchDirectory(registry);
  const { organisation, privateKey } = organisationWithKey(directory, values.as, values.key);
  const service = values.service ?? defaultService(directory, organisation.oin);
  const client = createTerugmeldingClient({ oin: organisation.oin, privateKey, directory, ...registry });
  return { organisation, directory, client, service };
}

function defaultService(directory: DirectorySnapshot, oin: string): string {
  const now = new Date().toISOString();
  const taking = directory.services.filter((s) => s.revokedAt === null && s.betrokkene);
  const own = taking.filter((s) => s.providerOin === oin);
  const authorised = taking.filter((s) =>
    directory.autorisaties.some((a) => a.afnemerOin === oin && a.serviceId === s.id && inForce(a, now)),
  );
  const [one, ...more] = own.length > 0 ? own : authorised;
  if (!one || more.length > 0) {
    const ids = (own.length > 0 ? own : taking).map((s) => s.id).join(', ');
    throw new CliExit(2, `Pass --service: which service's meldingen (one of ${ids || 'none in the directory'}).`);
  }
  return one.id;
}

const when = (iso: string) => iso.replace('T', ' ').slice(0, 16);
const melderOf = (m: TerugmeldingView) =>
  m.melder.soort === 'betrokkene' ? 'de betrokkene' : `${m.melder.naam} (${m.melder.oin})`;

/** A melding as lines: what `show`, `behandel` and `afhandel` print. */
function described(m: TerugmeldingView): TerminalText {
  return joined([
    shown`terugmelding ${m.terugMeldingReferentie}`,
    shown`dienst       ${m.dienst}`,
    shown`ingediend    ${when(m.ingediend)}`,
    shown`melder       ${melderOf(m)}`,
    shown`status       ${m.status}${m.uitkomst ? ` (${m.uitkomst})` : ''}`,
    ...(m.bericht ? [shown`bericht      ${m.bericht}`] : []),
    shown``,
    table(
      ['veld', 'betwijfeld', 'voorgesteld', 'toelichting', 'bijlagen'],
      m.gegevens.map((g) => [
        `${g.veld} (${g.attribuutUrn})`,
        g.betwijfeldeWaarde,
        g.voorgesteldeWaarde,
        g.toelichting ?? '',
        g.bijlages.map((b) => `${b.bestandsnaam} (${b.mimeType}, ${b.grootte} bytes)`).join('; '),
      ]),
    ),
    shown``,
    table(
      ['tijdstip', 'status'],
      m.geschiedenis.map((h) => [when(h.tijdstip), h.status]),
    ),
    shown``,
  ]);
}

/** `poortwachter terugmelding list --as ORG [--service S] [--status S]`. */
export function terugmeldingListCommand(values: ValuesOf<'terugmelding list'>): Promise<number> {
  return runCommand(async () => {
    const { client, service } = await melder(values);
    const list = await client.list({ service, ...(values.status ? { status: values.status } : {}) });
    if (values.json) {
      print(jsonText(list));
      return 0;
    }
    print(
      joined([
        table(
          ['referentie', 'ingediend', 'melder', 'velden', 'status'],
          list.map((m) => [
            m.terugMeldingReferentie,
            when(m.ingediend),
            melderOf(m),
            m.gegevens.map((g) => g.veld).join(', '),
            `${m.status}${m.uitkomst ? ` (${m.uitkomst})` : ''}`,
          ]),
        ),
        shown`${list.length} terugmelding(en) of ${service}\n`,
      ]),
    );
    return 0;
  });
}

/** `poortwachter terugmelding show ID --as ORG [--service S]`. */
export function terugmeldingShowCommand(values: ValuesOf<'terugmelding show'>): Promise<number> {
  return runCommand(async () => {
    const { client, service } = await melder(values);
    const melding = await client.show(service, values.operand);
    print(values.json ? jsonText(melding) : described(melding));
    return 0;
  });
}

/** `poortwachter terugmelding behandel ID --as ORG`: the status becomes In behandeling. */
export function terugmeldingBehandelCommand(values: ValuesOf<'terugmelding behandel'>): Promise<number> {
  return runCommand(async () => {
    const { client, service } = await melder(values);
    print(described(await client.setStatus(service, values.operand, { status: 'In behandeling' })));
    return 0;
  });
}

/** `poortwachter terugmelding afhandel ID --uitkomst U --bericht TEXT --as ORG`. */
export function terugmeldingAfhandelCommand(values: ValuesOf<'terugmelding afhandel'>): Promise<number> {
  return runCommand(async () => {
    if (!values.bericht.trim()) throw new CliExit(2, '--bericht needs a message for the melder.');
    const { client, service } = await melder(values);
    const change = { status: 'Afgehandeld', uitkomst: values.uitkomst, bericht: values.bericht.trim() } as const;
    print(described(await client.setStatus(service, values.operand, change)));
    return 0;
  });
}

/** Which option gave each member of the melding the CLI builds (to name it in a usage error). */
const OPTION_OF: readonly [RegExp, string][] = [
  [/idWaarde$/, '--bsn'],
  [/terugMeldingGegevens\[0\]\.attribuutUrn$/, '--field'],
  [/betwijfeldeWaarde$/, '--betwijfeld'],
  [/voorgesteldeWaarde$/, '--voorgesteld'],
  [/toelichting$/, '--toelichting'],
];

/** `poortwachter terugmelding melden --as ORG --bsn N --field PATH --betwijfeld V --voorgesteld V`. */
export function terugmeldingMeldenCommand(values: ValuesOf<'terugmelding melden'>): Promise<number> {
  return runCommand(async () => {
    const { organisation, directory, client, service } = await melder(values);
    const toelichting = values.toelichting?.trim();
    let melding: TerugMelding;
    try {
      // The protocol's one parser, as the inway applies it: a wrong value is named by its option here.
      melding = parseTerugmelding({
        terugMeldingBody: {
          objectIdentificatie: [
            { objectType: 'persoon', attribuutUrn: fieldUrn(service, 'burgerservicenummer'), idWaarde: values.bsn },
          ],
          terugMeldingGegevens: [
            {
              attribuutUrn: fieldUrn(service, values.field),
              betwijfeldeWaarde: values.betwijfeld,
              voorgesteldeWaarde: values.voorgesteld,
              ...(toelichting ? { eigenvelden: { toelichting } } : {}),
            },
          ],
        },
      });
    } catch (error) {
      if (!isProblemError(error)) throw error;
      const param = error.invalidParams?.[0];
      const option = OPTION_OF.find(([member]) => member.test(param?.name ?? ''))?.[1] ?? param?.name ?? 'a value';
      throw new CliExit(2, `${option}: ${param?.reason ?? error.message}`);
    }
    const now = new Date().toISOString();
    const processingActivity =
      values['processing-activity'] ??
      directory.autorisaties.find(
        (a) => a.afnemerOin === organisation.oin && a.serviceId === service && inForce(a, now),
      )?.processingActivityId;
    if (!processingActivity) {
      throw new CliExit(
        2,
        `${organisation.name} has no autorisatie for ${service} in force; pass --processing-activity.`,
      );
    }
    const ontvangen = await client.melden(service, processingActivity, melding);
    print(
      values.json
        ? jsonText(ontvangen)
        : shown`terugmelding ${ontvangen.terugMeldingReferentie}: ${ontvangen.status}\n${ontvangen.beschrijving}\n`,
    );
    return 0;
  });
}
