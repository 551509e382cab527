import type { Persoon } from '@poortwachter/seeds';

export type PersonenQuery = Record<string, unknown> & { type: string; fields: string[] };

const get = (value: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], value);

/** Case-insensitive text match; a trailing `*` matches any ending (BRP wildcard). */
function textMatches(actual: unknown, wanted: unknown): boolean {
  if (wanted === undefined) return true;
  if (typeof actual !== 'string' || typeof wanted !== 'string') return false;
  const a = actual.toLocaleLowerCase('nl');
  const w = wanted.toLocaleLowerCase('nl');
  return w.endsWith('*') ? a.startsWith(w.slice(0, -1)) : a === w;
}

const equalsIfGiven = (actual: unknown, wanted: unknown) => wanted === undefined || actual === wanted;
const normalisePostcode = (value: unknown) =>
  typeof value === 'string' ? value.replace(/\s+/g, '').toUpperCase() : value;

function addressMatches(persoon: Persoon, query: PersonenQuery): boolean {
  const adres = get(persoon, 'verblijfplaats.verblijfadres');
  return (
    equalsIfGiven(get(adres, 'huisnummer'), query.huisnummer) &&
    textMatches(get(adres, 'huisletter'), query.huisletter) &&
    textMatches(get(adres, 'huisnummertoevoeging'), query.huisnummertoevoeging)
  );
}

const MATCHERS: Record<string, (p: Persoon, q: PersonenQuery) => boolean> = {
  RaadpleegMetBurgerservicenummer: (p, q) => (q.burgerservicenummer as string[]).includes(p.burgerservicenummer),
  ZoekMetGeslachtsnaamEnGeboortedatum: (p, q) =>
    textMatches(get(p, 'naam.geslachtsnaam'), q.geslachtsnaam) &&
    get(p, 'geboorte.datum.datum') === q.geboortedatum &&
    textMatches(get(p, 'naam.voornamen'), q.voornamen) &&
    textMatches(get(p, 'naam.voorvoegsel'), q.voorvoegsel) &&
    textMatches(get(p, 'geslacht.code'), q.geslacht),
  ZoekMetNaamEnGemeenteVanInschrijving: (p, q) =>
    textMatches(get(p, 'naam.geslachtsnaam'), q.geslachtsnaam) &&
    textMatches(get(p, 'naam.voornamen'), q.voornamen) &&
    textMatches(get(p, 'naam.voorvoegsel'), q.voorvoegsel) &&
    textMatches(get(p, 'geslacht.code'), q.geslacht),
  ZoekMetPostcodeEnHuisnummer: (p, q) =>
    normalisePostcode(get(p, 'verblijfplaats.verblijfadres.postcode')) === normalisePostcode(q.postcode) &&
    addressMatches(p, q) &&
    equalsIfGiven(get(p, 'geboorte.datum.datum'), q.geboortedatum) &&
    textMatches(get(p, 'naam.geslachtsnaam'), q.geslachtsnaam),
  ZoekMetStraatHuisnummerEnGemeenteVanInschrijving: (p, q) =>
    (textMatches(get(p, 'verblijfplaats.verblijfadres.officieleStraatnaam'), q.straat) ||
      textMatches(get(p, 'verblijfplaats.verblijfadres.korteStraatnaam'), q.straat)) &&
    addressMatches(p, q),
  ZoekMetNummeraanduidingIdentificatie: (p, q) =>
    get(p, 'verblijfplaats.nummeraanduidingIdentificatie') === q.nummeraanduidingIdentificatie,
  ZoekMetAdresseerbaarObjectIdentificatie: (p, q) =>
    get(p, 'verblijfplaats.adresseerbaarObjectIdentificatie') === q.adresseerbaarObjectIdentificatie,
};

/**
 * The persons a (validated) query finds. Searches leave out deceased persons unless
 * `inclusiefOverledenPersonen` is true; raadplegen by BSN always finds them.
 */
export function findPersonen(personen: readonly Persoon[], query: PersonenQuery): Persoon[] {
  const matches = MATCHERS[query.type];
  if (!matches) return [];
  const isSearch = query.type !== 'RaadpleegMetBurgerservicenummer';
  return personen.filter(
    (p) =>
      matches(p, query) &&
      equalsIfGiven(get(p, 'gemeenteVanInschrijving.code'), query.gemeenteVanInschrijving) &&
      (!isSearch || query.inclusiefOverledenPersonen === true || get(p, 'overlijden') === undefined),
  );
}

/** Age in whole years on `today`, from a complete birth date; undefined when unknown or deceased. */
export function leeftijd(persoon: Persoon, today: Date): number | undefined {
  const datum = get(persoon, 'geboorte.datum.datum');
  if (typeof datum !== 'string' || get(persoon, 'overlijden') !== undefined) return undefined;
  const [year, month, day] = datum.split('-').map(Number) as [number, number, number];
  let age = today.getUTCFullYear() - year;
  if (today.getUTCMonth() + 1 < month || (today.getUTCMonth() + 1 === month && today.getUTCDate() < day)) age--;
  return age >= 0 && age <= 150 ? age : undefined;
}
