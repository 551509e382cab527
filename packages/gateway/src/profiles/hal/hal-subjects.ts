import type { ServiceDescription, ServiceOperation, SubjectPlace } from '@poortwachter/protocol';
import type { Subject } from '../../pipeline/context.ts';
import { isObject, valuesAt } from '../../protocol/project-fields.ts';
import { inResource, resourceOf } from './resource-paths.ts';

/** Every object at a path (arrays walked), or the root itself for the empty path. */
function objectsAt(root: Record<string, unknown>, path: string): Record<string, unknown>[] {
  const found = path === '' ? [root] : valuesAt(root, path);
  return found.flatMap((v) => (Array.isArray(v) ? v : [v])).filter(isObject);
}

/** The subjects one place names inside one object of its resource. */
function subjectsAt(root: Record<string, unknown>, resource: string, place: SubjectPlace): Subject[] {
  const idPath = inResource(resource, place.path);
  if (idPath === undefined) return [];
  const idParts = idPath.split('.');
  const idLeaf = idParts.pop() as string;
  const typePath = place.typePath === undefined ? undefined : inResource(resource, place.typePath);
  const typeParts = typePath?.split('.');
  const typeLeaf = typeParts?.pop();
  // The type is read beside the identifier, in the same object (`persoon.type` beside `persoon.identificatie`).
  const sameParent = typeParts !== undefined && typeParts.join('.') === idParts.join('.');
  const subjects: Subject[] = [];
  for (const parent of objectsAt(root, idParts.join('.'))) {
    const id = parent[idLeaf];
    if (typeof id !== 'string' || id === '') continue;
    const told = sameParent && typeLeaf !== undefined ? parent[typeLeaf] : undefined;
    const type = typeof told === 'string' ? place.idTypes?.[told] : place.idType;
    subjects.push({ id, type: type ?? 'onbekend' });
  }
  return subjects;
}

/**
 * The data subjects in one resource of an answer as the source sent it, by the description: each
 * subject place of the resource, read in the resource itself or, for a place of another resource, in
 * the relation that embeds it (the owners of a parcel in `_embedded.zakelijkGerechtigden`). A value
 * whose type the description does not map is still a subject, of type `onbekend`.
 *
 * @example
 * subjectsOf(parcel, 'kadastraalOnroerendeZaak', description); // [{ id: '999993653', type: 'BSN' }, …]
 */
export function subjectsOf(
  item: Record<string, unknown>,
  resource: string,
  description: ServiceDescription,
): Subject[] {
  const { subjects = [], relations = [] } = resourceOf(description, resource);
  const found: Subject[] = [];
  for (const place of subjects) {
    const [owner = ''] = place.path.split('.');
    if (owner === resource) {
      found.push(...subjectsAt(item, resource, place));
      continue;
    }
    const relation = relations.find((r) => r.resource === owner);
    const embedded = relation && isObject(item._embedded) ? item._embedded[relation.name] : undefined;
    for (const inner of (Array.isArray(embedded) ? embedded : [embedded]).filter(isObject)) {
      found.push(...subjectsAt(inner, owner, place));
    }
  }
  return unique(found);
}

/** Each subject once (by type and identifier). */
export function unique(subjects: readonly Subject[]): Subject[] {
  const seen = new Map<string, Subject>();
  for (const subject of subjects) seen.set(`${subject.type}\n${subject.id}`, subject);
  return [...seen.values()];
}

/** The subjects a call names itself: the values of its parameters that hold a subject's identifier (`subjectType`). */
export function namedSubjects(operation: ServiceOperation, parameters: Readonly<Record<string, string>>): Subject[] {
  return operation.parameters.flatMap((p) => {
    const value = parameters[p.name];
    return p.subjectType !== undefined && value !== undefined ? [{ id: value, type: p.subjectType }] : [];
  });
}
