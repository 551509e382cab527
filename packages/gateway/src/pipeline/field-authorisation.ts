import type { InvalidParam } from '@poortwachter/registry/problem';

export interface FieldDecision {
  /** The requested paths with groups expanded to the catalogue paths they stand for. */
  readonly released: string[];
  /** One entry per refused path, named `fields[i]`. */
  readonly refused: InvalidParam[];
}

/**
 * Decides every requested `fields` path against an autorisatie:
 * - a path that is authorised, or lies below an authorised path, is allowed as is;
 * - a group (`naam`) is allowed when every catalogue path below it is authorised, and stands for them;
 * - anything else is refused and named, with the paths that would be needed.
 * Nothing is silently filtered: one refused path refuses the request (the BRP rule).
 *
 * @example
 * decideFields(['naam', 'geboorte.datum'], authorised, catalogue);
 */
export function decideFields(
  requested: readonly string[],
  authorised: readonly string[],
  catalogue: readonly string[],
): FieldDecision {
  const allowed = new Set(authorised);
  const released = new Set<string>();
  const refused: InvalidParam[] = [];
  requested.forEach((path, index) => {
    if (allowed.has(path) || authorised.some((a) => path.startsWith(`${a}.`))) {
      released.add(path);
      return;
    }
    const below = catalogue.filter((c) => c.startsWith(`${path}.`));
    const missing = below.filter((c) => !allowed.has(c));
    if (below.length > 0 && missing.length === 0) {
      for (const c of below) released.add(c);
      return;
    }
    const reason =
      below.length > 0
        ? `Niet geautoriseerd voor ${path}: ontbreekt ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}.`
        : catalogue.includes(path)
          ? `Niet geautoriseerd voor veld ${path}.`
          : `Veld ${path} wordt door deze dienst niet geleverd of bestaat niet.`;
    refused.push({ name: `fields[${index}]`, code: 'unauthorizedField', reason });
  });
  return { released: [...released], refused };
}
