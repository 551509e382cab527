import { dereferenceOpenApi, type OpenApiObject, openApiSchemaPaths } from '@poortwachter/protocol';

/**
 * What the registry reads of a service's OpenAPI 3 document to check its description: the operations
 * by path and method, their parameters and body members, and the field paths of their answers.
 */

/** One operation of the document, as far as a description can name it. */
export interface OpenApiOperation {
  readonly path: string;
  /** Upper case (`GET`). */
  readonly method: string;
  readonly operationId: string | undefined;
  /** Path, query and header parameters, the path item's own included. */
  readonly parameters: readonly { readonly name: string; readonly in: string }[];
  /** Top-level members of the JSON request body. */
  readonly bodyMembers: ReadonlySet<string>;
  /** The schema of the successful answer (200, else the first 2xx), of its JSON or HAL content. */
  readonly responseSchema: unknown;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

const asObject = (value: unknown): OpenApiObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as OpenApiObject) : {};

function jsonContentSchema(document: OpenApiObject, holder: unknown): unknown {
  const content = asObject(dereferenceOpenApi(document, holder)?.content);
  const type = Object.keys(content).find((t) => /^application\/(.+\+)?json$/i.test(t));
  return type === undefined ? undefined : asObject(content[type]).schema;
}

function parametersOf(document: OpenApiObject, list: unknown) {
  return (Array.isArray(list) ? list : [])
    .map((p) => dereferenceOpenApi(document, p))
    .filter((p) => typeof p?.name === 'string' && typeof p.in === 'string')
    .map((p) => ({ name: p?.name as string, in: p?.in as string }));
}

/**
 * Every operation of the document.
 *
 * @example
 * openApiOperations(spec).find((o) => o.operationId === 'GetKadastraalOnroerendeZaak')?.path;
 */
export function openApiOperations(document: OpenApiObject): OpenApiOperation[] {
  const operations: OpenApiOperation[] = [];
  for (const [path, rawItem] of Object.entries(asObject(document.paths))) {
    const item = asObject(dereferenceOpenApi(document, rawItem));
    const shared = parametersOf(document, item.parameters);
    for (const method of METHODS) {
      if (!Object.hasOwn(item, method)) continue;
      const operation = asObject(item[method]);
      const own = parametersOf(document, operation.parameters);
      const responses = asObject(operation.responses);
      const success = Object.hasOwn(responses, '200') ? '200' : Object.keys(responses).find((s) => /^2/.test(s));
      const body = jsonContentSchema(document, operation.requestBody);
      operations.push({
        path,
        method: method.toUpperCase(),
        operationId: typeof operation.operationId === 'string' ? operation.operationId : undefined,
        parameters: [...own, ...shared.filter((p) => !own.some((o) => o.name === p.name && o.in === p.in))],
        bodyMembers: new Set(body === undefined ? [] : [...openApiSchemaPaths(document, body, { maxDepth: 1 })]),
        responseSchema: success === undefined ? undefined : jsonContentSchema(document, responses[success]),
      });
    }
  }
  return operations;
}

/**
 * The field paths of one resource in an operation's answer: the whole answer, or with `items` the
 * entries of its HAL collection (`_embedded.<items>`). Undefined when the answer has no such collection.
 */
export function resourcePaths(
  document: OpenApiObject,
  operation: OpenApiOperation,
  items: string | undefined,
): Set<string> | undefined {
  const all = openApiSchemaPaths(document, operation.responseSchema);
  if (items === undefined) return all;
  const prefix = `_embedded.${items}`;
  if (!all.has(prefix)) return undefined;
  return new Set([...all].filter((p) => p.startsWith(`${prefix}.`)).map((p) => p.slice(prefix.length + 1)));
}
