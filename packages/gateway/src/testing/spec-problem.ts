import { createBrpValidator } from '@poortwachter/seeds';

let validator: ReturnType<typeof createBrpValidator> | undefined;

/**
 * What makes a problem body invalid under the BRP API spec's own schemas (`BadRequestFoutbericht` for
 * a 400, `Foutbericht` otherwise): empty when it is valid. Tests expect `[]`.
 *
 * @example
 * expect(specProblemErrors(await res.json())).toEqual([]);
 */
export function specProblemErrors(problem: unknown): string[] {
  validator ??= createBrpValidator();
  const status = (problem as { status?: unknown } | null)?.status;
  const checked = validator.validate(status === 400 ? 'BadRequestFoutbericht' : 'Foutbericht', problem);
  return checked.valid ? [] : checked.errors.map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
}
