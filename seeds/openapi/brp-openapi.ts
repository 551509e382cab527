import { fileURLToPath } from 'node:url';
import {
  createOpenApiValidator,
  loadOpenApi,
  type OpenApiValidator,
  type Schema,
  schemaFieldPaths,
} from './openapi-validator.ts';

const PREFIX = '#/components/schemas/';

/** Path of the committed copy of the BRP API Personen 2.7.0 OpenAPI spec (RvIG, EUPL-1.2). */
export const BRP_OPENAPI_PATH = fileURLToPath(new URL('./brp-personen-2.7.0.openapi.yaml', import.meta.url));

/** Loads the BRP API Personen spec as a plain object. */
export function loadBrpOpenApi(): { components: { schemas: Record<string, Schema> } } & Schema {
  return loadOpenApi(BRP_OPENAPI_PATH) as unknown as { components: { schemas: Record<string, Schema> } } & Schema;
}

/** The validator over the BRP API Personen spec (see `createOpenApiValidator`). */
export type BrpValidator = OpenApiValidator;

/**
 * An ajv (JSON Schema 2020-12) validator over the schemas of the BRP API Personen spec.
 *
 * @example
 * const v = createBrpValidator();
 * v.validate('Persoon', persoon); // { valid: true }
 */
export function createBrpValidator(): BrpValidator {
  return createOpenApiValidator(BRP_OPENAPI_PATH);
}

/**
 * Every dot path a `fields` parameter can name under a schema (default `Persoon`), by the one walker of
 * OpenAPI schemas (`openApiSchemaPaths`): `verblijfplaats.verblijfadres.postcode` (only on `Adres`) too.
 *
 * @example
 * brpFieldPaths().has('naam.voornamen'); // true
 */
export function brpFieldPaths(root = 'Persoon'): Set<string> {
  return schemaFieldPaths(loadOpenApi(BRP_OPENAPI_PATH), root);
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
