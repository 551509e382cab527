/**
 * Whether `path` is `group` itself or a field below it: `naam.voornamen` is at or below `naam`, not
 * below `naamgebruik`. The one rule by which a field path matches a group in a catalogue or autorisatie.
 */
export const isAtOrBelow = (path: string, group: string): boolean =>
  path === group || (path.startsWith(group) && path.charCodeAt(group.length) === 46); // '.'

/** Whether one path is at or below the other (they overlap). */
export const overlapping = (a: string, b: string): boolean => isAtOrBelow(a, b) || isAtOrBelow(b, a);
