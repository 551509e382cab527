import { readFileSync } from 'node:fs';
import { SettingError } from './read-settings.ts';

/**
 * The JWK member the demo seed writes into every private key it makes (`"poortwachter_demo": true`):
 * those keys sit in a data folder anyone with the repository can make again, so a server in production
 * refuses them. It never leaves the private key file (`publicJwkOf` drops it).
 */
export const DEMO_KEY_MEMBER = 'poortwachter_demo';

/** A private JWK marked as one the demo made. */
export const markDemoKey = <K extends object>(jwk: K): K & { [DEMO_KEY_MEMBER]: true } => ({
  ...jwk,
  [DEMO_KEY_MEMBER]: true,
});

/** Whether a JWK carries the demo mark. */
export const isDemoKey = (jwk: object): boolean => (jwk as Record<string, unknown>)[DEMO_KEY_MEMBER] === true;

/**
 * Reads the private JWK `file` that setting `name` names, refusing (a `SettingError`: one line, exit 2)
 * a file it cannot read or parse, and a demo key unless the server runs the demo (`POORTWACHTER_DEMO=true`).
 *
 * @example
 * const signingKey = readPrivateKey('SIGNING_KEY_FILE', file, settings.POORTWACHTER_DEMO);
 */
export function readPrivateKey<K extends object = Record<string, unknown>>(
  name: string,
  file: string,
  demo: boolean,
): K {
  let jwk: unknown;
  try {
    jwk = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SettingError(
      `${name} must name a file holding a private JWK, ${code ? `cannot read ${file} (${code})` : `${file} is not JSON`}`,
    );
  }
  if (typeof jwk !== 'object' || jwk === null || typeof (jwk as { d?: unknown }).d !== 'string')
    throw new SettingError(`${name} must name a file holding a private JWK, ${file} holds no private key`);
  refuseDemoKey(name, file, jwk, demo);
  return jwk as K;
}

/** Throws when `jwk` is a demo key and the server does not run the demo. */
export function refuseDemoKey(name: string, file: string, jwk: object, demo: boolean): void {
  if (!demo && isDemoKey(jwk))
    throw new SettingError(
      `${name} must name a key of your own in production, ${file} is a demo key (made by the demo seed; only POORTWACHTER_DEMO=true accepts it)`,
    );
}
