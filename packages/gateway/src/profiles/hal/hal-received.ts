import type { Service, ServiceDescription } from '@poortwachter/protocol';
import type { Subject } from '../../pipeline/context.ts';
import { isObject, presentPaths } from '../../protocol/project-fields.ts';
import type { ResolvedCall } from '../profile.ts';
import { namedSubjects, subjectsOf, unique } from './hal-subjects.ts';
import { inCatalogue, resourceOf } from './resource-paths.ts';

/** What one answer held about one subject, as the afnemer's side records it. */
export interface ReceivedAbout {
  readonly subject: Subject | undefined;
  readonly fields: ReadonlySet<string>;
}

/** The catalogue paths a resource holds: each leaf path and every path above one, its links' reveals, its embedded resources'. */
function heldBy(
  item: Record<string, unknown>,
  resource: string,
  description: ServiceDescription,
  catalogue: ReadonlySet<string>,
) {
  const held = new Set<string>();
  const { _links: links, _embedded: embedded, ...own } = item;
  for (const leaf of presentPaths(own as never)) {
    const parts = inCatalogue(resource, leaf).split('.');
    for (let i = 1; i <= parts.length; i++) {
      const path = parts.slice(0, i).join('.');
      if (catalogue.has(path)) held.add(path);
    }
  }
  const { links: declared = [], relations = [] } = resourceOf(description, resource);
  for (const link of declared) {
    if (isObject(links) && Object.hasOwn(links, link.rel)) for (const path of link.reveals) held.add(path);
  }
  for (const relation of relations) {
    const inner = isObject(embedded) ? embedded[relation.name] : undefined;
    for (const i of (Array.isArray(inner) ? inner : []).filter(isObject)) {
      for (const path of heldBy(i, relation.resource, description, catalogue)) held.add(path);
    }
  }
  return held;
}

/**
 * What an answer of a described service held, by subject, read on the afnemer's side (the outway) from
 * the verified body as the inway released it: the subjects each resource shows (the owners, when they
 * were expanded) and the subjects the call named (the BSN searched for); a resource that shows none is
 * recorded without a subject when the call named none either (the inway's log has them).
 */
export function receivedAbout(service: Service, call: ResolvedCall, body: unknown): ReceivedAbout[] {
  const description = service.description;
  if (!description) return [{ subject: undefined, fields: new Set() }];
  const { operation } = call;
  const catalogue = new Set(service.fieldCatalogue.map((f) => f.path));
  const items = !isObject(body)
    ? []
    : operation.items === undefined
      ? [body]
      : isObject(body._embedded) && Array.isArray(body._embedded[operation.items])
        ? (body._embedded[operation.items] as unknown[]).filter(isObject)
        : [];
  const named = namedSubjects(operation, call.parameters);
  const about: ReceivedAbout[] = [];
  const all = new Set<string>();
  for (const item of items) {
    const fields = heldBy(item, operation.resource, description, catalogue);
    for (const f of fields) all.add(f);
    const subjects = subjectsOf(item, operation.resource, description);
    for (const subject of subjects) about.push({ subject, fields });
    if (subjects.length === 0 && named.length === 0) about.push({ subject: undefined, fields });
  }
  for (const subject of unique(named)) about.push({ subject, fields: all });
  return about.length > 0 ? about : [{ subject: undefined, fields: new Set() }];
}
