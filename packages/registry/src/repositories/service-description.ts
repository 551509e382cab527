import {
  type CatalogueField,
  type InvalidParam,
  type OpenApiObject,
  PROTOCOL_SEARCH_TYPES,
  type Protocol,
  type ServiceDescription,
  type ServiceOperation,
} from '@poortwachter/protocol';
import { type OpenApiOperation, openApiOperations, resourcePaths } from './openapi-document.ts';

/**
 * The one rule for a service's description (issue 26): consistent in itself, with the service's field
 * catalogue and with the service's OpenAPI document. Problems name the member (`description.operations[3]
 * .parameters[1].selects[0]`); the caller refuses the service when there is any.
 */

/** The largest OpenAPI document the registry keeps (as JSON): BRK bevragen 2.0 is about 165 kB. */
export const MAX_OPEN_API_BYTES = 512 * 1024;

/** What of a service the rule reads. */
export interface DescribedService {
  readonly protocol: Protocol;
  readonly fieldCatalogue: readonly CatalogueField[];
  readonly description?: ServiceDescription | undefined;
}

/**
 * The operations an autorisatie on the service may name in `searchTypes`: those its protocol knows by
 * itself and those of its description.
 *
 * @example
 * serviceSearchTypes({ protocol: 'haal-centraal-hal', description }); // ['GetKadastraalOnroerendeZaken', …]
 */
export function serviceSearchTypes(service: Pick<DescribedService, 'protocol' | 'description'>): string[] {
  const builtIn: readonly string[] = PROTOCOL_SEARCH_TYPES[service.protocol] ?? [];
  return [...builtIn, ...(service.description?.operations.map((o) => o.id) ?? [])];
}

const problem = (name: string, code: string, reason: string): InvalidParam => ({ name, code, reason });
const D = 'description';

/** The resource a catalogue path belongs to and the path within it, or undefined for none. */
function splitPath(path: string, resources: ServiceDescription['resources']) {
  const dot = path.indexOf('.');
  const head = dot < 0 ? path : path.slice(0, dot);
  if (dot > 0 && Object.hasOwn(resources, head)) return { resource: head, rest: path.slice(dot + 1) };
  return Object.hasOwn(resources, '') ? { resource: '', rest: path } : undefined;
}

const templateNames = (path: string) => [...path.matchAll(/\{([^}]*)\}/g)].map((m) => m[1] ?? '');
const pathParameterNames = (operation: ServiceOperation) =>
  operation.parameters.filter((p) => p.in === 'path').map((p) => p.name);

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

/** The description's consistency in itself and with the catalogue. */
function ownProblems(description: ServiceDescription, catalogue: readonly CatalogueField[]): InvalidParam[] {
  const problems: InvalidParam[] = [];
  const releasable = new Set(catalogue.filter((f) => !f.automatic).map((f) => f.path));
  const catalogued = (name: string, path: string) => {
    if (!releasable.has(path)) {
      problems.push(
        problem(name, 'unknownField', `Pad ${path} is geen veld van de catalogus dat geautoriseerd kan worden.`),
      );
    }
  };
  const { operations, resources } = description;
  const ids = new Set<string>();
  operations.forEach((operation, i) => {
    const at = `${D}.operations[${i}]`;
    if (ids.has(operation.id))
      problems.push(problem(`${at}.id`, 'duplicate', `Operatie ${operation.id} staat er dubbel in.`));
    ids.add(operation.id);
    if (!Object.hasOwn(resources, operation.resource)) {
      problems.push(
        problem(`${at}.resource`, 'unknownResource', `Resource ${operation.resource} staat niet in resources.`),
      );
    }
    const inPath = pathParameterNames(operation);
    if (!operation.path.startsWith('/')) {
      problems.push(problem(`${at}.path`, 'path', `Het pad ${operation.path} begint niet met /.`));
    }
    for (const name of templateNames(operation.path).filter((n) => !inPath.includes(n))) {
      problems.push(
        problem(
          `${at}.path`,
          'undeclaredPathParameter',
          `Padparameter {${name}} is niet als parameter (in: path) beschreven.`,
        ),
      );
    }
    const seen = new Set<string>();
    operation.parameters.forEach((parameter, j) => {
      const p = `${at}.parameters[${j}]`;
      const key = `${parameter.in} ${parameter.name}`;
      if (seen.has(key))
        problems.push(problem(`${p}.name`, 'duplicate', `Parameter ${parameter.name} staat er dubbel in.`));
      seen.add(key);
      if (parameter.in === 'path' && !templateNames(operation.path).includes(parameter.name)) {
        problems.push(
          problem(
            `${p}.name`,
            'notInPath',
            `Padparameter ${parameter.name} staat niet als {${parameter.name}} in het pad.`,
          ),
        );
      }
      if (parameter.in === 'path' && parameter.pattern === undefined) {
        problems.push(problem(`${p}.pattern`, 'required', `Padparameter ${parameter.name} heeft een patroon nodig.`));
      }
      if (parameter.pattern !== undefined && !compiles(parameter.pattern)) {
        problems.push(
          problem(`${p}.pattern`, 'pattern', `Het patroon van ${parameter.name} is geen geldige reguliere expressie.`),
        );
      }
      parameter.selects.forEach((path, k) => {
        catalogued(`${p}.selects[${k}]`, path);
      });
    });
    const relations = Object.hasOwn(resources, operation.resource)
      ? (resources[operation.resource]?.relations ?? []).map((r) => r.name)
      : [];
    (operation.subjectExpand ?? []).forEach((name, k) => {
      if (!relations.includes(name)) {
        problems.push(
          problem(
            `${at}.subjectExpand[${k}]`,
            'unknownRelation',
            `Relatie ${name} hoort niet bij resource ${operation.resource}.`,
          ),
        );
      }
    });
    if (operation.subjectsFrom !== undefined) {
      const from = operations.find((o) => o.id === operation.subjectsFrom);
      if (!from) {
        problems.push(
          problem(
            `${at}.subjectsFrom`,
            'unknownOperation',
            `Operatie ${operation.subjectsFrom} staat niet in de beschrijving.`,
          ),
        );
      } else if ([...pathParameterNames(from)].sort().join() !== [...inPath].sort().join()) {
        problems.push(
          problem(
            `${at}.subjectsFrom`,
            'pathParameters',
            `Operatie ${from.id} heeft niet dezelfde padparameters als ${operation.id}.`,
          ),
        );
      }
    }
  });
  for (const [key, resource] of Object.entries(resources)) {
    const at = `${D}.resources.${key}`;
    (resource.links ?? []).forEach((link, j) => {
      link.reveals.forEach((path, k) => {
        catalogued(`${at}.links[${j}].reveals[${k}]`, path);
      });
    });
    (resource.relations ?? []).forEach((relation, j) => {
      if (!Object.hasOwn(resources, relation.resource)) {
        problems.push(
          problem(
            `${at}.relations[${j}].resource`,
            'unknownResource',
            `Resource ${relation.resource} staat niet in resources.`,
          ),
        );
      }
    });
    (resource.subjects ?? []).forEach((subject, j) => {
      catalogued(`${at}.subjects[${j}].path`, subject.path);
      if (subject.typePath !== undefined) catalogued(`${at}.subjects[${j}].typePath`, subject.typePath);
      if (subject.idType === undefined && (subject.typePath === undefined || subject.idTypes === undefined)) {
        problems.push(
          problem(
            `${at}.subjects[${j}]`,
            'idType',
            'Een plaats van betrokkenen heeft idType, of typePath met idTypes.',
          ),
        );
      }
    });
  }
  catalogue.forEach((field, k) => {
    if (!splitPath(field.path, resources)) {
      problems.push(
        problem(
          `fieldCatalogue[${k}].path`,
          'unknownResource',
          `Pad ${field.path} begint niet met de naam van een resource.`,
        ),
      );
    }
  });
  return problems;
}

/** The description and the catalogue against the OpenAPI document. */
function specProblems(
  description: ServiceDescription,
  catalogue: readonly CatalogueField[],
  document: OpenApiObject,
): InvalidParam[] {
  const problems: InvalidParam[] = [];
  const specOperations = openApiOperations(document);
  const paths = new Map<string, Set<string>>();
  const addPaths = (resource: string, found: Iterable<string>) => {
    const set = paths.get(resource) ?? new Set<string>();
    for (const path of found) set.add(path);
    paths.set(resource, set);
  };
  description.operations.forEach((operation, i) => {
    const at = `${D}.operations[${i}]`;
    const match = specOperations.find((o) => o.path === operation.path && o.method === operation.method);
    if (!match) {
      problems.push(missingOperation(at, operation, specOperations));
      return;
    }
    if (match.operationId !== operation.id) {
      problems.push(
        problem(
          `${at}.id`,
          'operationId',
          `${operation.method} ${operation.path} heeft in de OpenAPI-specificatie operationId ${match.operationId ?? '(geen)'}.`,
        ),
      );
    }
    operation.parameters.forEach((parameter, j) => {
      const found =
        parameter.in === 'body'
          ? match.bodyMembers.has(parameter.name)
          : match.parameters.some((p) => p.name === parameter.name && p.in === parameter.in);
      if (!found) {
        problems.push(
          problem(
            `${at}.parameters[${j}].name`,
            'notInSpec',
            `Parameter ${parameter.name} (${parameter.in}) staat niet bij operatie ${operation.id} in de OpenAPI-specificatie.`,
          ),
        );
      }
    });
    const found = resourcePaths(document, match, operation.items);
    if (!found) {
      problems.push(
        problem(
          `${at}.items`,
          'notInSpec',
          `Het antwoord van ${operation.id} heeft geen _embedded.${operation.items}.`,
        ),
      );
    } else {
      addPaths(operation.resource, found);
    }
  });
  for (const [key, resource] of Object.entries(description.resources)) {
    const own = paths.get(key);
    if (!own) continue;
    (resource.relations ?? []).forEach((relation, j) => {
      const prefix = `_embedded.${relation.name}`;
      if (!own.has(prefix)) {
        problems.push(
          problem(
            `${D}.resources.${key}.relations[${j}].name`,
            'notInSpec',
            `Resource ${key} heeft geen ${prefix} in de OpenAPI-specificatie.`,
          ),
        );
      }
      addPaths(
        relation.resource,
        [...own].filter((p) => p.startsWith(`${prefix}.`)).map((p) => p.slice(prefix.length + 1)),
      );
    });
    (resource.links ?? []).forEach((link, j) => {
      if (!own.has(`_links.${link.rel}`)) {
        problems.push(
          problem(
            `${D}.resources.${key}.links[${j}].rel`,
            'notInSpec',
            `Resource ${key} heeft geen _links.${link.rel} in de OpenAPI-specificatie.`,
          ),
        );
      }
    });
  }
  catalogue.forEach((field, k) => {
    const split = splitPath(field.path, description.resources);
    if (split && !paths.get(split.resource)?.has(split.rest)) {
      problems.push(
        problem(
          `fieldCatalogue[${k}].path`,
          'notInSpec',
          `Pad ${field.path} staat niet in het antwoord van de OpenAPI-specificatie.`,
        ),
      );
    }
  });
  return problems;
}

function missingOperation(at: string, operation: ServiceOperation, specOperations: OpenApiOperation[]) {
  const byId = specOperations.find((o) => o.operationId === operation.id);
  if (byId && byId.path === operation.path) {
    return problem(
      `${at}.method`,
      'notInSpec',
      `Operatie ${operation.id} heeft in de OpenAPI-specificatie methode ${byId.method}, niet ${operation.method}.`,
    );
  }
  if (byId) {
    return problem(
      `${at}.path`,
      'notInSpec',
      `Operatie ${operation.id} heeft in de OpenAPI-specificatie pad ${byId.path}.`,
    );
  }
  return problem(
    `${at}.id`,
    'notInSpec',
    `Operatie ${operation.method} ${operation.path} (${operation.id}) staat niet in de OpenAPI-specificatie.`,
  );
}

/**
 * Every problem of a service's description: a `haal-centraal-hal` service must have one; a description
 * needs the OpenAPI document (`openApi`) and must fit it and the catalogue.
 *
 * @example
 * serviceDescriptionProblems(service, spec); // [] when it fits
 */
export function serviceDescriptionProblems(
  service: DescribedService,
  openApi: OpenApiObject | undefined,
): InvalidParam[] {
  const { description } = service;
  if (!description) {
    return service.protocol === 'haal-centraal-hal'
      ? [
          problem(
            D,
            'required',
            'Een dienst met protocol haal-centraal-hal heeft een beschrijving (description) nodig.',
          ),
        ]
      : [];
  }
  const problems = ownProblems(description, service.fieldCatalogue);
  if (!openApi) {
    problems.push(
      problem(
        'openApi',
        'required',
        'Een beschrijving wordt gecontroleerd tegen de OpenAPI-specificatie van de dienst: stuur die mee.',
      ),
    );
    return problems;
  }
  if (Buffer.byteLength(JSON.stringify(openApi)) > MAX_OPEN_API_BYTES) {
    problems.push(
      problem('openApi', 'tooLarge', `De OpenAPI-specificatie is groter dan ${MAX_OPEN_API_BYTES / 1024} kB.`),
    );
    return problems;
  }
  try {
    problems.push(...specProblems(description, service.fieldCatalogue, openApi));
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    problems.push(
      problem('openApi', 'tooComplex', 'De schema’s van de OpenAPI-specificatie zijn te ingewikkeld om na te lopen.'),
    );
  }
  return problems;
}
