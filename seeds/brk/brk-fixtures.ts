import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A BRK resource in the shape of its BRK bevragen 2.0 schema; every resource has a digits-only `identificatie`. */
export type BrkResource = Record<string, unknown> & { identificatie: string };

/** How a zakelijk gerechtigde, hypotheekhouder or beslaglegger refers to a person (the spec's `PersoonBeperkt`). */
export interface BrkPersoonRef {
  readonly identificatie: string;
  readonly omschrijving?: string;
  readonly type:
    | 'ingeschreven_natuurlijk_persoon'
    | 'kadaster_natuurlijk_persoon'
    | 'ingeschreven_niet_natuurlijk_persoon'
    | 'kadaster_niet_natuurlijk_persoon';
}

/** A zakelijk gerechtigde (`ZakelijkGerechtigde`), with the person it names. */
export type BrkZakelijkGerechtigde = BrkResource & {
  type: string;
  persoon: BrkPersoonRef;
  tenaamstelling?: { aandeel?: { teller: number; noemer: number } };
};

/**
 * Kadaster's BRK as the example source serves it: the kadastraal onroerende zaken (`perceel`,
 * `appartementsrecht`) in the spec's `KadastraalOnroerendeZaak` shape, and per zaak (by its
 * identificatie) its zakelijk gerechtigden, hypotheken and beslagen; the Kadaster persons apart.
 */
export interface BrkFixtures {
  readonly kadastraalOnroerendeZaken: readonly BrkResource[];
  readonly zakelijkGerechtigden: Readonly<Record<string, readonly BrkZakelijkGerechtigde[]>>;
  readonly hypotheken: Readonly<Record<string, readonly BrkResource[]>>;
  readonly beslagen: Readonly<Record<string, readonly BrkResource[]>>;
  readonly kadasterNatuurlijkPersonen: readonly BrkResource[];
  readonly kadasterNietNatuurlijkPersonen: readonly BrkResource[];
}

/** Path of the committed fixtures (`pnpm --filter @poortwachter/seeds brk` writes them). */
export const BRK_FIXTURES_PATH = fileURLToPath(new URL('./kadaster.json', import.meta.url));

/**
 * The invented BRK fixtures over RvIG's test persons (seeds/brk/README.md): parcels and apartment
 * rights owned by persons in the BRP (by BSN), Kadaster persons and companies, with mortgages and one beslag.
 *
 * @example
 * const brk = loadBrkFixtures();
 * brk.zakelijkGerechtigden[zaak.identificatie]; // who owns it
 */
export function loadBrkFixtures(): BrkFixtures {
  return JSON.parse(readFileSync(BRK_FIXTURES_PATH, 'utf8')) as BrkFixtures;
}
