import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** The page's script, HTML and stylesheet, ready to serve. */
export interface PortalBundle {
  readonly script: string;
  /** `sha384-…`: the Subresource Integrity of the script, in the HTML and printed on the page. */
  readonly integrity: string;
  readonly html: string;
  readonly css: string;
  /** Every source file in the script (for the test that no Node module is among them). */
  readonly inputs: readonly string[];
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * Bundles `browser/main.ts` for the browser with esbuild (`platform: 'browser'`): packages resolve
 * under the `browser` condition, so the protocol's cryptography (`#platform`) comes from WebCrypto and
 * @noble/hashes, and any import of a Node module fails the build instead of reaching the page.
 * The same sources give the same bytes, so anyone can rebuild the script and compare its hash.
 */
export async function buildPortal(options: { minify?: boolean } = {}): Promise<PortalBundle> {
  const result = await build({
    entryPoints: [here('./browser/main.ts')],
    bundle: true,
    platform: 'browser',
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
  const integrity = `sha384-${createHash('sha384').update(script).digest('base64')}`;
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
