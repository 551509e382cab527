/**
 * The users' copy names only options the CLI accepts: every `poortwachter <command> --option` in the
 * README and docs (code spans and code blocks; also as a built release runs it, `node dist/main.js cli
 * <command>`), checked against the command's own `--help`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../run-process.ts';
import { root } from '../start-system.ts';

const COMMANDS = [
  'keys generate',
  'audit coverage',
  'audit serve',
  'audit reconcile',
  'log verify',
  'registry verify',
  'registry key certify',
  'registry key revoke',
  'registry change',
  'registry witness list',
  'registry witness add',
  'registry witness remove',
  'registry witness quorum',
  'directory',
  'query',
  'inzage',
  'gegevens',
  'verify-download',
  'contract propose',
  'contract list',
  'contract show',
  'contract accept',
  'contract reject',
  'contract revoke',
  'beheer serve',
  'terugmelding list',
  'terugmelding show',
  'terugmelding behandel',
  'terugmelding afhandel',
  'terugmelding melden',
  'witness serve',
  'witness vkey',
];

const DOCUMENTS = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
  ...readdirSync(join(root, 'packages')).flatMap((p) => {
    try {
      readFileSync(join(root, 'packages', p, 'README.md'));
      return [`packages/${p}/README.md`];
    } catch {
      return [];
    }
  }),
];

/** The code a document shows: its inline code spans and each line of its code blocks. */
function codeOf(markdown: string): string[] {
  // A fence may be indented (a code block inside a numbered step).
  const blocks = [...markdown.matchAll(/^ *```[^\n]*\n([\s\S]*?)^ *```/gm)].flatMap((m) => (m[1] ?? '').split('\n'));
  const prose = markdown.replace(/^ *```[^\n]*\n[\s\S]*?^ *```/gm, '');
  const spans = [...prose.matchAll(/`([^`\n]+)`/g)].map((m) => m[1] ?? '');
  return [...blocks, ...spans];
}

describe('the README and docs name only options the CLI accepts', () => {
  it('for every command they show', async () => {
    const accepted = new Map(
      await Promise.all(
        COMMANDS.map(async (command) => {
          const { code, out } = await runCli([...command.split(' '), '--help']);
          expect(code).toBe(0);
          const options = [...out.matchAll(/^\s+(?:-h, )?(--[a-z][a-z-]*)/gm)].map((m) => m[1] as string);
          return [command, new Set(options)] as const;
        }),
      ),
    );
    const unknown: string[] = [];
    let seen = 0;
    for (const document of DOCUMENTS) {
      for (const code of codeOf(readFileSync(join(root, document), 'utf8'))) {
        const text = code.replace(/\s#.*$/, '').trim();
        const command = COMMANDS.find((c) =>
          new RegExp(`^(?:pnpm |npx |node \\S+ cli )?(?:poortwachter )?${c}(?:\\s|$)`).test(text),
        );
        if (!command) continue;
        seen++;
        const after = text.slice(text.indexOf(command) + command.length);
        for (const [option] of after.matchAll(/--[a-z][a-z-]*/g)) {
          if (!accepted.get(command)?.has(option)) unknown.push(`${document}: \`${text}\`: ${option}`);
        }
      }
    }
    expect(seen).toBeGreaterThan(10);
    expect(unknown).toEqual([]);
    // One CLI process per command, all at once: 27 of them on a shared machine.
  }, 120_000);
});
