import type { Occurrence } from './lo3.ts';

type Json = Record<string, unknown>;
/** Where an element's flag goes: the dot path of the object that holds `inOnderzoek` ('' = the object itself), and the flag. */
type Flag = readonly [container: string, key: string];

const naam = (withFullName: boolean): Record<string, Flag[]> => {
  const full: Flag[] = withFullName ? [['naam', 'volledigeNaam']] : [];
  return {
    '0210': [['naam', 'voornamen'], ['naam', 'voorletters'], ...full],
    '0220': [['naam', 'adellijkeTitelPredicaat'], ...full],
    '0230': [['naam', 'voorvoegsel'], ...full],
    '0240': [['naam', 'geslachtsnaam'], ...full],
  };
};
const geboorte: Record<string, Flag[]> = {
  '0310': [['geboorte', 'datum']],
  '0320': [['geboorte', 'plaats']],
  '0330': [['geboorte', 'land']],
};
const verblijfadres = (key: string): Flag[] => [['verblijfplaats.verblijfadres', key]];

/**
 * LO3 element (group and element of `83.10`, "aanduiding gegevens in onderzoek") → the BRP API
 * `inOnderzoek` flags it raises, per kind of object. A code for a whole group (`GG00`) or category
 * (`0000`) raises every element under it, as the BRP API does (features/…/in-onderzoek.feature).
 */
export const ONDERZOEK_ELEMENTS = {
  persoon: {
    '0120': [['', 'burgerservicenummer']],
    ...naam(true),
    ...geboorte,
    '0310': [
      ['geboorte', 'datum'],
      ['', 'leeftijd'],
    ],
    '0410': [
      ['', 'geslacht'],
      ['naam', 'volledigeNaam'],
    ],
    '6110': [['naam', 'aanduidingNaamgebruik']],
  },
  verblijfplaats: {
    '0910': [['', 'gemeenteVanInschrijving']],
    '0920': [['', 'datumInschrijvingInGemeente']],
    '1010': [['verblijfplaats', 'functieAdres']],
    '1030': [['verblijfplaats', 'datumVan']],
    '1110': verblijfadres('korteStraatnaam'),
    '1115': verblijfadres('officieleStraatnaam'),
    '1120': verblijfadres('huisnummer'),
    '1130': verblijfadres('huisletter'),
    '1140': verblijfadres('huisnummertoevoeging'),
    '1150': verblijfadres('aanduidingBijHuisnummer'),
    '1160': verblijfadres('postcode'),
    '1170': verblijfadres('woonplaats'),
    '1180': [['verblijfplaats', 'adresseerbaarObjectIdentificatie']],
    '1190': [['verblijfplaats', 'nummeraanduidingIdentificatie']],
    '1210': verblijfadres('locatiebeschrijving'),
    '1310': verblijfadres('land'),
    '1330': verblijfadres('regel1'),
    '1340': verblijfadres('regel2'),
    '1350': verblijfadres('regel3'),
  },
  nationaliteit: {
    '0510': [
      ['', 'type'],
      ['', 'nationaliteit'],
    ],
    '6310': [['', 'redenOpname']],
    '8510': [['', 'datumIngangGeldigheid']],
  },
  overlijden: {
    '0810': [['overlijden', 'datum']],
    '0820': [['overlijden', 'plaats']],
    '0830': [['overlijden', 'land']],
  },
  ouder: {
    '0120': [['', 'burgerservicenummer']],
    ...naam(false),
    ...geboorte,
    '0410': [['', 'geslacht']],
    '6210': [['', 'datumIngangFamilierechtelijkeBetrekking']],
  },
  partner: {
    '0120': [['', 'burgerservicenummer']],
    ...naam(false),
    ...geboorte,
    '0410': [['', 'geslacht']],
    '0610': [['aangaanHuwelijkPartnerschap', 'datum']],
    '0620': [['aangaanHuwelijkPartnerschap', 'plaats']],
    '0630': [['aangaanHuwelijkPartnerschap', 'land']],
    '0710': [['ontbindingHuwelijkPartnerschap', 'datum']],
    '1510': [['', 'soortVerbintenis']],
  },
  kind: {
    '0120': [['', 'burgerservicenummer']],
    ...naam(false),
    ...geboorte,
  },
} as const satisfies Record<string, Record<string, readonly Flag[]>>;

export type OnderzoekKind = keyof typeof ONDERZOEK_ELEMENTS;

/** The date member of an `inOnderzoek` at the person's own level, which the API splits by subject. */
function dateKey(kind: OnderzoekKind, container: string, flag: string): string {
  if (container !== '' || (kind !== 'persoon' && kind !== 'verblijfplaats')) return 'datumIngangOnderzoek';
  return kind === 'verblijfplaats' && (flag === 'gemeenteVanInschrijving' || flag === 'datumInschrijvingInGemeente')
    ? 'datumIngangOnderzoekGemeente'
    : 'datumIngangOnderzoekPersoon';
}

const at = (target: Json, path: string): Json | undefined =>
  path === ''
    ? target
    : path.split('.').reduce<Json | undefined>((node, key) => {
        const next = node?.[key];
        return next && typeof next === 'object' && !Array.isArray(next) ? (next as Json) : undefined;
      }, target);

/**
 * Sets the `inOnderzoek` flags that an occurrence's `83.10`/`83.20` raise on `target` (the converted
 * object of that category), with the date as the API's `datumIngangOnderzoek…`. A code of another
 * (historic, `5x`) category, or an element the API has no field for, raises nothing; a flag for a
 * field the person does not have is left out.
 */
export function applyOnderzoek(
  target: Json,
  occ: Occurrence | undefined,
  category: string,
  kind: OnderzoekKind,
  toDatum: (lo3: string | undefined) => Json | undefined,
): void {
  const code = occ?.['83.10'];
  if (!code || !/^\d{6}$/.test(code) || code.slice(0, 2) !== category) return;
  const element = code.slice(2);
  const table: Record<string, readonly Flag[]> = ONDERZOEK_ELEMENTS[kind];
  const flags = Object.entries(table)
    .filter(
      ([e]) => element === '0000' || e === element || (element.endsWith('00') && e.startsWith(element.slice(0, 2))),
    )
    .flatMap(([, f]) => f);
  const datum = toDatum(occ?.['83.20']);
  for (const [container, flag] of flags) {
    const holder = at(target, container);
    // Only fields the person has (a foreign address has no postcode to be in onderzoek); `leeftijd`
    // is computed by the source on the day of the query, so it is never stored.
    if (!holder || (holder[flag] === undefined && flag !== 'leeftijd')) continue;
    const notes = (holder.inOnderzoek as Json | undefined) ?? {};
    notes[flag] = true;
    if (datum) notes[dateKey(kind, container, flag)] = datum;
    holder.inOnderzoek = notes;
  }
}
