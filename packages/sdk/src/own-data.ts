import type { CatalogueField, PublicJwk, Service } from '@poortwachter/protocol';
import { ownFields, valuesAt } from '@poortwachter/protocol';
import type { MissingGateway } from './gateway-calls.ts';

/**
 * What a citizen's own data looks like in the sdk (`citizenClient.gegevens()`) and in the download
 * file (`downloadFile`). Browser-safe: the citizens' page makes the file with the same code as the CLI.
 */

/** The format name of the download file; a verifier refuses any other. */
export const DOWNLOAD_FORMAT = 'poortwachter-gegevens/1';

/** The answer headers the download keeps: what the bronhouder's signature covers, and how to read the body. */
export const SIGNED_ANSWER_HEADERS = [
  'content-type',
  'content-digest',
  'fsc-transaction-id',
  'signature-input',
  'signature',
] as const;
export type SignedAnswerHeader = (typeof SIGNED_ANSWER_HEADERS)[number];

/** A gateway's answer as it came: its status, the headers the signature covers, and the body's exact text. */
export interface SignedAnswer {
  readonly status: number;
  readonly headers: Readonly<Partial<Record<SignedAnswerHeader, string>>>;
  readonly body: string;
}

/** One value the bronhouder holds about the citizen, named as the timeline names it. */
export interface OwnField {
  /** The catalogue path (`verblijfplaats.verblijfadres.officieleStraatnaam`). */
  readonly pad: string;
  /** The catalogue's label, in words a citizen understands. */
  readonly label: string;
  /** The catalogue's group word ("naam", "adres"), as the timeline groups fields. */
  readonly soort: string;
  /** The value as text. */
  readonly waarde: string;
}

/** The public key that signed an answer: the provider's JWK as in the directory, with its certificate chain. */
export type SigningKey = PublicJwk & { readonly x5c?: readonly string[] };

/** What one bronhouder holds about the citizen, with its signed answer. */
export interface OwnData {
  /** The service id (`brp-personen`). */
  readonly dienst: string;
  readonly bronhouder: { readonly naam: string; readonly oin: string };
  /** Where it was asked. */
  readonly url: string;
  /** Per person or object in the answer, the fields in the order of the service's own fields. */
  readonly velden: readonly OwnField[];
  readonly antwoord: SignedAnswer;
  /** The key whose signature over `antwoord` was verified. */
  readonly sleutel: SigningKey;
}

/** The citizen's own data from every source that offers it; `missing` names each that did not answer. */
export interface OwnDataResult {
  /** The citizen (the BSN their token names). */
  readonly betrokkene: { readonly bsn: string };
  readonly bronnen: readonly OwnData[];
  readonly missing: readonly MissingGateway[];
}

/** The download file (`poortwachter-gegevens/1`): each bronhouder's signed answer, checkable offline. */
export interface DownloadFile {
  readonly formaat: typeof DOWNLOAD_FORMAT;
  /** When the file was made (ISO 8601). Not signed: the signatures' own `created` is when each answer was. */
  readonly gemaakt: string;
  readonly betrokkene: { readonly bsn: string };
  readonly bronnen: readonly {
    readonly dienst: string;
    readonly bronhouder: { readonly naam: string; readonly oin: string };
    readonly url: string;
    readonly antwoord: SignedAnswer;
    readonly sleutel: SigningKey;
  }[];
}

/**
 * The download file of a `gegevens()` result: one writer for the CLI and the page. The bodies stay the
 * exact text each gateway signed, so `verifyDownload` (or anyone with the bronhouder's key) can check it.
 *
 * @example
 * const file = downloadFile(await client.gegevens());
 * writeFileSync('mijn-gegevens.json', `${JSON.stringify(file, null, 2)}\n`);
 */
export function downloadFile(result: OwnDataResult, now: Date = new Date()): DownloadFile {
  return {
    formaat: DOWNLOAD_FORMAT,
    gemaakt: now.toISOString(),
    betrokkene: { bsn: result.betrokkene.bsn },
    bronnen: result.bronnen.map((b) => ({
      dienst: b.dienst,
      bronhouder: { naam: b.bronhouder.naam, oin: b.bronhouder.oin },
      url: b.url,
      antwoord: b.antwoord,
      sleutel: b.sleutel,
    })),
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A value as text: BRP's dates and codes by their words (`langFormaat`, `omschrijving`), a list joined. */
export function shownValue(value: unknown): string {
  if (Array.isArray(value)) return value.map(shownValue).join(', ');
  if (typeof value === 'boolean') return value ? 'ja' : 'nee';
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (!isObject(value)) return '';
  for (const member of ['langFormaat', 'omschrijving', 'datum', 'waarde']) {
    if (typeof value[member] === 'string' || typeof value[member] === 'number') return String(value[member]);
  }
  const members = Object.entries(value);
  // A code alone (`{ code: '301' }`) is its value; several members are each named.
  if (members.length === 1) return shownValue(members[0]?.[1]);
  return members.map(([key, v]) => `${key}: ${shownValue(v)}`).join(', ');
}

/** The objects an answer holds (BRP: each person; HAL: each resource of the operation, embedded ones too), with their resource. */
function objectsOf(service: Service, body: unknown): { resource: string; value: Record<string, unknown> }[] {
  const description = service.description;
  if (!description) {
    const personen = isObject(body) && Array.isArray(body.personen) ? body.personen : [];
    return personen.filter(isObject).map((value) => ({ resource: '', value }));
  }
  const operation = description.operations.find((o) => o.id === service.betrokkene?.operation);
  if (!operation || !isObject(body)) return [];
  const embedded = isObject(body._embedded) ? body._embedded : {};
  const items = operation.items ? embedded[operation.items] : body;
  const found: { resource: string; value: Record<string, unknown> }[] = [];
  const walk = (resource: string, value: unknown, depth: number) => {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (!isObject(item)) continue;
      found.push({ resource, value: item });
      const inside = isObject(item._embedded) ? item._embedded : {};
      for (const relation of description.resources[resource]?.relations ?? []) {
        if (depth < 4 && Object.hasOwn(inside, relation.name))
          walk(relation.resource, inside[relation.name], depth + 1);
      }
    }
  };
  walk(operation.resource, items, 0);
  return found;
}

/**
 * The citizen's own fields in a released answer: per person or object, each of the service's own fields
 * (`ownFields`, in its order) that holds a value, with the catalogue's label and group.
 *
 * @example
 * ownFieldValues(brpService, { type: 'RaadpleegMetBurgerservicenummer', personen: [{ naam: { voornamen: 'Suzanne' } }] });
 * // [{ pad: 'naam.voornamen', label: 'voornamen', soort: 'naam', waarde: 'Suzanne' }]
 */
export function ownFieldValues(service: Service, body: unknown): OwnField[] {
  const own = ownFields(service);
  const catalogue = new Map<string, CatalogueField>(service.fieldCatalogue.map((f) => [f.path, f]));
  const velden: OwnField[] = [];
  for (const { resource, value } of objectsOf(service, body)) {
    const prefix = resource === '' ? '' : `${resource}.`;
    for (const path of own) {
      if (!path.startsWith(prefix)) continue;
      const found = valuesAt(value, path.slice(prefix.length));
      if (found.length === 0) continue;
      const field = catalogue.get(path);
      velden.push({
        pad: path,
        label: field?.label ?? path,
        soort: field?.group ?? 'overige gegevens',
        waarde: shownValue(found.length === 1 ? found[0] : found),
      });
    }
  }
  return velden;
}
