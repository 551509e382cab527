import type { Persoon } from '../personen.ts';
import type { BrkFixtures, BrkResource, BrkZakelijkGerechtigde } from './brk-fixtures.ts';
import {
  bsn,
  EIGENDOM,
  EURO,
  KADASTER_NATUURLIJK,
  KADASTER_NIET_NATUURLIJK,
  type Ref,
  ZAKEN,
} from './brk-scenarios.ts';

/*
 * Invented BRK data over RvIG's test persons. What is invented is data in brk-scenarios.ts; what a
 * person's home looks like (its address and BAG identifications) is read from the person in the BRP,
 * so that both registrations agree.
 */

const id = (prefix: number, n: number) => `${prefix}${String(n).padStart(10, '0')}`;
const get = (value: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], value);
const omit = <T extends Record<string, unknown>>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

/** The BRP person's home address as the BRK's `LocatieKadastraalObject`. */
function homeOf(persoon: Persoon): Record<string, unknown> {
  const adres = get(persoon, 'verblijfplaats.verblijfadres') as Record<string, unknown> | undefined;
  if (!adres) throw new Error(`${persoon.burgerservicenummer} has no address in the BRP`);
  return omit({
    straat: adres.officieleStraatnaam,
    huisnummer: adres.huisnummer,
    huisletter: adres.huisletter,
    huisnummertoevoeging: adres.huisnummertoevoeging,
    postcode: adres.postcode,
    woonplaats: adres.woonplaats,
    nummeraanduidingIdentificatie: get(persoon, 'verblijfplaats.nummeraanduidingIdentificatie'),
    adresseerbaarObjectIdentificatie: get(persoon, 'verblijfplaats.adresseerbaarObjectIdentificatie'),
    koppelingswijze: { code: 'ADM_GEO', waarde: 'administratief en geometrisch' },
  });
}

/**
 * Builds the BRK fixtures from the BRP test persons. Deterministic: the same persons give the same
 * fixtures, id for id. Throws when a person it names is missing from the BRP or has no address.
 *
 * @example
 * const brk = generateBrkFixtures(loadPersonen());
 */
export function generateBrkFixtures(personen: readonly Persoon[]): BrkFixtures {
  const byBsn = new Map(personen.map((p) => [p.burgerservicenummer, p]));
  const person = (burgerservicenummer: string): Persoon => {
    const found = byBsn.get(burgerservicenummer);
    if (!found) throw new Error(`${burgerservicenummer} is not a test person in the BRP`);
    return found;
  };
  const refOf = (owner: Ref | string): Ref =>
    typeof owner === 'string' ? bsn(owner, String(get(person(owner), 'naam.volledigeNaam') ?? owner)) : owner;
  const brpAddresses = new Set(personen.map((p) => get(p, 'verblijfplaats.nummeraanduidingIdentificatie')));
  const counters = { zg: 0, hypotheek: 0, beslag: 0 };
  const zaakId = (index: number) => id(3000, index + 1);
  const zakelijkGerechtigden: Record<string, BrkZakelijkGerechtigde[]> = {};
  const hypotheken: Record<string, BrkResource[]> = {};
  const beslagen: Record<string, BrkResource[]> = {};

  const kadastraalOnroerendeZaken = ZAKEN.map((zaak, index): BrkResource => {
    const identificatie = zaakId(index);
    const gerechtigden = zaak.eigenaars.map(([owner, [teller, noemer], aanvangsdatum]) => ({
      identificatie: id(4000, ++counters.zg),
      type: 'eigenaar',
      aanvangsdatum,
      tenaamstelling: { aandeel: { teller, noemer } },
      persoon: refOf(owner),
    }));
    const zaakHypotheken = (zaak.hypotheken ?? []).map(([houder, som]) => ({
      identificatie: id(5000, ++counters.hypotheek),
      domein: 'NL.IMKAD.Hypotheek',
      aandeelInBetrokkenRecht: { teller: 1, noemer: 1 },
      omschrijvingBetrokkenRecht: EIGENDOM,
      hypotheekhouders: [houder],
      bedragZekerheidsstelling: { som, valuta: EURO },
    }));
    const zaakBeslagen = zaak.beslag
      ? [
          {
            identificatie: id(6000, ++counters.beslag),
            domein: 'NL.IMKAD.Beslag',
            aandeelInBetrokkenRecht: { teller: 1, noemer: 1 },
            omschrijvingBetrokkenRecht: EIGENDOM,
            aard: { code: '2', waarde: zaak.beslag[2] },
            beslagleggers: [zaak.beslag[0]],
            bedragVordering: { som: zaak.beslag[1], valuta: EURO },
          },
        ]
      : [];
    if (gerechtigden.length > 0) zakelijkGerechtigden[identificatie] = gerechtigden;
    if (zaakHypotheken.length > 0) hypotheken[identificatie] = zaakHypotheken;
    if (zaakBeslagen.length > 0) beslagen[identificatie] = zaakBeslagen;

    let adres: Record<string, unknown> | undefined;
    if (typeof zaak.adresVan === 'string') adres = homeOf(person(zaak.adresVan));
    else if (zaak.adresVan) {
      if (brpAddresses.has(zaak.adresVan.nummeraanduidingIdentificatie))
        throw new Error(`${zaak.adresVan.nummeraanduidingIdentificatie} is a BRP address: invent another`);
      adres = { ...zaak.adresVan, koppelingswijze: { code: 'ADM_GEO', waarde: 'administratief en geometrisch' } };
    }
    const apartments = ZAKEN.flatMap((other, i) => (other.grondperceel === index ? [i] : []));
    return omit({
      identificatie,
      domein: 'NL.IMKAD.KadastraalObject',
      type: zaak.type,
      kadastraleAanduiding: zaak.kadastraleAanduiding,
      kadastraleGrootte: zaak.grootte
        ? { waarde: zaak.grootte, soortGrootte: { code: '1', waarde: 'Vastgesteld' } }
        : undefined,
      aardCultuurBebouwd: zaak.cultuur.bebouwd ? { code: 'B', waarde: zaak.cultuur.bebouwd } : undefined,
      aardCultuurOnbebouwd: zaak.cultuur.onbebouwd ? { code: 'O', waarde: zaak.cultuur.onbebouwd } : undefined,
      koopsom: zaak.koop ? { koopsom: zaak.koop[0], koopjaar: zaak.koop[1] } : undefined,
      plaatscoordinaten: zaak.plaats ? { type: 'Point', coordinates: [...zaak.plaats] } : undefined,
      adressen: adres ? [adres] : undefined,
      gesplitstZakelijkRecht: zaak.gesplitst ? 'eigenaar' : undefined,
      zakelijkGerechtigdeIdentificaties: gerechtigden.length > 0 ? gerechtigden.map((g) => g.identificatie) : undefined,
      hypotheekIdentificaties: zaakHypotheken.length > 0 ? zaakHypotheken.map((h) => h.identificatie) : undefined,
      beslagIdentificaties: zaakBeslagen.length > 0 ? zaakBeslagen.map((b) => b.identificatie) : undefined,
      bijbehorendeGrondpercelen:
        zaak.grondperceel === undefined ? undefined : [{ identificatie: zaakId(zaak.grondperceel) }],
      bijbehorendeAppartementsrechten:
        apartments.length > 0 ? apartments.map((i, n) => ({ identificatie: zaakId(i), volgnummer: n + 1 })) : undefined,
    });
  });

  const ownedBy = (ref: string) =>
    Object.entries(zakelijkGerechtigden).flatMap(([zaak, list]) =>
      list.some((g) => g.persoon.identificatie === ref) ? [zaak] : [],
    );
  const withZaken = (p: BrkResource): BrkResource => {
    const zaken = ownedBy(p.identificatie);
    return zaken.length > 0 ? { ...p, kadastraalOnroerendeZaakIdentificaties: zaken } : { ...p };
  };
  return {
    kadastraalOnroerendeZaken,
    zakelijkGerechtigden,
    hypotheken,
    beslagen,
    kadasterNatuurlijkPersonen: KADASTER_NATUURLIJK.map(withZaken),
    kadasterNietNatuurlijkPersonen: KADASTER_NIET_NATUURLIJK.map(withZaken),
  };
}
