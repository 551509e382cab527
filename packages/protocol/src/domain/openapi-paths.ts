/**
 * Reading an OpenAPI 3 document as plain data (parsed JSON or YAML): local `$ref`s and the dot paths of
 * the fields a response schema can hold. One walker for every service, so that the seeds' catalogues,
 * the BRP source and the registry's check of a service description agree on what a path is.
 */

/** A JSON Schema or OpenAPI object, as parsed. */
export type OpenApiObject = Record<string, unknown>;

const isObject = (value: unknown): value is OpenApiObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The object a local reference (`#/components/schemas/Persoon`) points at in `document`, or undefined
 * when it is not local or points at nothing. JSON Pointer escapes (`~1`, `~0`) are honoured.
 *
 * @example
 * resolveOpenApiRef(spec, '#/components/schemas/Persoon')?.type; // 'object'
 */
export function resolveOpenApiRef(document: OpenApiObject, ref: string): OpenApiObject | undefined {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = document;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    if (!isObject(node) || !Object.hasOwn(node, key)) return undefined;
    node = node[key];
  }
  return isObject(node) ? node : undefined;
}

/** `value` itself, or what its `$ref` points at (once: a chain of references is followed by the caller). */
export function dereferenceOpenApi(document: OpenApiObject, value: unknown): OpenApiObject | undefined {
  if (!isObject(value)) return undefined;
  return typeof value.$ref === 'string' ? resolveOpenApiRef(document, value.$ref) : value;
}

export interface SchemaPathOptions {
  /** How many property levels deep to go (default 12): a recursive schema stops here at the latest. */
  readonly maxDepth?: number;
  /** How many schema nodes to visit at most (default 100 000): past it the walk throws a RangeError. */
  readonly maxVisits?: number;
}

/**
 * Every dot path of a field that `schema` can hold: properties are followed through `$ref`, `allOf`,
 * `oneOf`, `anyOf`, arrays and every discriminator mapping, so that a member only a subtype has
 * (`verblijfplaats.verblijfadres.postcode`, only on `Adres`) is found too. A reference already being
 * walked is not walked again (a subtype's `allOf` points back at its base; a schema may contain itself).
 * A document built to explode (many references to many references) ends in a RangeError, not a hang.
 *
 * @example
 * openApiSchemaPaths(spec, { $ref: '#/components/schemas/Persoon' }).has('naam.voornamen'); // true
 */
export function openApiSchemaPaths(
  document: OpenApiObject,
  schema: unknown,
  options: SchemaPathOptions = {},
): Set<string> {
  const maxDepth = options.maxDepth ?? 12;
  let visits = options.maxVisits ?? 100_000;
  const paths = new Set<string>();
  const walking: string[] = [];
  const walk = (input: unknown, prefix: string, depth: number): void => {
    if (!isObject(input)) return;
    if (--visits < 0) throw new RangeError('The schema is too complex to walk.');
    const ref = typeof input.$ref === 'string' ? input.$ref : undefined;
    if (ref !== undefined) {
      if (walking.includes(ref)) return;
      walking.push(ref);
      walk(resolveOpenApiRef(document, ref), prefix, depth);
      walking.pop();
      return;
    }
    for (const keyword of ['allOf', 'oneOf', 'anyOf'] as const) {
      const parts = input[keyword];
      if (Array.isArray(parts)) for (const part of parts) walk(part, prefix, depth);
    }
    const mapping = isObject(input.discriminator) ? input.discriminator.mapping : undefined;
    if (isObject(mapping)) {
      for (const target of Object.values(mapping))
        if (typeof target === 'string') walk({ $ref: target }, prefix, depth);
    }
    if (input.items !== undefined) walk(input.items, prefix, depth);
    if (!isObject(input.properties) || depth >= maxDepth) return;
    for (const [name, property] of Object.entries(input.properties)) {
      const path = prefix ? `${prefix}.${name}` : name;
      paths.add(path);
      walk(property, path, depth + 1);
    }
  };
  walk(schema, '', 0);
  return paths;
}
