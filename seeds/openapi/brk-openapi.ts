import { fileURLToPath } from 'node:url';
import type { OpenApiObject } from '@poortwachter/protocol';
import { createOpenApiValidator, loadOpenApi, type OpenApiValidator, schemaFieldPaths } from './openapi-validator.ts';

/** Path of the committed copy of Kadaster's BRK bevragen 2.0.0 OpenAPI spec (Kadaster / VNG Realisatie, EUPL-1.2). */
export const BRK_OPENAPI_PATH = fileURLToPath(new URL('./brk-bevragen-2.0.0.openapi.yaml', import.meta.url));

/**
 * A validator (OpenAPI 3.0: draft-07 with `nullable`) over the schemas and operations of BRK bevragen 2.0.
 *
 * @example
 * const v = createBrkValidator();
 * v.validateResponse('GetKadastraalOnroerendeZaak', 200, 'application/hal+json', body); // { valid: true }
 */
export function createBrkValidator(): OpenApiValidator {
  return createOpenApiValidator(BRK_OPENAPI_PATH);
}

/**
 * Every dot path a `fields` parameter can name under a schema of the BRK spec (`KadastraalOnroerendeZaak`,
 * `ZakelijkGerechtigde`, `Hypotheek`, `Beslag`, `KadasterNatuurlijkPersoon`, `KadasterNietNatuurlijkPersoon`).
 *
 * @example
 * brkFieldPaths('ZakelijkGerechtigde').has('tenaamstelling.aandeel.teller'); // true
 */
export function brkFieldPaths(root: string): Set<string> {
  return schemaFieldPaths(loadOpenApi(BRK_OPENAPI_PATH), root);
}

/**
 * Loads the BRK bevragen spec as a plain object: the document Kadaster registers with its service.
 *
 * @example
 * loadBrkOpenApi().openapi; // '3.0.0'
 */
export function loadBrkOpenApi(): OpenApiObject {
  return loadOpenApi(BRK_OPENAPI_PATH) as unknown as OpenApiObject;
}
