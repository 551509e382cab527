import type { BrkFixtures, BrkResource } from '@poortwachter/seeds';
import { BrkProblem, invalidParam } from './problem.ts';

/**
 * The spec's categories of `GET /kadastraalonroerendezaken`: a request gives exactly one, with its
 * required parameters. (Kadastrale aanduiding met gemeentecode is not served by this example.)
 */
export const SEARCH_CATEGORIES = [
  { name: 'kadastraleAanduiding', parameters: ['kadastraleAanduiding'], required: ['kadastraleAanduiding'] },
  { name: 'persoon', parameters: ['persoon__identificatie'], required: ['persoon__identificatie'] },
  {
    name: 'adres',
    parameters: ['postcode', 'huisnummer', 'huisletter', 'huisnummertoevoeging'],
    required: ['postcode'],
  },
  {
    name: 'nummeraanduiding',
    parameters: ['nummeraanduidingIdentificatie'],
    required: ['nummeraanduidingIdentificatie'],
  },
] as const;

export type SearchCategory = (typeof SEARCH_CATEGORIES)[number]['name'];

/** The one category the given parameters belong to; a 400 `paramsRequired` or `paramsCombination` otherwise. */
export function categoryOf(values: ReadonlyMap<string, string>): SearchCategory {
  const touched = SEARCH_CATEGORIES.filter((category) => category.parameters.some((p) => values.has(p)));
  if (touched.length === 0) {
    throw new BrkProblem(
      'paramsRequired',
      'Geef precies één van: kadastraleAanduiding, persoon__identificatie, postcode (met huisnummer, huisletter, huisnummertoevoeging) of nummeraanduidingIdentificatie.',
    );
  }
  if (touched.length > 1) {
    throw new BrkProblem(
      'paramsCombination',
      `Parameters uit verschillende categorieën mogen niet samen worden opgegeven: ${touched.map((c) => c.name).join(', ')}.`,
    );
  }
  const category = touched[0] as (typeof SEARCH_CATEGORIES)[number];
  const missing = category.required.filter((p) => !values.has(p));
  if (missing.length > 0) {
    throw new BrkProblem(
      'paramsRequired',
      `Bij zoeken op ${category.name} is ${missing.join(', ')} verplicht.`,
      missing.map((name) => invalidParam(name, 'required', 'Parameter is verplicht.')),
    );
  }
  return category.name;
}

type Adres = Record<string, unknown>;
const sameText = (actual: unknown, wanted: string | undefined) =>
  wanted === undefined || (typeof actual === 'string' && actual.toLowerCase() === wanted.toLowerCase());
const adressen = (zaak: BrkResource) => (zaak.adressen as Adres[] | undefined) ?? [];

/**
 * The zaken a search of one category finds. `persoon__identificatie` finds the rights of Kadaster
 * persons and companies only: a person in the BRP is searched by BSN in a body (`POST`), never in a URL.
 */
export function findZaken(
  brk: BrkFixtures,
  category: SearchCategory,
  values: ReadonlyMap<string, string>,
): BrkResource[] {
  const v = (name: string) => values.get(name);
  switch (category) {
    case 'kadastraleAanduiding':
      return brk.kadastraalOnroerendeZaken.filter((z) => z.kadastraleAanduiding === v('kadastraleAanduiding'));
    case 'nummeraanduiding':
      return brk.kadastraalOnroerendeZaken.filter((z) =>
        adressen(z).some((a) => a.nummeraanduidingIdentificatie === v('nummeraanduidingIdentificatie')),
      );
    case 'adres':
      return brk.kadastraalOnroerendeZaken.filter((z) =>
        adressen(z).some(
          (a) =>
            a.postcode === v('postcode') &&
            (v('huisnummer') === undefined || a.huisnummer === Number(v('huisnummer'))) &&
            sameText(a.huisletter, v('huisletter')) &&
            sameText(a.huisnummertoevoeging, v('huisnummertoevoeging')),
        ),
      );
    case 'persoon':
      return holdersOf(
        brk,
        (p) => p.type !== 'ingeschreven_natuurlijk_persoon' && p.identificatie === v('persoon__identificatie'),
      );
  }
}

/** The zaken on which a person (by BSN) holds a right: `POST /kadastraalonroerendezaken`. */
export const zakenOfBsn = (brk: BrkFixtures, burgerservicenummer: string) =>
  holdersOf(brk, (p) => p.type === 'ingeschreven_natuurlijk_persoon' && p.identificatie === burgerservicenummer);

function holdersOf(brk: BrkFixtures, matches: (p: { type: string; identificatie: string }) => boolean) {
  return brk.kadastraalOnroerendeZaken.filter((z) =>
    (brk.zakelijkGerechtigden[z.identificatie] ?? []).some((g) => matches(g.persoon)),
  );
}
