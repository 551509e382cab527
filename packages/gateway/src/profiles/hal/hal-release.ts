import type { ServiceDescription } from '@poortwachter/protocol';
import type { Grant, HalAnswer, ReleasedPerson } from '../../pipeline/context.ts';
import { isObject, projectFields, valuesAt } from '../../protocol/project-fields.ts';
import { namedSubjects, subjectsOf, unique } from './hal-subjects.ts';
import { covers, inCatalogue, inResource, resourceOf } from './resource-paths.ts';

/** One resource as released and the catalogue paths it carries (its fields, its links' reveals, its embedded ones'). */
interface Released {
  readonly value: Record<string, unknown>;
  readonly fields: Set<string>;
}

/**
 * A link's href at the inway, when it points into the source and carries nothing but what the link
 * reveals: each path segment is a word of the service's own paths (`kadastraalonroerendezaken`) or a
 * value the resource holds at a path the link `reveals`; no query or fragment (a source could put a
 * name or a BSN there), only a trailing URI template (`{?expand}`) on a templated link. Any other link
 * is not passed on: the description promises what an href reveals, the source's text cannot widen it.
 */
function hrefAtInway(href: unknown, link: Record<string, unknown>, context: LinkContext): string | undefined {
  if (typeof href !== 'string') return undefined;
  const { sourceBase, inwayBase } = context;
  if (!href.startsWith(`${sourceBase}/`)) return undefined;
  const rest = href.slice(sourceBase.length);
  const template = link.templated === true ? /\{[?&][A-Za-z0-9_,]+\}$/.exec(rest)?.[0] : undefined;
  const path = template === undefined ? rest : rest.slice(0, -template.length);
  if (/[?#{}]/.test(path)) return undefined;
  const carriesOnlyRevealed = path
    .slice(1)
    .split('/')
    .every((segment) => {
      let value: string;
      try {
        value = decodeURIComponent(segment);
      } catch {
        return false;
      }
      return context.words.has(value) || context.revealed.has(value);
    });
  return carriesOnlyRevealed ? `${inwayBase}${rest}` : undefined;
}

/** What a link may carry: the service's path words and the values at the paths it reveals. */
interface LinkContext {
  readonly sourceBase: string;
  readonly inwayBase: string;
  readonly words: ReadonlySet<string>;
  readonly revealed: ReadonlySet<string>;
}

/** A link object (or list of them) with only its href (and `templated`): a `title` can carry a name. */
function releaseLink(link: unknown, context: LinkContext): unknown {
  if (Array.isArray(link)) {
    const links = link.map((l) => releaseLink(l, context)).filter((l) => l !== undefined);
    return links.length > 0 ? links : undefined;
  }
  if (!isObject(link)) return undefined;
  const href = hrefAtInway(link.href, link, context);
  if (href === undefined) return undefined;
  return link.templated === true ? { href, templated: true } : { href };
}

/** The literal segments of every operation path of the description (`kadastraalonroerendezaken`, `hypotheken`). */
function pathWords(description: ServiceDescription): Set<string> {
  return new Set(
    description.operations.flatMap((o) => o.path.split('/').filter((part) => part !== '' && !part.startsWith('{'))),
  );
}

/** The values (as text) the source's resource holds at catalogue paths of that resource. */
function valuesOf(item: Record<string, unknown>, resource: string, paths: readonly string[]): Set<string> {
  const values = new Set<string>();
  for (const path of paths) {
    const inside = inResource(resource, path);
    if (inside === undefined) continue;
    for (const value of valuesAt(item, inside).flatMap((v) => (Array.isArray(v) ? v : [v]))) {
      if (typeof value === 'string' || typeof value === 'number') values.add(String(value));
    }
  }
  return values;
}

interface ReleaseContext {
  readonly grant: Grant;
  readonly description: ServiceDescription;
  readonly sourceBase: string;
  readonly inwayBase: string;
  readonly words: ReadonlySet<string>;
  /** What the caller has already: its own parameters' values and those released of the resources around this one. */
  readonly known: ReadonlySet<string>;
}

/** Every scalar value (as text) in a released value. */
function scalarsOf(value: unknown, into: Set<string>): Set<string> {
  if (typeof value === 'string' || typeof value === 'number') into.add(String(value));
  else if (Array.isArray(value)) for (const v of value) scalarsOf(v, into);
  else if (isObject(value)) for (const v of Object.values(value)) scalarsOf(v, into);
  return into;
}

/**
 * One resource as released: its own released paths (Haal Centraal `fields` semantics), the links the
 * description names whose revealed paths are released (authorised and asked for, or authorised when
 * `fields` named none) and whose href carries nothing else (`hrefAtInway`; hrefs moved to the inway; any
 * other link, and every link's title, stays here), and the relations the caller expanded, each released the
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
    const released = releaseLink(sourceLinks[link.rel], {
      ...context,
      revealed: new Set([...valuesOf(item, resource, link.reveals), ...context.known]),
    });
    if (released === undefined) continue;
    links[link.rel] = released;
    for (const path of link.reveals) fields.add(path);
  }
  const embedded: Record<string, unknown> = {};
  const sourceEmbedded = isObject(item._embedded) ? item._embedded : {};
  const around: ReleaseContext = { ...context, known: scalarsOf(value, new Set(context.known)) };
  for (const [name, relationResource] of grant.expanded ?? []) {
    const inner = sourceEmbedded[name];
    if (!Array.isArray(inner)) continue;
    const released = inner.filter(isObject).map((i) => releaseResource(i, relationResource, around));
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
    words: pathWords(description),
    known: new Set(Object.values(grant.call?.parameters ?? {})),
  };
  const ofAnswer = unique([...answer.subjects, ...namedSubjects(operation, grant.call?.parameters ?? {})]);
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
