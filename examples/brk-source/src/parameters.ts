import type { OpenApiDocument, OpenApiOperation, Schema } from '@poortwachter/seeds';
import { type InvalidParam, invalidParam } from './problem.ts';

/** A query parameter as the spec declares it for one operation, its schema resolved. */
export interface QueryParameter {
  readonly name: string;
  readonly schema: Schema;
}

/**
 * The query parameters the spec declares for an operation, `$ref`s to component schemas resolved: what a
 * request may carry is read from the spec, not repeated here.
 */
export function queryParameters(spec: OpenApiDocument, operation: OpenApiOperation): Map<string, QueryParameter> {
  const resolve = (schema: Schema | undefined): Schema =>
    typeof schema?.$ref === 'string'
      ? resolve(spec.components.schemas[schema.$ref.slice('#/components/schemas/'.length)])
      : (schema ?? {});
  return new Map(
    (operation.parameters ?? [])
      .filter((p) => p.in === 'query')
      .map((p) => [p.name, { name: p.name, schema: resolve(p.schema) }]),
  );
}

/** Why a query value does not fit its schema (`type`, `pattern`, `minimum`, `maximum`, `enum`), or undefined. */
function valueError(name: string, raw: string, schema: Schema): InvalidParam | undefined {
  if (schema.type === 'integer') {
    if (!/^-?[0-9]{1,15}$/.test(raw)) return invalidParam(name, 'integer', 'Waarde is geen geldige integer.');
    const value = Number(raw);
    if (typeof schema.minimum === 'number' && value < schema.minimum)
      return invalidParam(name, 'minimum', `Waarde is lager dan minimum ${schema.minimum}.`);
    if (typeof schema.maximum === 'number' && value > schema.maximum)
      return invalidParam(name, 'maximum', `Waarde is hoger dan maximum ${schema.maximum}.`);
    return undefined;
  }
  if (schema.type === 'boolean') {
    return raw === 'true' || raw === 'false' ? undefined : invalidParam(name, 'boolean', 'Waarde is geen boolean.');
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(raw))
    return invalidParam(name, 'enum', `Waarde moet één van ${schema.enum.join(', ')} zijn.`);
  if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern).test(raw))
    return invalidParam(name, 'pattern', `Waarde voldoet niet aan het patroon ${schema.pattern}.`);
  if (raw === '') return invalidParam(name, 'required', 'Parameter is leeg.');
  return undefined;
}

/**
 * Reads a request's query against the operation's declared parameters: each may appear once, with a
 * value its schema accepts; one the spec does not declare for the operation, or that this source does
 * not serve, is an `unknownParam`. Returns the values and every error found.
 */
export function readQuery(
  search: URLSearchParams,
  declared: ReadonlyMap<string, QueryParameter>,
  served: ReadonlySet<string>,
): { values: Map<string, string>; errors: InvalidParam[] } {
  const values = new Map<string, string>();
  const errors: InvalidParam[] = [];
  for (const name of new Set(search.keys())) {
    const all = search.getAll(name);
    const parameter = declared.get(name);
    if (!parameter) {
      errors.push(invalidParam(name, 'unknownParam', 'Parameter is niet verwacht.'));
    } else if (!served.has(name)) {
      errors.push(invalidParam(name, 'unknownParam', 'Deze voorbeeldbron ondersteunt deze parameter niet.'));
    } else if (all.length > 1) {
      errors.push(invalidParam(name, 'unique', 'Parameter mag maar één keer voorkomen.'));
    } else {
      const raw = all[0] ?? '';
      const error = valueError(name, raw, parameter.schema);
      if (error) errors.push(error);
      else values.set(name, raw);
    }
  }
  return { values, errors };
}

/** A comma-separated list (`fields`, `expand`), its items trimmed; an empty item is an error of `name`. */
export function commaList(name: string, raw: string | undefined): { items: string[]; errors: InvalidParam[] } {
  if (raw === undefined) return { items: [], errors: [] };
  const items = raw.split(',').map((item) => item.trim());
  return items.some((item) => item === '')
    ? { items: [], errors: [invalidParam(name, name, 'Parameter bevat een lege naam.')] }
    : { items, errors: [] };
}
