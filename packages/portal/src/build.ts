import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { integrityOf, type PortalBundle } from './page-bundle.ts';

/** A bundle as esbuild made it, with every source file in the script (for the test that no Node module is among them). */
export interface BuiltPortalBundle extends PortalBundle {
  readonly inputs: readonly string[];
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * Bundles `browser/main.ts` for the browser with esbuild (`platform: 'browser'`): packages resolve
 * through their `browser` fields, so the protocol's cryptography comes from WebCrypto and
 * @noble/hashes, and any import of a Node module fails the build instead of reaching the page.
 * The workspace's packages are taken from their sources (the `source` export condition), whether or
 * not they are built, so the same sources give the same bytes: anyone can rebuild the script and
 * compare its hash. Only development runs it: `pnpm build` writes its result (write-page.ts), which
 * the built server reads (page-bundle.ts) without esbuild.
 */
export async function buildPortal(options: { minify?: boolean } = {}): Promise<BuiltPortalBundle> {
  const result = await build({
    entryPoints: [here('./browser/main.ts')],
    bundle: true,
    platform: 'browser',
    conditions: ['source', 'module'],
    format: 'esm',
    target: ['chrome120', 'firefox128', 'safari17'],
    minify: options.minify ?? true,
    sourcemap: false,
    legalComments: 'none',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const script = result.outputFiles[0]?.text ?? '';
  const integrity = integrityOf(script);
  const html = readFileSync(here('./static/index.html'), 'utf8')
    .replace('%APP_INTEGRITY%', integrity)
    .replace('%APP_HASH%', integrity.slice('sha384-'.length));
  return {
    script,
    integrity,
    html,
    css: readFileSync(here('./static/styles.css'), 'utf8'),
    inputs: Object.keys(result.metafile.inputs),
  };
}
