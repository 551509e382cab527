import {
  parseFieldUrn,
  type TerugMelding,
  type TerugmeldingOutcome,
  type TerugmeldingStatus,
  type TerugmeldingView,
} from '@poortwachter/protocol';
import type { DirectoryIndex } from '../directory/directory-index.ts';
import type { StoredTerugmelding } from './terugmelding-store.ts';

/** The bytes a base64 attachment decodes to (the parser checked it is base64). */
const decodedSize = (base64: string) => Buffer.from(base64, 'base64').length;

/**
 * A stored terugmelding as its readers see it: labels from the service's catalogue, the melder by name,
 * the history of its statuses. `filed` (the bronhouder's read of one melding) adds the melding as filed:
 * the person's BSN and the attachments' contents, which no list carries (megabytes each).
 *
 * @example
 * terugmeldingView(stored, c.var.directory);
 */
export function terugmeldingView(
  { row, statussen }: StoredTerugmelding,
  directory: DirectoryIndex,
  options: { readonly filed?: boolean } = {},
): TerugmeldingView {
  const melding = JSON.parse(row.body) as TerugMelding;
  const catalogue = directory.services.get(row.service_id)?.fieldCatalogue ?? [];
  const referentiekenmerk = melding.terugMeldingHeader?.referentiekenmerk;
  const melderOin = row.melder_oin;
  return {
    terugMeldingReferentie: row.id,
    ...(referentiekenmerk === undefined ? {} : { referentiekenmerk }),
    dienst: row.service_id,
    ingediend: new Date(Number(row.created_at)).toISOString(),
    melder:
      row.melder_soort === 'organisatie' && melderOin !== null
        ? {
            soort: 'organisatie',
            naam: directory.organisations.get(melderOin)?.name ?? 'onbekende organisatie',
            oin: melderOin,
          }
        : { soort: 'betrokkene' },
    gegevens: melding.terugMeldingBody.terugMeldingGegevens.map((g) => {
      const path = parseFieldUrn(g.attribuutUrn)?.path;
      const toelichting = g.eigenvelden?.toelichting;
      return {
        attribuutUrn: g.attribuutUrn,
        veld: catalogue.find((f) => f.path === path)?.label ?? path ?? g.attribuutUrn,
        betwijfeldeWaarde: g.betwijfeldeWaarde,
        voorgesteldeWaarde: g.voorgesteldeWaarde,
        ...(toelichting === undefined ? {} : { toelichting }),
        bijlages: (g.bijlages ?? []).map((b) => ({
          bestandsnaam: b.bestandsnaam,
          mimeType: b.mimeType,
          grootte: decodedSize(b.bijlageData),
        })),
      };
    }),
    status: row.status as TerugmeldingStatus,
    ...(row.uitkomst === null ? {} : { uitkomst: row.uitkomst as TerugmeldingOutcome }),
    ...(row.bericht === null ? {} : { bericht: row.bericht }),
    geschiedenis: statussen.map((s) => ({
      status: s.status as TerugmeldingStatus,
      tijdstip: new Date(Number(s.at)).toISOString(),
    })),
    ...(options.filed ? { terugMelding: melding } : {}),
  };
}
