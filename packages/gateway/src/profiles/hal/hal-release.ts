import type { ServiceDescription } from '@poortwachter/protocol';
import type { Grant, HalAnswer, ReleasedPerson, Subject } from '../../pipeline/context.ts';
import { isObject, projectFields, valuesAt } from '../../protocol/project-fields.ts';
import { subjectsOf, unique } from './hal-subjects.ts';
import { covers, inCatalogue, inResource, resourceOf } from './resource-paths.ts';

/** One resource as released and the catalogue paths it carries (its fields, its links' reveals, its embedded ones'). */
interface Released {
  readonly value: Record<string, unknown>;
  readonly fields: Set<string>;
}

/** A link's href at the inway, when it points into the source; any other link is not passed on. */
function hrefAtInway(href: unknown, sourceBase: string, inwayBase: string): string | undefined {
  if (typeof href !== 'string') return undefined;
  if (href !== sourceBase && !href.startsWith(`${sourceBase}/`) && !href.startsWith(`${sourceBase}?`)) return undefined;
  return `${inwayBase}${href.slice(sourceBase.length)}`;
}

/** A link object (or list of them) with only its href (and `templated`): a `title` can carry a name. */
function releaseLink(link: unknown, sourceBase: string, inwayBase: string): unknown {
  if (Array.isArray(link)) {
    const links = link.map((l) => releaseLink(l, sourceBase, inwayBase)).filter((l) => l !== undefined);
    return links.length > 0 ? links : undefined;
  }
  if (!isObject(link)) return undefined;
  const href = hrefAtInway(link.href, sourceBase, inwayBase);
  if (href === undefined) return undefined;
  return link.templated === true ? { href, templated: true } : { href };
}

interface ReleaseContext {
  readonly grant: Grant;
  readonly description: ServiceDescription;
  readonly sourceBase: string;
  readonly inwayBase: string;
}

/**
 * One resource as released: its own released paths (Haal Centraal `fields` semantics), the links the
 * description names whose revealed paths are released (authorised and asked for, or authorised when
 * `fields` named none) (hrefs moved to the inway; any other
 * link, and every link's title, stays here), and the relations the caller expanded, each released the
 * same way. Everything else the source sent, its `_embedded` for the gateway's own subject look-up
 * included, stays here.
 */
function releaseResource(item: Record<string, unknown>, resource: string, context: ReleaseContext): Released {
  const { grant } = context;
  const own = grant.releasedFields.flatMap((path) => {
    const inside = inResource(resource, path);
    return inside === undefined ? [] : [inside];
  });
  const value = projectFields(item, own) as Record<string, unknown>;
  delete value._links;
  delete value._embedded;
  const fields = new Set(own.filter((path) => valuesAt(value, path).length > 0).map((p) => inCatalogue(resource, p)));
  const description = resourceOf(context.description, resource);
  const links: Record<string, unknown> = {};
  const sourceLinks = isObject(item._links) ? item._links : {};
  for (const link of description.links ?? []) {
    if (!Object.hasOwn(sourceLinks, link.rel) || !link.reveals.every((path) => covers(grant.releasedFields, path)))
      continue;
    const released = releaseLink(sourceLinks[link.rel], context.sourceBase, context.inwayBase);
    if (released === undefined) continue;
    links[link.rel] = released;
    for (const path of link.reveals) fields.add(path);
  }
  const embedded: Record<string, unknown> = {};
  const sourceEmbedded = isObject(item._embedded) ? item._embedded : {};
  for (const [name, relationResource] of grant.expanded ?? []) {
    const inner = sourceEmbedded[name];
    if (!Array.isArray(inner)) continue;
    const released = inner.filter(isObject).map((i) => releaseResource(i, relationResource, context));
    const kept = released.filter((r) => Object.keys(r.value).length > 0);
    embedded[name] = kept.map((r) => r.value);
    for (const r of kept) for (const f of r.fields) fields.add(f);
  }
  if (Object.keys(links).length > 0) value._links = links;
  if (Object.keys(embedded).length > 0) value._embedded = embedded;
  return { value, fields };
}

/**
 * A described service's answer as released, and who it is about. Each resource is minimised by
 * `releaseResource`; its subjects are read in what the source sent (the owners the gateway asked to be
 * embedded, even when the caller did not ask for them), plus the subjects of the whole answer: the ones
 * the `subjectsFrom` look-up found and the parameters that name a subject (the BSN searched for, also
 * when nothing was found). One `ReleasedPerson` per subject per resource, so that each record names
 * the fields that left about that subject.
 */
export function releaseHal(
  grant: Grant,
  answer: HalAnswer,
): { people: ReleasedPerson[]; body: Record<string, unknown> } {
  const description = grant.service.description as ServiceDescription;
  const operation = grant.call?.operation;
  if (!operation) throw new Error('releaseHal needs a described call');
  const context: ReleaseContext = {
    grant,
    description,
    sourceBase: answer.sourceBase,
    inwayBase: grant.service.gatewayUrl.replace(/\/+$/, ''),
  };
  const named: Subject[] = operation.parameters.flatMap((p) => {
    const value = grant.call?.parameters[p.name];
    return p.subjectType !== undefined && value !== undefined ? [{ id: value, type: p.subjectType }] : [];
  });
  const ofAnswer = unique([...answer.subjects, ...named]);
  const people: ReleasedPerson[] = [];
  const releasedItems: Record<string, unknown>[] = [];
  const allFields = new Set<string>();
  for (const item of answer.items) {
    const released = releaseResource(item, operation.resource, context);
    releasedItems.push(released.value);
    for (const f of released.fields) allFields.add(f);
    const subjects = subjectsOf(item, operation.resource, description);
    const fields = [...released.fields];
    // A resource without subjects of its own is about the answer's subjects, or (none either) about no one known.
    if (subjects.length === 0 && ofAnswer.length === 0)
      people.push({ released: released.value, subjectId: undefined, releasedFields: fields });
    for (const s of subjects)
      people.push({ released: released.value, subjectId: s.id, subjectType: s.type, releasedFields: fields });
  }
  for (const s of ofAnswer) {
    people.push({ released: {}, subjectId: s.id, subjectType: s.type, releasedFields: [...allFields] });
  }
  const body = answer.collection
    ? { _embedded: { [operation.items as string]: releasedItems } }
    : (releasedItems[0] ?? {});
  return { people, body };
}
