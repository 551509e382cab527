/** LO3 values → BRP API values: code tables, dates, places, and the small helpers the converter shares. */
/** LO3 code tables: code → omschrijving. */
export interface CodeTables {
  readonly gemeenten: ReadonlyMap<string, string>;
  readonly landen: ReadonlyMap<string, string>;
  readonly nationaliteiten: ReadonlyMap<string, string>;
}

type Json = Record<string, unknown>;

const MAANDEN = [
  'januari',
  'februari',
  'maart',
  'april',
  'mei',
  'juni',
  'juli',
  'augustus',
  'september',
  'oktober',
  'november',
  'december',
] as const;

export const GESLACHT: Record<string, string> = { V: 'vrouw', M: 'man', O: 'onbekend' };
export const NAAMGEBRUIK: Record<string, string> = {
  E: 'eigen geslachtsnaam',
  N: 'eigen geslachtsnaam gevolgd door naam partner',
  P: 'naam partner',
  V: 'naam partner gevolgd door eigen geslachtsnaam',
};
export const ADELLIJK: Record<string, { omschrijving: string; soort: 'titel' | 'predicaat' }> = {
  B: { omschrijving: 'baron', soort: 'titel' },
  BS: { omschrijving: 'barones', soort: 'titel' },
  G: { omschrijving: 'graaf', soort: 'titel' },
  GI: { omschrijving: 'gravin', soort: 'titel' },
  H: { omschrijving: 'hertog', soort: 'titel' },
  HI: { omschrijving: 'hertogin', soort: 'titel' },
  JH: { omschrijving: 'jonkheer', soort: 'predicaat' },
  JV: { omschrijving: 'jonkvrouw', soort: 'predicaat' },
  M: { omschrijving: 'markies', soort: 'titel' },
  MI: { omschrijving: 'markiezin', soort: 'titel' },
  P: { omschrijving: 'prins', soort: 'titel' },
  PS: { omschrijving: 'prinses', soort: 'titel' },
  R: { omschrijving: 'ridder', soort: 'titel' },
};
export const FUNCTIE_ADRES: Record<string, string> = { W: 'woonadres', B: 'briefadres' };
export const SOORT_VERBINTENIS: Record<string, string> = { H: 'huwelijk', P: 'geregistreerd partnerschap' };
export const REDEN_OPSCHORTING: Record<string, string> = {
  O: 'overlijden',
  E: 'emigratie',
  M: 'ministerieel besluit',
  R: 'pl is aangelegd in de rni',
  F: 'fout',
  '.': 'onbekend',
};

/** `yyyymmdd` (with `00` for unknown parts) → the BRP API's date union. */
export function toDatum(lo3: string | undefined): Json | undefined {
  if (!lo3 || !/^\d{8}$/.test(lo3)) return undefined;
  const jaar = Number(lo3.slice(0, 4));
  const maand = Number(lo3.slice(4, 6));
  const dag = Number(lo3.slice(6, 8));
  if (jaar === 0) return { type: 'DatumOnbekend', onbekend: true, langFormaat: 'onbekend' };
  if (maand === 0) return { type: 'JaarDatum', jaar, langFormaat: String(jaar) };
  const maandNaam = MAANDEN[maand - 1];
  if (!maandNaam) return undefined;
  // A day that the month does not have (the test set holds `19821291`) is treated as an unknown day.
  const dagenInMaand = new Date(Date.UTC(jaar, maand, 0)).getUTCDate();
  if (dag === 0 || dag > dagenInMaand)
    return { type: 'JaarMaandDatum', jaar, maand, langFormaat: `${maandNaam} ${jaar}` };
  return {
    type: 'Datum',
    datum: `${lo3.slice(0, 4)}-${lo3.slice(4, 6)}-${lo3.slice(6, 8)}`,
    langFormaat: `${dag} ${maandNaam} ${jaar}`,
  };
}

export function waarde(
  code: string | undefined,
  table: Readonly<Record<string, string>> | ReadonlyMap<string, string>,
) {
  if (!code) return undefined;
  const omschrijving = table instanceof Map ? table.get(code) : (table as Record<string, string>)[code];
  return omschrijving ? { code, omschrijving } : { code };
}

/** A place is a gemeente code when it is four digits, otherwise a foreign place name. */
export function plaats(value: string | undefined, tables: CodeTables): Json | undefined {
  if (!value) return undefined;
  if (/^\d{4}$/.test(value)) return waarde(value, tables.gemeenten);
  return { omschrijving: value };
}

const isEmpty = (v: unknown) =>
  v === undefined ||
  (Array.isArray(v) ? v.length === 0 : typeof v === 'object' && v !== null && Object.keys(v).length === 0);

/** Drops keys whose value is undefined, an empty object or an empty list, so absent data stays absent. */
export function compact(object: Json): Json | undefined {
  const entries = Object.entries(object).filter(([, v]) => !isEmpty(v));
  return entries.length === 0 ? undefined : Object.fromEntries(entries);
}

export function voorletters(voornamen: string | undefined): string | undefined {
  if (!voornamen) return undefined;
  // Only names that start with a letter give an initial (`17`, `@` and `?` do not).
  const letters = voornamen
    .split(/\s+/)
    .filter((naam) => /^\p{L}/u.test(naam))
    .map((naam) => `${naam[0]?.toUpperCase()}.`)
    .join('');
  return letters || undefined;
}
