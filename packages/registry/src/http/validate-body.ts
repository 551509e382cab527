import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { type InvalidParam, ProblemError } from '../problem.ts';
import { REQUEST_SCHEMAS, type RequestSchemaName } from './schemas.ts';

const SCHEMA_BASE = 'https://poortwachter.dev/schemas/registry/';

const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false });
addFormats.default(ajv);
const validators = new Map<RequestSchemaName, ValidateFunction>(
  (Object.keys(REQUEST_SCHEMAS) as RequestSchemaName[]).map((name) => [name, ajv.compile(REQUEST_SCHEMAS[name])]),
);

/** The served form of a schema, with `$schema` and `$id`. */
export function publishedSchema(name: RequestSchemaName) {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `${SCHEMA_BASE}${name}.json`,
    ...REQUEST_SCHEMAS[name],
  };
}

/** `/jwk/d` → `jwk.d`, `/fields/2` → `fields[2]`. */
function paramName(error: ErrorObject): string {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required') segments.push(String(error.params.missingProperty));
  if (error.keyword === 'additionalProperties') segments.push(String(error.params.additionalProperty));
  return segments.reduce((name, s) => (/^\d+$/.test(s) ? `${name}[${s}]` : name ? `${name}.${s}` : s), '') || 'body';
}

const REASONS: Record<string, (e: ErrorObject) => string> = {
  required: () => 'Parameter is verplicht.',
  additionalProperties: () => 'Parameter is niet toegestaan.',
  pattern: (e) => `Waarde voldoet niet aan patroon ${String(e.params.pattern)}.`,
  enum: (e) => `Waarde moet een van deze zijn: ${(e.params.allowedValues as unknown[]).join(', ')}.`,
  format: (e) => `Waarde is geen geldige ${String(e.params.format)}.`,
  type: (e) => `Waarde moet van het type ${String(e.params.type)} zijn.`,
  minItems: (e) => `Lijst moet minstens ${String(e.params.limit)} waarde(n) bevatten.`,
  uniqueItems: () => 'Lijst mag geen dubbele waarden bevatten.',
};

/**
 * Validates a parsed body against a named request schema; throws a 400 whose `invalidParams` name
 * every offending field. Returns the body typed as the caller expects.
 */
export function validateBody<T>(name: RequestSchemaName, body: unknown): T {
  const validate = validators.get(name);
  if (!validate) throw new Error(`no schema ${name}`);
  if (validate(body)) return body as T;
  const seen = new Set<string>();
  const invalidParams: InvalidParam[] = [];
  for (const error of validate.errors ?? []) {
    // anyOf/oneOf wrappers repeat what their branches already said
    if (error.keyword === 'anyOf' || error.keyword === 'if') continue;
    const param: InvalidParam = {
      type: `https://poortwachter.dev/problems/params/${error.keyword}`,
      name: paramName(error),
      code: error.keyword,
      reason: REASONS[error.keyword]?.(error) ?? error.message ?? 'Waarde is ongeldig.',
    };
    const key = `${param.name}:${param.code}`;
    if (!seen.has(key)) {
      seen.add(key);
      invalidParams.push(param);
    }
  }
  throw new ProblemError('paramsValidation', `The request body does not match schema ${name}.`, { invalidParams });
}
