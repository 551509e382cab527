import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { escapeHtml } from './coverage-page.ts';
import { csvText, joined, jsonText, ownText, shown, TerminalText } from './output.ts';
import { markdownTable, table } from './table.ts';

/** The tester's name: OSC 52 (clipboard), BEL, CR, erase line, "Niemand", SGR 8 (hidden). */
const FORGED = 'Gemeente Utrecht\u001b]52;c;ZWNobyBwd25lZA==\u0007\r\u001b[2KNiemand\u001b[8m';
const CONTROL = /[\p{Cc}\p{Bidi_Control}\u2028\u2029]/u;
/** Control characters, line feeds aside (the CLI's own line breaks). */
const CONTROL_BUT_LF = /[^\P{Cc}\n]|[\p{Bidi_Control}\u2028\u2029]/u;

describe("the CLI's one way to print", () => {
  it('prints its own parts as written and every value as one visible line', () => {
    const text = shown`\r\u001b[2Kauditor: ${FORGED}\n`.toString();
    expect(text).toBe(
      '\r\u001b[2Kauditor: Gemeente Utrecht\\u001b]52;c;ZWNobyBwd25lZA==\\u0007\\r\\u001b[2KNiemand\\u001b[8m\n',
    );
    expect(shown`${'a\nb'} ${'\u202eNiemand'} ${'\u009b2K'} ${'x\u2028'}`.toString()).toBe(
      'a\\nb \\u202eNiemand \\u009b2K x\\u2028',
    );
    // Text made here is not escaped twice; numbers and undefined print as themselves.
    expect(shown`[${shown`a\nb`}] ${3} ${undefined}`.toString()).toBe('[a\nb] 3 undefined');
    expect(joined([shown`a`, shown`${'b\nc'}`]).toString()).toBe('a\nb\\nc');
  });

  it('cannot be handed a bare string as text that is safe to print', () => {
    const forge = TerminalText as unknown as new (own: symbol, text: string) => TerminalText;
    expect(() => new forge(Symbol('TerminalText'), '\u001b[2J')).toThrow(TypeError);
  });

  it('keeps its own help lines and escapes anything else in them', () => {
    expect(ownText('usage\n  --x  y\u001b\n').toString()).toBe('usage\n  --x  y\\u001b\n');
  });

  it('writes a table whose every row stays one line, its columns measured after escaping', () => {
    const text = table(
      ['OIN', 'organisation'],
      [
        ['00000001000000344000', FORGED],
        ['2', 'Gemeente\nZwolle'],
      ],
    );
    const lines = text.toString().split('\n');
    expect(lines).toHaveLength(4);
    expect(text.toString()).not.toMatch(CONTROL_BUT_LF);
    expect(lines[3]).toBe('2                     Gemeente\\nZwolle');
  });

  it('writes a Markdown table whose cells can neither end a row nor add a column', () => {
    const text = markdownTable(['afnemer', 'n'], [[`${FORGED}\n| x | y |`, 1]]).toString();
    const lines = text.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe(
      '| Gemeente Utrecht\\u001b]52;c;ZWNobyBwd25lZA==\\u0007\\r\\u001b[2KNiemand\\u001b[8m\\n\\| x \\| y \\| | 1 |',
    );
  });

  it('writes JSON with C1, DEL, the line separators and the bidi controls escaped too, the data unchanged', () => {
    const value = { name: `${FORGED}\u009b2K\u0085\u007f\u2028\u202e`, n: 1 };
    const text = jsonText(value).toString();
    expect(text).not.toMatch(CONTROL_BUT_LF);
    expect(text.endsWith('}\n')).toBe(true);
    expect(JSON.parse(text)).toEqual(value);
  });

  it('writes CSV whose cells hold no control character, a formula still neutralised', () => {
    const text = csvText([
      ['name', 'n'],
      [FORGED, 2],
      ['\t=cmd', 3],
      ['=HYPERLINK("x")', -1],
    ]).toString();
    expect(text).not.toMatch(CONTROL_BUT_LF);
    expect(text.split('\n')).toEqual([
      'name,n',
      // Quoted: the cell holds a semicolon, the other separator a spreadsheet may split on.
      '"Gemeente Utrecht\\u001b]52;c;ZWNobyBwd25lZA==\\u0007\\r\\u001b[2KNiemand\\u001b[8m",2',
      '\\t=cmd,3',
      `"'=HYPERLINK(""x"")",-1`,
      '',
    ]);
  });

  it("shows a control character visibly on the auditor's page, markup as entities", () => {
    expect(escapeHtml(`<b>${FORGED}</b>`)).toBe(
      '&lt;b&gt;Gemeente Utrecht\\u001b]52;c;ZWNobyBwd25lZA==\\u0007\\r\\u001b[2KNiemand\\u001b[8m&lt;/b&gt;',
    );
    expect(escapeHtml('\u202eNiemand')).not.toMatch(CONTROL);
  });

  it('is the only place in the CLI that writes to stdout or stderr', () => {
    const folder = fileURLToPath(new URL('.', import.meta.url));
    const writers = readdirSync(folder)
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && file !== 'output.ts')
      .filter((file) =>
        /process\.std(out|err)\.write|console\.(log|error|warn|info)/.test(readFileSync(join(folder, file), 'utf8')),
      );
    expect(writers).toEqual([]);
  });
});
