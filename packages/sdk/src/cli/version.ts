import { readFileSync } from 'node:fs';

/**
 * The version of @poortwachter/sdk, which is the CLI's. Its package.json is two folders up from this
 * file both in the sources (src/cli/) and in the built package (dist/cli/).
 */
export function sdkVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    name?: unknown;
    version?: unknown;
  };
  if (manifest.name !== '@poortwachter/sdk' || typeof manifest.version !== 'string') {
    throw new Error('The package.json of @poortwachter/sdk is not where the CLI expects it.');
  }
  return manifest.version;
}
