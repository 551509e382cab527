import type { ResourceDescription, Service, ServiceDescription, ServiceOperation } from '@poortwachter/protocol';
import { isAtOrBelow } from '@poortwachter/protocol';

/**
 * Catalogue paths of a service with several kinds of resource start with the resource's name
 * (`kadastraalOnroerendeZaak.koopsom.koopsom`); inside an answer the resource is the object itself.
 * These helpers translate between the two, one rule for every stage.
 */

/** The catalogue path of a path inside a resource (`koopsom.koopsom` of `kadastraalOnroerendeZaak`). */
export const inCatalogue = (resource: string, path: string) => (resource === '' ? path : `${resource}.${path}`);

/** The path inside the resource of a catalogue path, or undefined when it belongs to another resource. */
export function inResource(resource: string, cataloguePath: string): string | undefined {
  if (resource === '') return cataloguePath;
  return cataloguePath.startsWith(`${resource}.`) ? cataloguePath.slice(resource.length + 1) : undefined;
}

/** Whether an autorisatie's paths cover a catalogue path: the path itself, or a path it lies below. */
export const covers = (authorised: readonly string[], path: string) => authorised.some((a) => isAtOrBelow(path, a));

/** The service's description, or undefined for a service without one. */
export const descriptionOf = (service: Service): ServiceDescription | undefined => service.description;

/** A resource's description (links, relations, subjects); empty when the description names none. */
export function resourceOf(description: ServiceDescription, resource: string): ResourceDescription {
  return description.resources[resource] ?? {};
}

/** One operation by its id. */
export function operationById(description: ServiceDescription, id: string): ServiceOperation | undefined {
  return description.operations.find((operation) => operation.id === id);
}
