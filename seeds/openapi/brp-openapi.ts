import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

type Schema = Record<string, unknown>;
const SPEC_ID = 'https://poortwachter.local/brp-personen-2.7.0.json';
const PREFIX = '#/components/schemas/';

/** Path of the committed copy of the BRP API Personen 2.7.0 OpenAPI spec (RvIG, EUPL-1.2). */
export const BRP_OPENAPI_PATH = fileURLToPath(new URL('./brp-personen-2.7.0.openapi.yaml', import.meta.url));

/** Loads the BRP API Personen spec as a plain object. */
export function loadBrpOpenApi(): { components: { schemas: Record<string, Schema> } } & Schema {
  return parse(readFileSync(BRP_OPENAPI_PATH, 'utf8'));
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
    const discriminator = schema.discriminator as { propertyName: string; mapping?: Record<string, string> } | undefined;
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

export interface BrpValidator {
  /** Validates a value against a named schema of the spec (`Persoon`, `PersonenQueryResponse`, …). */
  validate(schemaName: string, value: unknown): { valid: true } | { valid: false; errors: ErrorObject[] };
}

/**
 * An ajv (JSON Schema 2020-12) validator over the schemas of the BRP API Personen spec.
 *
 * @example
 * const v = createBrpValidator();
 * v.validate('Persoon', persoon); // { valid: true }
 */
export function createBrpValidator(): BrpValidator {
  const spec = loadBrpOpenApi();
  // The spec's patterns escape quotes (\'), which is invalid under the `u` flag; its ranges are all in the BMP.
  const ajv = new Ajv2020({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats.default(ajv);
  ajv.addSchema({ $id: SPEC_ID, components: { schemas: expandDiscriminators(spec.components.schemas) } });
  const compiled = new Map<string, ValidateFunction>();
  return {
    validate(schemaName, value) {
      let fn = compiled.get(schemaName);
      if (!fn) {
        fn = ajv.compile({ $ref: `${SPEC_ID}${PREFIX}${schemaName}` });
        compiled.set(schemaName, fn);
      }
      return fn(value) ? { valid: true } : { valid: false, errors: fn.errors ?? [] };
    },
  };
}
