import { isAtOrBelow } from './field-paths.ts';
import type { Service } from './model.ts';

/**
 * The catalogue paths a citizen is shown of their own data: every field of the catalogue (those the
 * source delivers unasked too) except the ones about another person, i.e. below the parent of a
 * data-subject path other than the service's first (its own subject: `burgerservicenummer` of the
 * person asked for), and below the paths its `betrokkene.anderePersonen` names (the BRP's partners,
 * ouders and kinderen, whose BSNs the BRP answer holds but the gateway does not log as subjects). One rule for the inway that releases them and every page that shows them.
 *
 * @example
 * ownFields(brpService).includes('naam.voornamen'); // true
 */
export function ownFields(service: Pick<Service, 'fieldCatalogue' | 'dataSubjectPaths' | 'betrokkene'>): string[] {
  const others = [
    ...service.dataSubjectPaths
      .slice(1)
      .map((path) => path.split('.').slice(0, -1).join('.'))
      .filter((prefix) => prefix !== ''),
    ...(service.betrokkene?.anderePersonen ?? []),
  ];
  return service.fieldCatalogue
    .map((field) => field.path)
    .filter((path) => !others.some((prefix) => isAtOrBelow(path, prefix)));
}

const URN = /^urn:([a-z0-9][a-z0-9-]{0,62}):([A-Za-z0-9_.]{1,200})$/;

/**
 * The URN a terugmelding names a datum by (Logius' draft: `attribuutUrn`): the service's id and the
 * catalogue path, `urn:brp-personen:verblijfplaats.verblijfadres.huisnummer`.
 */
export const fieldUrn = (serviceId: string, path: string): string => `urn:${serviceId}:${path}`;

/** The service id and catalogue path a `fieldUrn` names; undefined when the text is not one. */
export function parseFieldUrn(urn: string): { serviceId: string; path: string } | undefined {
  const match = URN.exec(urn);
  if (!match?.[1] || !match[2]) return undefined;
  return { serviceId: match[1], path: match[2] };
}
