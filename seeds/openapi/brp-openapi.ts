import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openApiSchemaPaths } from '@poortwachter/protocol';
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

/**
 * Every dot path a `fields` parameter can name under a schema (default `Persoon`), by the one walker of
 * OpenAPI schemas (`openApiSchemaPaths`): `verblijfplaats.verblijfadres.postcode` (only on `Adres`) too.
 *
 * @example
 * brpFieldPaths().has('naam.voornamen'); // true
 */
export function brpFieldPaths(root = 'Persoon'): Set<string> {
  return openApiSchemaPaths(loadBrpOpenApi(), { $ref: `${PREFIX}${root}` });
}

/** What the spec says of one search type (`type` of a `PersonenQuery`). */
export interface BrpSearchType {
  /** The body members it accepts besides `type` and `fields`. */
  readonly parameters: readonly string[];
  /** The members it requires besides `type` and `fields`. */
  readonly required: readonly string[];
  /** The schema of each person it returns (`Persoon`, or a limited one for searches). */
  readonly personSchema: string;
}

/**
 * Every search type of the spec, read from `PersonenQuery`'s discriminator: its parameters and
 * required members (its own and those of `PersonenQuery`), and the person schema its response holds.
 *
 * @example
 * brpSearchTypes().get('ZoekMetPostcodeEnHuisnummer')?.required; // ['postcode', 'huisnummer']
 */
export function brpSearchTypes(): Map<string, BrpSearchType> {
  const schemas = loadBrpOpenApi().components.schemas;
  const byRef = (ref: unknown) => (typeof ref === 'string' ? schemas[ref.slice(PREFIX.length)] : undefined);
  const base = schemas.PersonenQuery ?? {};
  const baseProperties = Object.keys((base.properties as Schema | undefined) ?? {});
  const baseRequired = (base.required as string[] | undefined) ?? [];
  const mapping = (base.discriminator as { mapping: Record<string, string> }).mapping;
  const responses =
    (schemas.PersonenQueryResponse?.discriminator as { mapping?: Record<string, string> } | undefined)?.mapping ?? {};
  const types = new Map<string, BrpSearchType>();
  for (const [type, ref] of Object.entries(mapping)) {
    const schema = byRef(ref) ?? {};
    const parts = (schema.allOf as Schema[] | undefined) ?? [];
    const own = parts.flatMap((p) => (p.$ref ? [] : Object.keys((p.properties as Schema | undefined) ?? {})));
    const required = [...((schema.required as string[] | undefined) ?? [])];
    const response = (byRef(responses[type])?.allOf as Schema[] | undefined) ?? [];
    const items = response.flatMap((p) => {
      const personen = (p.properties as Record<string, Schema> | undefined)?.personen;
      return personen ? [(personen.items as Schema).$ref as string] : [];
    });
    types.set(type, {
      parameters: [...new Set([...baseProperties, ...own])].filter((p) => p !== 'type' && p !== 'fields'),
      required: [...new Set([...baseRequired, ...required])].filter((p) => p !== 'type' && p !== 'fields'),
      personSchema: (items[0] ?? `${PREFIX}Persoon`).slice(PREFIX.length),
    });
  }
  return types;
}

/**
 * The fields the spec says are delivered automatically and may not be asked for in `fields`
 * (PersonenQuery.fields): asking for one, or for a path below one, is a 400.
 */
export const BRP_AUTOMATIC_FIELDS = [
  'inOnderzoek',
  'geheimhoudingPersoonsgegevens',
  'opschortingBijhouding',
  'rni',
  'verificatie',
] as const;

/**
 * Whether a `fields` path names an automatically delivered field: one of them, a path below one, or
 * an `inOnderzoek` anywhere (`naam.inOnderzoek.voornamen`).
 *
 * @example
 * isBrpAutomaticPath('opschortingBijhouding.reden'); // true
 */
export function isBrpAutomaticPath(path: string): boolean {
  const segments = path.split('.');
  return (BRP_AUTOMATIC_FIELDS as readonly string[]).includes(segments[0] ?? '') || segments.includes('inOnderzoek');
}
