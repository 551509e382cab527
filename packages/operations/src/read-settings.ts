import { readFileSync } from 'node:fs';
import type { Setting } from './setting-kinds.ts';

/** A setting the server cannot use: the message names it and what it accepts (exit 2 at start). */
export class SettingError extends Error {
  override readonly name = 'SettingError';
}

/** A server's settings: each environment variable it reads, by name. */
export type SettingsSchema = Readonly<Record<string, Setting<unknown>>>;

/** The typed values of a schema: `T` where the setting has a default, `T | undefined` where not. */
export type SettingsOf<S extends SettingsSchema> = {
  readonly [K in keyof S]: S[K] extends Setting<infer T, infer D> ? (D extends true ? T : T | undefined) : never;
};

/** The raw value of `name`, from `name` or from the file `name_FILE` names (secrets only); unset is undefined. */
function rawValue(name: string, setting: Setting<unknown>, env: NodeJS.ProcessEnv): string | undefined {
  const given = (key: string) => (env[key] === undefined || env[key] === '' ? undefined : env[key]);
  const direct = given(name);
  const file = setting.secret ? given(`${name}_FILE`) : undefined;
  if (file === undefined) return direct;
  if (direct !== undefined) throw new SettingError(`set ${name} or ${name}_FILE, not both`);
  try {
    const content = readFileSync(file, 'utf8').trim();
    return content === '' ? undefined : content;
  } catch (error) {
    throw new SettingError(
      `${name}_FILE must be a readable file holding ${name}, cannot read ${JSON.stringify(file)} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
}

/**
 * Reads a server's settings from its environment, once: each through its kind's parser (zod), a
 * default where unset or empty, a secret from `<NAME>_FILE` when that is set. The first value it
 * cannot use throws a `SettingError` whose message is the one line an operator reads: the setting,
 * what it accepts, and what it got (not for a secret). Variables the schema does not name are left
 * alone (the environment holds many).
 *
 * @example
 * const settings = readSettings(registrySettings, process.env);
 * settings.PORT; // number
 */
export function readSettings<S extends SettingsSchema>(schema: S, env: NodeJS.ProcessEnv): SettingsOf<S> {
  const values: Record<string, unknown> = {};
  for (const [name, setting] of Object.entries(schema)) {
    const raw = rawValue(name, setting, env) ?? setting.default;
    if (raw === undefined) {
      values[name] = undefined;
      continue;
    }
    const parsed = setting.schema.safeParse(raw);
    if (!parsed.success) {
      const got = setting.secret ? 'got another value (not shown: a secret)' : `got ${JSON.stringify(raw)}`;
      throw new SettingError(`${name} must be ${setting.accepts}, ${got}`);
    }
    values[name] = parsed.data;
  }
  return values as SettingsOf<S>;
}

/** Levenshtein distance, small strings only. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++)
      next[j] = Math.min(
        (row[j] ?? 0) + 1,
        (next[j - 1] ?? 0) + 1,
        (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    row = next;
  }
  return row[b.length] ?? 0;
}

/**
 * Variables in `env` that look like a misspelling of a setting of `schema` (one or two letters off,
 * or another case), each with the name meant: worth a warning, never a stop.
 */
export function misspeltSettings(schema: SettingsSchema, env: NodeJS.ProcessEnv): [given: string, meant: string][] {
  const names = Object.keys(schema).flatMap((n) => (schema[n]?.secret ? [n, `${n}_FILE`] : [n]));
  const found: [string, string][] = [];
  for (const given of Object.keys(env)) {
    if (names.includes(given) || given.length < 6) continue;
    const meant = names.find((n) => n.toUpperCase() === given.toUpperCase() || distance(n, given) <= 2);
    if (meant) found.push([given, meant]);
  }
  return found;
}
