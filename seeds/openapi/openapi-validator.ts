import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { type OpenApiObject, openApiSchemaPaths } from '@poortwachter/protocol';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

/** A JSON Schema (or OpenAPI Schema Object) as plain data. */
export type Schema = Record<string, unknown>;

/** One operation of an OpenAPI document, as far as the validators and the example sources read it. */
export interface OpenApiOperation {
  readonly operationId?: string;
  readonly parameters?: readonly (Schema & { name: string; in: string; required?: boolean; schema?: Schema })[];
  readonly requestBody?: { content?: Record<string, { schema?: Schema }> };
  readonly responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}

/** An OpenAPI 3.0 or 3.1 document, as far as the validators read it. */
export interface OpenApiDocument {
  readonly openapi: string;
  readonly paths: Record<string, Record<string, OpenApiOperation>>;
  readonly components: {
    readonly schemas: Record<string, Schema>;
    readonly responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
  };
}

/** The outcome of one validation: ajv's errors when it fails. */
export type SchemaValidation = { valid: true } | { valid: false; errors: ErrorObject[] };

/** A validator over the schemas and operations of one OpenAPI document. */
export interface OpenApiValidator {
  /** The parsed document. */
  readonly spec: OpenApiDocument;
  /** Validates a value against a named schema of the spec (`Persoon`, `KadastraalOnroerendeZaakHal`, …). */
  validate(schemaName: string, value: unknown): SchemaValidation;
  /**
   * Validates a response body against the schema the spec gives for this operation, status and media
   * type. Throws when the spec declares no such response: an answer the spec does not know is a failure
   * of its own, not a pass.
   */
  validateResponse(operationId: string, status: number, mediaType: string, value: unknown): SchemaValidation;
  /** The operation with this `operationId`, with its method and path; throws when the spec has none. */
  operation(operationId: string): OpenApiOperation & { method: string; path: string };
}

const PREFIX = '#/components/schemas/';
/** Reads and parses an OpenAPI document (YAML or JSON); each call returns a fresh copy. */
export function loadOpenApi(specPath: string): OpenApiDocument {
  return parse(readFileSync(specPath, 'utf8')) as OpenApiDocument;
}

/**
 * ajv ignores OpenAPI's `discriminator`, so a `Datum` would only be checked against `AbstractDatum`.
 * This rewrites every schema with a discriminator mapping into its base plus an `if`/`then` per
 * mapped type, and points the subtypes' `allOf` at the base, so that the concrete type is validated
 * and an unknown `type` is refused.
 */
function expandDiscriminators(schemas: Record<string, Schema>): Record<string, Schema> {
  const result: Record<string, Schema> = structuredClone(schemas);
  for (const [name, schema] of Object.entries(schemas)) {
    const discriminator = schema.discriminator as
      | { propertyName: string; mapping?: Record<string, string> }
      | undefined;
    if (!discriminator?.mapping) continue;
    const baseName = `${name}__base`;
    const { discriminator: _, ...base } = schema;
    result[baseName] = base;
    const property = discriminator.propertyName;
    const mapping = Object.entries(discriminator.mapping);
    result[name] = {
      allOf: [
        { $ref: `${PREFIX}${baseName}` },
        { properties: { [property]: { enum: mapping.map(([key]) => key) } } },
        ...mapping.map(([key, target]) => ({
          if: { properties: { [property]: { const: key } }, required: [property] },
          // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then, not a thenable
          then: { $ref: target },
        })),
      ],
    };
    for (const [, target] of mapping) {
      const targetSchema = result[target.slice(PREFIX.length)];
      const allOf = targetSchema?.allOf as Schema[] | undefined;
      for (const part of allOf ?? []) {
        if (part.$ref === `${PREFIX}${name}`) part.$ref = `${PREFIX}${baseName}`;
      }
    }
  }
  return result;
}

/**
 * The ajv that fits the document's OpenAPI version: 3.1 schemas are JSON Schema 2020-12; 3.0's are
 * close to draft-07 plus `nullable` (which ajv knows) and OpenAPI's numeric formats.
 */
function ajvFor(spec: OpenApiDocument): Ajv {
  // Specs' patterns escape quotes (\'), which is invalid under the `u` flag; their ranges are all in the BMP.
  const options = { strict: false, allErrors: true, unicodeRegExp: false } as const;
  const ajv = spec.openapi.startsWith('3.0') ? new Ajv(options) : new Ajv2020(options);
  addFormats.default(ajv);
  for (const format of ['float', 'double']) ajv.addFormat(format, { type: 'number', validate: () => true });
  for (const format of ['int32', 'int64']) ajv.addFormat(format, { type: 'number', validate: Number.isInteger });
  return ajv;
}

/**
 * One validator per OpenAPI document: ajv over its component schemas, with `discriminator` mappings
 * enforced, for 3.0 and 3.1 documents alike.
 *
 * @example
 * const v = createOpenApiValidator(BRK_OPENAPI_PATH);
 * v.validate('KadastraalOnroerendeZaakHal', zaak); // { valid: true }
 * v.validateResponse('GetKadastraalOnroerendeZaak', 404, 'application/problem+json', body);
 */
export function createOpenApiValidator(specPath: string): OpenApiValidator {
  const spec = loadOpenApi(specPath);
  const specId = pathToFileURL(specPath).href;
  const ajv = ajvFor(spec);
  ajv.addSchema({ $id: specId, components: { schemas: expandDiscriminators(spec.components.schemas) } });
  const compiled = new Map<string, ValidateFunction>();
  const run = (key: string, schema: () => Schema, value: unknown): SchemaValidation => {
    let fn = compiled.get(key);
    if (!fn) {
      fn = ajv.compile(schema());
      compiled.set(key, fn);
    }
    return fn(value) ? { valid: true } : { valid: false, errors: fn.errors ?? [] };
  };
  // Local references inside an operation's inline schema point into the document itself.
  const anchored = (schema: Schema): Schema =>
    JSON.parse(JSON.stringify(schema), (key, value) =>
      key === '$ref' && typeof value === 'string' && value.startsWith('#/') ? `${specId}${value}` : value,
    ) as Schema;
  type Response = NonNullable<OpenApiOperation['responses']>[string];
  const resolveResponse = (response: (Response & { $ref?: string }) | undefined): Response | undefined => {
    const ref = response?.$ref;
    if (!ref?.startsWith('#/components/responses/')) return response;
    return spec.components.responses?.[ref.slice('#/components/responses/'.length)];
  };
  const operation: OpenApiValidator['operation'] = (operationId) => {
    for (const [path, methods] of Object.entries(spec.paths)) {
      for (const [method, candidate] of Object.entries(methods)) {
        if (candidate.operationId === operationId) return { ...candidate, method: method.toUpperCase(), path };
      }
    }
    throw new Error(`the OpenAPI document has no operation ${operationId}`);
  };
  return {
    spec,
    operation,
    validate: (schemaName, value) => run(schemaName, () => ({ $ref: `${specId}${PREFIX}${schemaName}` }), value),
    validateResponse(operationId, status, mediaType, value) {
      const responses = operation(operationId).responses ?? {};
      const response = resolveResponse(responses[String(status)] ?? responses.default);
      // Media types compare by their essence: `application/json; charset=utf-8` is `application/json`.
      const essence = (type: string) => type.split(';')[0]?.trim().toLowerCase();
      const content = Object.entries(response?.content ?? {}).find(([type]) => essence(type) === essence(mediaType));
      const schema = content?.[1].schema;
      if (!schema) throw new Error(`${operationId} declares no ${mediaType} response for status ${status}`);
      return run(`${operationId} ${status} ${mediaType}`, () => anchored(schema), value);
    },
  };
}

/**
 * Every dot path a `fields` parameter can name under a schema of the document: properties are
 * followed through `$ref`, `allOf`, arrays and every discriminator mapping, so that a property only
 * one subtype has is found too.
 *
 * @example
 * schemaFieldPaths(loadOpenApi(BRK_OPENAPI_PATH), 'Hypotheek').has('bedragZekerheidsstelling.som'); // true
 */
export function schemaFieldPaths(spec: OpenApiDocument, root: string): Set<string> {
  return openApiSchemaPaths(spec as unknown as OpenApiObject, { $ref: `${PREFIX}${root}` });
}
