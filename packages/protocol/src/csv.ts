/**
 * The project's one CSV writer (RFC 4180), for every export a person opens in a spreadsheet: the
 * auditor's coverage report and the citizen's overview. Written here rather than taken from a library
 * because it is a few lines, must run in Node and in the citizen's browser alike, and the one rule that
 * matters (formula neutralisation) is easier to check in our own lines than in a library's options.
 */

/** A cell: text, or a number, which is written as a number. */
export type CsvCell = string | number;

export interface CsvOptions {
  /** `,` (default) or `;` (what Dutch spreadsheets expect). */
  readonly separator?: ',' | ';';
  /** `\n` (default) or `\r\n`. */
  readonly lineEnd?: '\n' | '\r\n';
  /** Start with a UTF-8 byte order mark, so that a spreadsheet reads é as é. */
  readonly bom?: boolean;
}

/**
 * What a spreadsheet skips or trims before it looks at a cell's first character: whitespace of every
 * kind (space, tab, line breaks, the ideographic space U+3000, no-break spaces) and the invisible
 * zero-width characters and byte order mark.
 */
const LEADING_BLANKS = /^[\s\u200B-\u200D\u2060\uFEFF]*/u;

/**
 * The characters that start a formula (OWASP, CSV injection): = + - @, and the full-width and small
 * forms of them and the minus sign, which some spreadsheets read the same way.
 */
const FORMULA_CHARACTERS = /^[=+\-@\uFF1D\uFF0B\uFF0D\uFF20\uFE62\uFE63\uFE66\uFE6B\u2212]/u;

/**
 * What makes a spreadsheet end a cell or a row inside an unquoted cell, whatever separator the file
 * was written with: a spreadsheet that guesses (or is set to another locale) splits on `,`, `;` or a
 * tab, and a line ends at CR, LF, and in some at the other Unicode line and paragraph breaks.
 */
const NEEDS_QUOTES = /[,;\t"\n\r\v\f\u0085\u2028\u2029]/u;

/**
 * Whether a spreadsheet would run this text as a formula: its first character is a formula character
 * once the blanks a spreadsheet trims are skipped (` =1+1`, `\n@SUM(…)`, `\u3000=…`), or it starts
 * with a tab or carriage return (OWASP) at all.
 */
const isFormula = (text: string) => /^[\t\r]/.test(text) || FORMULA_CHARACTERS.test(text.replace(LEADING_BLANKS, ''));

/**
 * One cell as written: a text that a spreadsheet would run as a formula gets a leading `'` (so it
 * shows as the text it is), and a cell holding a `,`, `;` or tab (a separator in some spreadsheet,
 * whichever this file uses), a quote or a line break is quoted with its quotes doubled: a spreadsheet
 * that splits on the other separator then still sees one cell, never a second one that starts a
 * formula. Quoting alone does not neutralise a formula: a spreadsheet unquotes first. Numbers stay
 * numbers (a negative one too).
 *
 * @example
 * csvCell('=HYPERLINK("https://evil.example")'); // '"\'=HYPERLINK(""https://evil.example"")"'
 * csvCell('Gemeente Utrecht;=1+1'); // '"Gemeente Utrecht;=1+1"' (in a file written with `,` too)
 * csvCell(' =1+1'); // "' =1+1"
 * csvCell(-3); // '-3'
 */
export function csvCell(value: CsvCell): string {
  if (typeof value === 'number') return String(value);
  const text = isFormula(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Rows as CSV text, each row ended by the line end (the last one too).
 *
 * @example
 * toCsv([['kind', 'accesses'], ['coverage', 12]]); // 'kind,accesses\ncoverage,12\n'
 * toCsv(rows, { separator: ';', lineEnd: '\r\n', bom: true });
 */
export function toCsv(rows: readonly (readonly CsvCell[])[], options: CsvOptions = {}): string {
  const separator = options.separator ?? ',';
  const lineEnd = options.lineEnd ?? '\n';
  const body = rows.map((row) => `${row.map(csvCell).join(separator)}${lineEnd}`).join('');
  return options.bom ? `\uFEFF${body}` : body;
}
