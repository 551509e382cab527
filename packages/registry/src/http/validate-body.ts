import { ProblemError, schemaInvalidParams } from '@poortwachter/protocol';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
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

/**
 * Validates a parsed body against a named request schema; throws a 400 whose `invalidParams` name
 * every offending field. Returns the body typed as the caller expects.
 */
export function validateBody<T>(name: RequestSchemaName, body: unknown): T {
  const validate = validators.get(name);
  if (!validate) throw new Error(`no schema ${name}`);
  if (validate(body)) return body as T;
  throw new ProblemError('paramsValidation', `The request body does not match schema ${name}.`, {
    invalidParams: schemaInvalidParams(validate.errors ?? []),
  });
}
