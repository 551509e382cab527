import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium, headless, as the guide prescribes (never a downloaded browser). */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Chromium with the flags every test needs, and `extraArgs` (`--host-resolver-rules=…` to play DNS rebinding). */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: { readonly target: string[]; readonly html: string }[];
}

/**
 * Runs axe-core in the page for WCAG 2.0/2.1 A and AA (and its best practices): injected through the
 * DevTools protocol, so the page's own CSP (no inline scripts) stays as it is.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(`${axeSource}\n;0`);
  const result = (await page.evaluate(`axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    resultTypes: ['violations'],
  })`)) as { violations: AxeViolation[] };
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target, html: n.html.slice(0, 200) })),
  }));
}

/** Presses Tab until the focused element matches, as someone with only a keyboard would; fails after `max`. */
export async function tabTo(page: Page, matches: (text: string, tag: string) => boolean, max = 40): Promise<string> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    // A string: it runs in the page, where the DOM is (this file is compiled for Node).
    const focused = (await page.evaluate(`(() => {
      const el = document.activeElement;
      return { text: (el?.innerText || el?.getAttribute('aria-label') || '').trim(), tag: el?.tagName ?? '' };
    })()`)) as { text: string; tag: string };
    if (matches(focused.text, focused.tag)) return focused.text;
  }
  throw new Error(`no element reached by Tab within ${max} presses`);
}

/** Where the screenshots of each state go: SCREENSHOT_DIR, or a folder in the system's temporary directory. */
export const screenshotDir = () => {
  const dir = process.env.SCREENSHOT_DIR || join(tmpdir(), 'poortwachter-screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
};

/** Whether the page's content is wider than its viewport (a horizontal scroll bar at this width). */
export const overflowsHorizontally = (page: Page) =>
  page.evaluate('document.documentElement.scrollWidth > document.documentElement.clientWidth + 1') as Promise<boolean>;

/**
 * Opens the citizens' page at `portal` and logs in by keyboard only (Tab and Enter) as the dev identity
 * provider's test person whose button names `person`; returns once the page shows what it fetched.
 */
export async function logInByKeyboard(page: Page, portal: string, person: string, ready = '#found'): Promise<void> {
  await page.goto(`${portal}/`);
  await page.waitForSelector('#login');
  await tabTo(page, (text) => text === 'Inloggen');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/authorize\?/);
  await tabTo(page, (text) => text.includes(person));
  await page.keyboard.press('Enter');
  await page.waitForSelector(ready, { timeout: 60_000 });
}
