import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A person in the BRP API Personen 2.x `Persoon` shape (see seeds/openapi). */
export type Persoon = Record<string, unknown> & { burgerservicenummer: string };

/**
 * The 685 test persons converted from RvIG's public BRP test set (EUPL-1.2).
 *
 * @example
 * const suzanne = loadPersonen().find((p) => p.burgerservicenummer === '999993653');
 */
export function loadPersonen(): Persoon[] {
  return JSON.parse(readFileSync(fileURLToPath(new URL('./brp/personen.json', import.meta.url)), 'utf8')) as Persoon[];
}
