import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { OpenApiObject } from '@poortwachter/protocol';
import { parse } from 'yaml';

/** Path of the committed copy of the BRK bevragen 2.0.0 OpenAPI spec (Kadaster / VNG Realisatie, EUPL-1.2). */
export const BRK_OPENAPI_PATH = fileURLToPath(new URL('./brk-bevragen-2.0.0.openapi.yaml', import.meta.url));

/**
 * Loads the BRK bevragen spec as a plain object: the document Kadaster registers with its service.
 *
 * @example
 * loadBrkOpenApi().openapi; // '3.0.0'
 */
export function loadBrkOpenApi(): OpenApiObject {
  return parse(readFileSync(BRK_OPENAPI_PATH, 'utf8'));
}
