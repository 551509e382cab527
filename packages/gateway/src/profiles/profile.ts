import type { ServiceOperation } from '@poortwachter/protocol';

/**
 * A call to a described service (`haal-centraal-hal`), read by its description: the operation, the
 * values of its parameters (path, query and body alike, by name), the `fields` asked for as catalogue
 * paths (undefined when the caller named none) and the `expand` items as given.
 */
export interface ResolvedCall {
  readonly operation: ServiceOperation;
  readonly parameters: Readonly<Record<string, string>>;
  readonly fields: readonly string[] | undefined;
  readonly expand: readonly string[];
}
