import type { InvalidParam, SearchParameter } from '@poortwachter/protocol';
import { isAtOrBelow, reasonOr } from '@poortwachter/protocol';

export interface FieldDecision {
  /** The requested paths with groups expanded to the catalogue paths they stand for. */
  readonly released: string[];
  /** One entry per refused path, named `fields[i]`. */
  readonly refused: InvalidParam[];
}

/** Whether an autorisatie's paths cover a path: the path itself, or a path it lies below. */
const covers = (authorised: readonly string[], path: string) => authorised.some((a) => isAtOrBelow(path, a));

/**
 * Decides every requested `fields` path against an autorisatie:
 * - a path that is authorised, or lies below an authorised path, is allowed as is;
 * - a group (`naam`) is allowed when every catalogue path below it is authorised, and stands for them;
 * - anything else is refused and named, with the paths that would be needed.
 * Nothing is silently filtered: one refused path refuses the request (the BRP rule). `catalogue`
 * holds the paths that can be authorised (automatic fields are never asked for).
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
    if (covers(authorised, path)) {
      released.add(path);
      return;
    }
    const below = catalogue.filter((c) => c !== path && isAtOrBelow(c, path));
    const missing = below.filter((c) => !allowed.has(c));
    if (below.length > 0 && missing.length === 0) {
      for (const c of below) released.add(c);
      return;
    }
    const reason =
      below.length > 0
        ? reasonOr(
            `Niet geautoriseerd voor ${path}, ontbreekt ${missing[0]}${missing.length > 1 ? ` en ${missing.length - 1} meer` : ''}.`,
            'Niet geautoriseerd voor alle velden die dit veld omvat.',
          )
        : catalogue.some((c) => isAtOrBelow(path, c))
          ? reasonOr(`Niet geautoriseerd voor veld ${path}.`, 'Niet geautoriseerd voor dit veld.')
          : reasonOr(
              `Veld ${path} wordt door deze dienst niet geleverd.`,
              'Dit veld wordt door deze dienst niet geleverd.',
            );
    refused.push({ name: `fields[${index}]`, code: 'unauthorizedField', reason });
  });
  return { released: [...released], refused };
}

/**
 * Decides every search parameter of a query (each body member but `type` and `fields`) against an
 * autorisatie: a parameter filters on data, and its hit count reveals that data, so it is allowed
 * only when the autorisatie covers every path the service declares it selects on. A parameter the
 * service does not declare is refused (fail closed); one given its neutral value selects nothing.
 *
 * @example
 * decideParameters({ type, fields, geslacht: 'V' }, declared, authorised); // [{ name: 'geslacht', … }]
 */
export function decideParameters(
  query: Readonly<Record<string, unknown>>,
  declared: ReadonlyMap<string, SearchParameter>,
  authorised: readonly string[],
): InvalidParam[] {
  const refused: InvalidParam[] = [];
  for (const [name, value] of Object.entries(query)) {
    if (name === 'type' || name === 'fields') continue;
    const parameter = declared.get(name);
    if (!parameter) {
      refused.push({
        name,
        code: 'unauthorizedParameter',
        reason: 'Het register beschrijft deze parameter niet voor deze dienst.',
      });
      continue;
    }
    if (parameter.neutral !== undefined && value === parameter.neutral) continue;
    const missing = parameter.selects.filter((path) => !covers(authorised, path));
    if (missing.length > 0) {
      refused.push({
        name,
        code: 'unauthorizedParameter',
        reason: reasonOr(
          `Niet geautoriseerd voor zoeken op ${missing.join(' en ')}.`,
          'Niet geautoriseerd voor de gegevens waarop deze parameter zoekt.',
        ),
      });
    }
  }
  return refused;
}
