import type { BrpValidator } from '../openapi/brp-openapi.ts';

/** One value the converter changed to fit the BRP API spec, kept so that the change is visible. */
export interface ConversionNote {
  readonly burgerservicenummer: string;
  readonly path: string;
  readonly original: string;
  readonly converted: string | null;
}

/**
 * Repairs a string against a spec pattern of the form `^[CLASS]{min,max}$`: characters outside the
 * class become spaces, runs of spaces collapse, the result is cut to `max`. An all-digit identifier
 * that is one digit short regained its lost leading zero; any other length cannot be repaired.
 * Returns undefined when nothing valid is left (the field is then left out).
 */
export function repairToPattern(value: string, pattern: string): string | undefined {
  const match = /^\^\[(.+)\]\{(\d+)(?:,(\d+))?\}\$$/.exec(pattern);
  if (!match) return undefined;
  const [, charClass, minText, maxText] = match as unknown as [string, string, string, string | undefined];
  const min = Number(minText);
  const max = Number(maxText ?? minText);
  if (charClass === '0-9') {
    return /^\d+$/.test(value) && value.length === max - 1 && min === max ? `0${value}` : undefined;
  }
  const allowed = new RegExp(`[${charClass}]`);
  const cleaned = [...value]
    .map((ch) => (allowed.test(ch) ? ch : ' '))
    .join('')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, max)
    .trim();
  return cleaned.length >= Math.max(min, 1) ? cleaned : undefined;
}

function setAt(root: Record<string, unknown>, pointer: string, value: string | undefined): void {
  const keys = pointer.split('/').slice(1);
  const last = keys.pop();
  let node: unknown = root;
  for (const key of keys) node = (node as Record<string, unknown>)[key];
  if (last === undefined || typeof node !== 'object' || node === null) return;
  if (value === undefined) delete (node as Record<string, unknown>)[last];
  else (node as Record<string, unknown>)[last] = value;
}

function getAt(root: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], root);
}

/**
 * Makes a converted person satisfy the spec's string patterns and lengths, in place, and returns what changed.
 * The test set holds deliberate edge cases (`Rente @ 100%`, `?` for characters lost in transfer,
 * BAG ids without their leading zero) that the spec's own patterns refuse.
 */
export function conformToSpec(persoon: Record<string, unknown>, validator: BrpValidator): ConversionNote[] {
  const notes: ConversionNote[] = [];
  for (let round = 0; round < 3; round++) {
    const result = validator.validate('Persoon', persoon);
    if (result.valid) break;
    for (const error of result.errors) {
      if (error.keyword !== 'pattern' && error.keyword !== 'maxLength') continue;
      const original = getAt(persoon, error.instancePath);
      if (typeof original !== 'string') continue;
      const converted =
        error.keyword === 'pattern'
          ? repairToPattern(original, String(error.params.pattern))
          : original.slice(0, Number(error.params.limit)).trim();
      setAt(persoon, error.instancePath, converted);
      notes.push({
        burgerservicenummer: String(persoon.burgerservicenummer),
        path: error.instancePath,
        original,
        converted: converted ?? null,
      });
    }
  }
  return notes;
}
