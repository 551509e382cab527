import { projectPerson } from '@poortwachter/gateway';
import type { BrkPersoonRef, BrkResource } from '@poortwachter/seeds';

type Json = Record<string, unknown>;
type Link = { href: string };

/** Where the links of an answer point: this source's public URL, and the BRP's for persons with a BSN. */
export interface LinkBases {
  /** This source's public URL without a trailing slash (`http://localhost:8308`). */
  readonly publicUrl: string;
  /** The BRP API's URL without a trailing slash; a person with a BSN links to `<brpUrl>/personen/<bsn>`. */
  readonly brpUrl: string;
}

/**
 * A resource as the client asked for it: all of it without `fields`, else only the named dot paths
 * (Haal Centraal's fields semantics, the same projection the gateway applies).
 */
export const projected = (resource: Json, fields: readonly string[]): Json =>
  fields.length === 0 ? { ...resource } : projectPerson(resource, fields).value;

const idsAt = (value: Json, key: string): string[] =>
  ((value[key] as unknown[] | undefined) ?? []).flatMap((item) =>
    typeof item === 'string'
      ? [item]
      : typeof (item as Json | null)?.identificatie === 'string'
        ? [(item as Json).identificatie as string]
        : [],
  );

/**
 * The href of a person a zakelijk gerechtigde, hypotheekhouder or beslaglegger names: a BRP person by
 * BSN at the BRP, a Kadaster person at this source. A company in the Handelsregister (an RSIN) has
 * none: the Handelsregister is not served here.
 */
export function persoonHref(persoon: BrkPersoonRef, bases: LinkBases): string | undefined {
  switch (persoon.type) {
    case 'ingeschreven_natuurlijk_persoon':
      return `${bases.brpUrl}/personen/${persoon.identificatie}`;
    case 'kadaster_natuurlijk_persoon':
      return `${bases.publicUrl}/kadasternatuurlijkpersonen/${persoon.identificatie}`;
    case 'kadaster_niet_natuurlijk_persoon':
      return `${bases.publicUrl}/kadasternietnatuurlijkpersonen/${persoon.identificatie}`;
    default:
      return undefined;
  }
}

/** Links to the persons in a list member (`hypotheekhouders`, `beslagleggers`) of what is released. */
const personLinks = (released: Json, full: Json, key: string, bases: LinkBases): Link[] => {
  const shown = new Set(idsAt(released, key));
  return ((full[key] as BrkPersoonRef[] | undefined) ?? []).flatMap((p) => {
    const href = shown.has(p.identificatie) ? persoonHref(p, bases) : undefined;
    return href ? [{ href }] : [];
  });
};

const withLinks = (value: Json, links: Record<string, Link | Link[]>): Json => {
  const kept = Object.fromEntries(Object.entries(links).filter(([, l]) => !Array.isArray(l) || l.length > 0));
  return { ...value, _links: kept };
};

/** The kinds of resource this source serves, and the links each carries. */
export const hal = {
  /**
   * A kadastraal onroerende zaak with its links: `self` always; every other relation only for the
   * identificaties the released value holds, so a link never shows what `fields` left out.
   */
  kadastraalOnroerendeZaak(full: BrkResource, released: Json, bases: LinkBases): Json {
    const self = `${bases.publicUrl}/kadastraalonroerendezaken/${full.identificatie}`;
    const zaak = (id: string) => ({ href: `${bases.publicUrl}/kadastraalonroerendezaken/${id}` });
    return withLinks(released, {
      self: { href: self },
      zakelijkGerechtigden: idsAt(released, 'zakelijkGerechtigdeIdentificaties').map((id) => ({
        href: `${self}/zakelijkgerechtigden/${id}`,
      })),
      hypotheken: idsAt(released, 'hypotheekIdentificaties').map((id) => ({ href: `${self}/hypotheken/${id}` })),
      beslagen: idsAt(released, 'beslagIdentificaties').map((id) => ({ href: `${self}/beslagen/${id}` })),
      bijbehorendeGrondpercelen: idsAt(released, 'bijbehorendeGrondpercelen').map(zaak),
      bijbehorendeAppartementsrechten: idsAt(released, 'bijbehorendeAppartementsrechten').map(zaak),
    });
  },

  /** A zakelijk gerechtigde with `self` and, when its `persoon.identificatie` is released, `persoon`. */
  zakelijkGerechtigde(zaakId: string, full: BrkResource, released: Json, bases: LinkBases): Json {
    const persoon = full.persoon as BrkPersoonRef | undefined;
    const shown = (released.persoon as Json | undefined)?.identificatie !== undefined;
    const href = persoon && shown ? persoonHref(persoon, bases) : undefined;
    return withLinks(released, {
      self: {
        href: `${bases.publicUrl}/kadastraalonroerendezaken/${zaakId}/zakelijkgerechtigden/${full.identificatie}`,
      },
      ...(href ? { persoon: { href } } : {}),
    });
  },

  hypotheek(zaakId: string, full: BrkResource, released: Json, bases: LinkBases): Json {
    return withLinks(released, {
      self: { href: `${bases.publicUrl}/kadastraalonroerendezaken/${zaakId}/hypotheken/${full.identificatie}` },
      hypotheekhouders: personLinks(released, full, 'hypotheekhouders', bases),
    });
  },

  beslag(zaakId: string, full: BrkResource, released: Json, bases: LinkBases): Json {
    return withLinks(released, {
      self: { href: `${bases.publicUrl}/kadastraalonroerendezaken/${zaakId}/beslagen/${full.identificatie}` },
      beslagleggers: personLinks(released, full, 'beslagleggers', bases),
    });
  },

  /** A Kadaster person (natuurlijk or niet-natuurlijk) with `self` and the zaken it holds a right on. */
  kadasterPersoon(path: string, full: BrkResource, released: Json, bases: LinkBases): Json {
    return withLinks(released, {
      self: { href: `${bases.publicUrl}/${path}/${full.identificatie}` },
      kadastraalOnroerendeZaken: idsAt(released, 'kadastraalOnroerendeZaakIdentificaties').map((id) => ({
        href: `${bases.publicUrl}/kadastraalonroerendezaken/${id}`,
      })),
    });
  },
};
