import type { Autorisatie, InvalidParam, SearchParameter, Service } from '@poortwachter/protocol';
import { GatewayRefusal, invalidParamType, isAtOrBelow } from '@poortwachter/protocol';
import type { Context } from 'hono';
import type { GrantBase } from '../../pipeline/authorise.ts';
import type { GatewayEnv, Grant } from '../../pipeline/context.ts';
import { decideFields, decideParameters } from '../../pipeline/field-authorisation.ts';
import type { ResolvedCall } from '../profile.ts';
import { parseHalCall } from './hal-call.ts';
import { covers, inCatalogue, operationById, resourceOf } from './resource-paths.ts';

/** What an autorisatie allows of one call: the catalogue paths released, per place in the answer. */
export interface HalDecision {
  /** Every catalogue path released (the resource's and the expanded relations'). */
  readonly releasedFields: readonly string[];
  /** The relations the caller expanded: name → the embedded resource. */
  readonly expanded: ReadonlyMap<string, string>;
}

const invalid = (name: string, code: string, reason: string): InvalidParam => ({
  type: invalidParamType(code),
  name,
  code,
  reason,
});

/** The catalogue paths of one resource that the autorisatie covers (what "no `fields`" releases). */
function authorisedOf(resource: string, catalogue: readonly string[], authorised: readonly string[]): string[] {
  return catalogue.filter((path) => isAtOrBelow(path, resource) && covers(authorised, path));
}

/**
 * Decides a call to a described service against an autorisatie, with nothing filtered silently:
 * - the operation must be one the autorisatie names (its `searchTypes`);
 * - every parameter selects on data: the autorisatie must cover what it selects on (`selects`);
 * - `fields` (Haal Centraal: paths inside the resource) must be authorised, each; without `fields`
 *   the answer holds the resource's authorised fields (a Haal Centraal client that names none gets
 *   what it may see, never more);
 * - `expand` of a relation is allowed only where the relation's fields are authorised: the whole
 *   relation releases its authorised fields, `relation.path` that path.
 * A path the catalogue does not know is a 400 (`fields`), one it knows but the autorisatie does not
 * cover a 403 naming it.
 */
export function decideHalCall(
  service: Service,
  autorisatie: Autorisatie,
  call: ResolvedCall,
  catalogue: readonly string[],
): HalDecision {
  const { operation } = call;
  if (!autorisatie.searchTypes.includes(operation.id)) {
    throw new GatewayRefusal('unauthorizedParameter', `Niet geautoriseerd voor de vraag ${operation.id}.`, {
      invalidParams: [invalid('operation', 'unauthorizedParameter', 'Niet geautoriseerd voor deze vraag.')],
    });
  }
  const declared = new Map<string, SearchParameter>(
    operation.parameters.map((p) => [
      p.name,
      { name: p.name, selects: p.selects, ...(p.neutral === undefined ? {} : { neutral: p.neutral }) },
    ]),
  );
  const refusedParameters = decideParameters(
    { type: operation.id, fields: [], ...call.parameters },
    declared,
    autorisatie.fields,
  );
  if (refusedParameters.length > 0) {
    throw new GatewayRefusal(
      'unauthorizedParameter',
      `Niet geautoriseerd om te zoeken met ${refusedParameters.map((p) => p.name).join(', ')}.`,
      { invalidParams: refusedParameters },
    );
  }

  const known = (path: string) => catalogue.some((c) => isAtOrBelow(c, path) || isAtOrBelow(path, c));
  const released = new Set<string>();
  const problems: InvalidParam[] = [];
  const refused: InvalidParam[] = [];
  if (call.fields === undefined) {
    for (const path of authorisedOf(operation.resource, catalogue, autorisatie.fields)) released.add(path);
    if (released.size === 0) {
      throw new GatewayRefusal('unauthorizedField', 'Niet geautoriseerd voor een veld van deze resource.', {
        invalidParams: [invalid('fields', 'unauthorizedField', 'Niet geautoriseerd voor een veld van deze resource.')],
      });
    }
  } else {
    const unknown = call.fields.filter((path) => !known(path));
    if (unknown.length > 0) problems.push(invalid('fields', 'fields', 'Parameter bevat een niet bestaande veldnaam.'));
    const decision = decideFields(call.fields.filter(known), autorisatie.fields, catalogue);
    for (const path of decision.released) released.add(path);
    refused.push(...decision.refused.map((p) => ({ ...p, name: 'fields' })));
  }

  const expanded = new Map<string, string>();
  const relations =
    resourceOf(service.description ?? { operations: [], resources: {} }, operation.resource).relations ?? [];
  for (const item of call.expand) {
    const [name = '', ...rest] = item.split('.');
    const relation = relations.find((r) => r.name === name);
    if (!relation) {
      problems.push(invalid('expand', 'expand', 'Parameter bevat een niet bestaande relatie.'));
      continue;
    }
    expanded.set(relation.name, relation.resource);
    if (rest.length === 0) {
      const paths = authorisedOf(relation.resource, catalogue, autorisatie.fields);
      if (paths.length === 0) {
        refused.push(invalid('expand', 'unauthorizedParameter', 'Niet geautoriseerd voor de velden van deze relatie.'));
      }
      for (const path of paths) released.add(path);
      continue;
    }
    const path = inCatalogue(relation.resource, rest.join('.'));
    if (!known(path)) {
      problems.push(invalid('expand', 'expand', 'Parameter bevat een niet bestaande veldnaam.'));
      continue;
    }
    const decision = decideFields([path], autorisatie.fields, catalogue);
    for (const p of decision.released) released.add(p);
    refused.push(...decision.refused.map((p) => ({ ...p, name: 'expand' })));
  }
  if (problems.length > 0) {
    throw new GatewayRefusal(
      'invalidRequest',
      `De foutieve parameter(s) zijn ${[...new Set(problems.map((p) => p.name))].join(', ')}.`,
      {
        invalidParams: problems,
      },
    );
  }
  if (refused.length > 0) {
    throw new GatewayRefusal(
      'unauthorizedField',
      `Niet geautoriseerd voor ${refused.length} van de gevraagde velden.`,
      {
        invalidParams: refused,
      },
    );
  }
  return { releasedFields: [...released], expanded };
}

/** A described service's call: its operation, parameters, `fields` and `expand`, decided by the description. */
export function halGrant(c: Context<GatewayEnv>, base: GrantBase): Grant {
  const url = new URL(c.req.url);
  const call = parseHalCall(base.service, {
    method: c.req.method,
    path: url.pathname,
    query: url.search.slice(1),
    body: c.get('body'),
  });
  const catalogue = c.get('directory').cataloguePaths.get(base.service.id) ?? [];
  const decision = decideHalCall(base.service, base.autorisatie, call, catalogue);
  return {
    ...base,
    searchType: call.operation.id,
    query: { type: call.operation.id, fields: [...(call.fields ?? [])], ...call.parameters },
    releasedFields: decision.releasedFields,
    call,
    expanded: decision.expanded,
  };
}

/**
 * A described service's call for a citizen's own data: `operation` (`ZoekKadastraalOnroerendeZakenMetBsn`)
 * with their BSN in its `subjectType: 'BSN'` parameter and `fields` the grant's autorisatie's paths of
 * the operation's resource, decided as an afnemer's call is (`decideHalCall`).
 */
export function halOwnGrant(base: GrantBase, operationId: string, bsn: string, catalogue: readonly string[]): Grant {
  const operation = base.service.description && operationById(base.service.description, operationId);
  const parameter = operation?.parameters.find((p) => p.subjectType === 'BSN');
  if (!operation || !parameter)
    throw new GatewayRefusal('internal', `De dienst beschrijft geen vraag ${operationId} met een burgerservicenummer.`);
  const call: ResolvedCall = {
    operation,
    parameters: { [parameter.name]: bsn },
    fields: base.autorisatie.fields.filter((path) => isAtOrBelow(path, operation.resource)),
    expand: [],
  };
  const decision = decideHalCall(base.service, base.autorisatie, call, catalogue);
  return {
    ...base,
    searchType: operation.id,
    query: { type: operation.id, fields: [...(call.fields ?? [])], ...call.parameters },
    releasedFields: decision.releasedFields,
    call,
    expanded: decision.expanded,
  };
}
