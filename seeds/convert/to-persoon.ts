import type { Occurrence, PersoonsLijst, Stapel } from './lo3.ts';
import {
  ADELLIJK,
  type CodeTables,
  compact,
  FUNCTIE_ADRES,
  GESLACHT,
  NAAMGEBRUIK,
  plaats,
  REDEN_OPSCHORTING,
  SOORT_VERBINTENIS,
  toDatum,
  voorletters,
  waarde,
} from './lo3-values.ts';
import { applyOnderzoek } from './onderzoek.ts';

type Json = Record<string, unknown>;

function naam(occ: Occurrence, persoon: boolean): Json | undefined {
  const voornamen = occ['02.10'];
  const titel = occ['02.20'] ? ADELLIJK[occ['02.20']] : undefined;
  const voorvoegsel = occ['02.30'];
  const geslachtsnaam = occ['02.40'];
  const adellijkeTitelPredicaat =
    occ['02.20'] && titel ? { code: occ['02.20'], omschrijving: titel.omschrijving, soort: titel.soort } : undefined;
  const result: Json = {
    voornamen,
    adellijkeTitelPredicaat,
    voorvoegsel,
    geslachtsnaam,
    voorletters: voorletters(voornamen),
  };
  if (persoon) {
    const predicaat = titel?.soort === 'predicaat' ? titel.omschrijving : undefined;
    const adellijkeTitel = titel?.soort === 'titel' ? titel.omschrijving : undefined;
    const parts = [predicaat, voornamen, adellijkeTitel, voorvoegsel, geslachtsnaam].filter(Boolean);
    result.volledigeNaam = parts.length > 0 ? parts.join(' ') : undefined;
    result.aanduidingNaamgebruik = waarde(occ['61.10'], NAAMGEBRUIK);
  }
  return compact(result);
}

function geboorte(occ: Occurrence, tables: CodeTables): Json | undefined {
  return compact({
    datum: toDatum(occ['03.10']),
    plaats: plaats(occ['03.20'], tables),
    land: waarde(occ['03.30'], tables.landen),
  });
}

const current = (stapels: readonly Stapel[] | undefined): Occurrence | undefined => stapels?.[0]?.[0];
const hasAny = (occ: Occurrence, rubrics: readonly string[]) => rubrics.some((r) => occ[r] !== undefined);

function nationaliteiten(stapels: readonly Stapel[], tables: CodeTables): Json[] {
  const result: Json[] = [];
  for (const stapel of stapels) {
    const occ = stapel[0];
    // An occurrence with a reason for ending (64.10) means the nationality is no longer held.
    if (!occ || occ['64.10']) continue;
    const common = { redenOpname: waarde(occ['63.10'], {}), datumIngangGeldigheid: toDatum(occ['85.10']) };
    const code = occ['05.10'];
    let entry: Json | undefined;
    if (code === '0499') entry = { type: 'Staatloos', ...common };
    else if (code === '0000') entry = { type: 'NationaliteitOnbekend', ...common };
    else if (code) entry = { type: 'Nationaliteit', nationaliteit: waarde(code, tables.nationaliteiten), ...common };
    else if (occ['65.10'] === 'B') entry = { type: 'BehandeldAlsNederlander', ...common };
    else if (occ['65.10'] === 'V') entry = { type: 'VastgesteldNietNederlander', ...common };
    const compacted = entry && compact(entry);
    if (compacted) {
      applyOnderzoek(compacted, occ, '04', 'nationaliteit', toDatum);
      result.push(compacted);
    }
  }
  return result;
}

function verblijfplaats(occ: Occurrence, tables: CodeTables): Json | undefined {
  const datumVan = toDatum(occ['10.30'] ?? occ['13.20']);
  const datumIngangGeldigheid = toDatum(occ['85.10']);
  if (hasAny(occ, ['13.10', '13.30', '13.40', '13.50'])) {
    const land = occ['13.10'];
    if (land === '0000') return compact({ type: 'VerblijfplaatsOnbekend', datumVan, datumIngangGeldigheid });
    return compact({
      type: 'VerblijfplaatsBuitenland',
      datumVan,
      datumIngangGeldigheid,
      verblijfadres: compact({
        regel1: occ['13.30'],
        regel2: occ['13.40'],
        regel3: occ['13.50'],
        land: waarde(land, tables.landen),
      }),
    });
  }
  if (occ['12.10']) {
    return compact({
      type: 'Locatie',
      datumVan,
      datumIngangGeldigheid,
      functieAdres: waarde(occ['10.10'], FUNCTIE_ADRES),
      verblijfadres: { locatiebeschrijving: occ['12.10'] },
    });
  }
  if (!hasAny(occ, ['11.10', '11.20', '11.60'])) return undefined;
  const huisnummer = Number(occ['11.20']);
  const gemeente = occ['09.10'] ? tables.gemeenten.get(occ['09.10']) : undefined;
  return compact({
    type: 'Adres',
    datumVan,
    datumIngangGeldigheid,
    functieAdres: waarde(occ['10.10'], FUNCTIE_ADRES),
    adresseerbaarObjectIdentificatie: occ['11.80'],
    nummeraanduidingIdentificatie: occ['11.90'],
    verblijfadres: compact({
      officieleStraatnaam: occ['11.15'] ?? occ['11.10'],
      korteStraatnaam: occ['11.10'],
      huisnummer: Number.isInteger(huisnummer) && huisnummer > 0 ? huisnummer : undefined,
      huisletter: occ['11.30'],
      huisnummertoevoeging: occ['11.40'],
      aanduidingBijHuisnummer: waarde(occ['11.50'], { by: 'bij', to: 'tegenover' }),
      postcode: occ['11.60'],
      woonplaats: occ['11.70'] ?? gemeente,
    }),
  });
}

function ouder(occ: Occurrence | undefined, aanduiding: '1' | '2', tables: CodeTables) {
  if (!occ || !hasAny(occ, ['01.20', '02.10', '02.40', '03.10', '04.10'])) return undefined;
  return withOnderzoek(occ, aanduiding === '1' ? '02' : '03', 'ouder', {
    burgerservicenummer: occ['01.20'],
    ouderAanduiding: aanduiding,
    geslacht: waarde(occ['04.10'], GESLACHT),
    naam: naam(occ, false),
    geboorte: geboorte(occ, tables),
    datumIngangFamilierechtelijkeBetrekking: toDatum(occ['62.10']),
  });
}

function partners(stapels: readonly Stapel[], tables: CodeTables): Json[] {
  const all = stapels
    .map((s) => s[0])
    .filter((occ): occ is Occurrence => !!occ && hasAny(occ, ['01.20', '02.10', '02.40', '06.10', '15.10']));
  // The BRP API gives the current partners; when there are none, only the last dissolved one.
  const active = all.filter((occ) => !occ['07.10']);
  const chosen =
    active.length > 0 ? active : all.sort((a, b) => (b['07.10'] ?? '').localeCompare(a['07.10'] ?? '')).slice(0, 1);
  return chosen.map((occ) =>
    withOnderzoek(occ, '05', 'partner', {
      burgerservicenummer: occ['01.20'],
      geslacht: waarde(occ['04.10'], GESLACHT),
      soortVerbintenis: waarde(occ['15.10'], SOORT_VERBINTENIS),
      naam: naam(occ, false),
      geboorte: geboorte(occ, tables),
      aangaanHuwelijkPartnerschap: compact({
        datum: toDatum(occ['06.10']),
        plaats: plaats(occ['06.20'], tables),
        land: waarde(occ['06.30'], tables.landen),
      }),
      ontbindingHuwelijkPartnerschap: compact({ datum: toDatum(occ['07.10']) }),
    }),
  );
}

function kinderen(stapels: readonly Stapel[], tables: CodeTables): Json[] {
  return stapels
    .map((s) => s[0])
    .filter((occ): occ is Occurrence => !!occ && hasAny(occ, ['01.20', '02.10', '02.40', '03.10']))
    .map((occ) =>
      withOnderzoek(occ, '09', 'kind', {
        burgerservicenummer: occ['01.20'],
        naam: naam(occ, false),
        geboorte: geboorte(occ, tables),
      }),
    );
}

/** An object of a category, compacted, with the `inOnderzoek` flags its occurrence raises. */
function withOnderzoek(
  occ: Occurrence,
  category: string,
  kind: Parameters<typeof applyOnderzoek>[3],
  value: Json,
): Json {
  const object = compact(value) ?? {};
  applyOnderzoek(object, occ, category, kind, toDatum);
  return object;
}

/** RNI-deelnemers named in RvIG's public BRP API features (the full LO3 table 88 is not in the test set). */
const RNI_DEELNEMERS: Record<string, string> = {
  '0101': 'Belastingdienst (inzake heffingen en toeslagen)',
  '0201': 'Sociale Verzekeringsbank (inzake AOW, Anw en AKW)',
  '0501': 'Immigratie- en naturalisatiedienst (inzake nationaliteitsgegevens)',
};
/** The categories whose RNI-deelnemer (`88.10`) the BRP API delivers, by their API name. */
const RNI_CATEGORIES: Record<string, string> = {
  '01': 'Persoon',
  '04': 'Nationaliteit',
  '06': 'Overlijden',
  '08': 'Verblijfplaats',
};

function rni(occurrences: readonly [string, Occurrence | undefined][]): Json[] {
  return occurrences.flatMap(([category, occ]) => {
    const code = occ?.['88.10'];
    const categorie = RNI_CATEGORIES[category];
    if (!code || !categorie) return [];
    return [
      compact({
        deelnemer: waarde(code, RNI_DEELNEMERS),
        omschrijvingVerdrag: occ?.['88.20'],
        categorie,
      }) ?? {},
    ];
  });
}

/**
 * Converts one LO3 persoonslijst into the BRP API Personen 2.x `Persoon` shape, current data only
 * (history stays behind, as the API serves actual data). `leeftijd` is left out: it depends on the
 * day of the query, so the source computes it.
 */
export function toPersoon(lijst: PersoonsLijst, tables: CodeTables): Json | undefined {
  const get = (category: string) => lijst.categories.get(category);
  const persoon = current(get('01'));
  if (!persoon?.['01.20']) return undefined;
  const inschrijving = current(get('07')) ?? {};
  const verblijf = current(get('08'));
  const overlijdenOcc = current(get('06'));
  const ouders = [ouder(current(get('02')), '1', tables), ouder(current(get('03')), '2', tables)].filter(
    (o): o is Json => o !== undefined,
  );
  const geheim = Number(inschrijving['70.10'] ?? '0');
  const result = compact({
    burgerservicenummer: persoon['01.20'],
    aNummer: persoon['01.10'],
    geslacht: waarde(persoon['04.10'], GESLACHT),
    naam: naam(persoon, true),
    geboorte: geboorte(persoon, tables),
    nationaliteiten: nationaliteiten(get('04') ?? [], tables),
    verblijfplaats: verblijf ? verblijfplaats(verblijf, tables) : undefined,
    gemeenteVanInschrijving: waarde(verblijf?.['09.10'], tables.gemeenten),
    datumInschrijvingInGemeente: toDatum(verblijf?.['09.20']),
    datumEersteInschrijvingGBA: toDatum(inschrijving['68.10']),
    geheimhoudingPersoonsgegevens: geheim > 0 ? true : undefined,
    opschortingBijhouding: inschrijving['67.20']
      ? compact({ reden: waarde(inschrijving['67.20'], REDEN_OPSCHORTING), datum: toDatum(inschrijving['67.10']) })
      : undefined,
    overlijden: overlijdenOcc
      ? compact({
          datum: toDatum(overlijdenOcc['08.10']),
          plaats: plaats(overlijdenOcc['08.20'], tables),
          land: waarde(overlijdenOcc['08.30'], tables.landen),
        })
      : undefined,
    ouders,
    partners: partners(get('05') ?? [], tables),
    kinderen: kinderen(get('09') ?? [], tables),
    rni: rni([
      ['01', persoon],
      ...(get('04') ?? []).map((s): [string, Occurrence | undefined] => ['04', s[0]]),
      ['06', overlijdenOcc],
      ['08', verblijf],
    ]),
    verificatie: compact({ datum: toDatum(inschrijving['71.10']), omschrijving: inschrijving['71.20'] }),
  });
  if (result) {
    applyOnderzoek(result, persoon, '01', 'persoon', toDatum);
    applyOnderzoek(result, verblijf, '08', 'verblijfplaats', toDatum);
    applyOnderzoek(result, overlijdenOcc, '06', 'overlijden', toDatum);
  }
  return result;
}
