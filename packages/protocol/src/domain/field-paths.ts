/**
 * Whether `path` is `group` itself or a field below it: `naam.voornamen` is at or below `naam`, not
 * below `naamgebruik`. The one rule by which a field path matches a group in a catalogue or autorisatie.
 */
export const isAtOrBelow = (path: string, group: string): boolean =>
  path === group || (path.startsWith(group) && path.charCodeAt(group.length) === 46); // '.'

/** Whether one path is at or below the other (they overlap). */
export const overlapping = (a: string, b: string): boolean => isAtOrBelow(a, b) || isAtOrBelow(b, a);

/**
 * The values at a dot path, arrays walked: every value found. The one reading of a field path in an
 * answer, for the gateway's stages and the citizen's client alike.
 *
 * @example
 * valuesAt({ adressen: [{ postcode: '3511AB' }, { postcode: '2011AA' }] }, 'adressen.postcode'); // ['3511AB', '2011AA']
 */
export const valuesAt = (value: unknown, path: string): unknown[] =>
  path.split('.').reduce<unknown[]>(
    (nodes, key) =>
      nodes
        .flatMap((node) => (Array.isArray(node) ? node : [node]))
        .map((node) =>
          node && typeof node === 'object' && Object.hasOwn(node, key)
            ? (node as Record<string, unknown>)[key]
            : undefined,
        )
        .filter((v) => v !== undefined),
    [value],
  );
