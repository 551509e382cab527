import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The page's script, HTML and stylesheet, ready to serve. */
export interface PortalBundle {
  readonly script: string;
  /** `sha384-…`: the Subresource Integrity of the script, in the HTML and printed on the page. */
  readonly integrity: string;
  readonly html: string;
  readonly css: string;
}

/** The files of a bundle made at build time, in the folder `pnpm build` writes (`dist/page`). */
const FILES = { script: 'app.js', html: 'index.html', css: 'styles.css' } as const;

/** `sha384-…` of a script, as a browser checks it against the page's `integrity` attribute. */
export function integrityOf(script: string): string {
  return `sha384-${createHash('sha384').update(script).digest('base64')}`;
}

/** Writes a bundle as files into `dir` (at build time), so the server reads it without bundling. */
export function writePortalBundle(bundle: PortalBundle, dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const part of ['script', 'html', 'css'] as const) writeFileSync(join(dir, FILES[part]), bundle[part]);
}

/**
 * Reads the bundle `pnpm build` wrote into `dir`. The integrity is the script's own hash; a page whose
 * HTML names another (files from two builds) is refused rather than served to browsers that would
 * refuse the script.
 *
 * @example
 * const bundle = readPortalBundle(fileURLToPath(new URL('../page', import.meta.url)));
 */
export function readPortalBundle(dir: string): PortalBundle {
  const [script, html, css] = [FILES.script, FILES.html, FILES.css].map((name) =>
    readFileSync(join(dir, name), 'utf8'),
  );
  const integrity = integrityOf(script ?? '');
  if (!html?.includes(`integrity="${integrity}"`)) {
    throw new Error(`${join(dir, FILES.html)} does not name the integrity of ${FILES.script}; run pnpm build again`);
  }
  return { script: script ?? '', integrity, html, css: css ?? '' };
}
