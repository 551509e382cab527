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
 * A text a spreadsheet would run as a formula: starting with = + - @, a tab or a carriage return
 * (OWASP, CSV injection), or their full-width forms, which some spreadsheets read the same way.
 */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/**
 * One cell as written: a text that a spreadsheet would run as a formula gets a leading `'` (so it
 * shows as the text it is), and a cell holding the separator, a quote, a line feed or a carriage
 * return is quoted with its quotes doubled. Quoting alone does not neutralise a formula: a spreadsheet
 * unquotes first. Numbers stay numbers (a negative one too).
 *
 * @example
 * csvCell('=HYPERLINK("https://evil.example")'); // '"\'=HYPERLINK(""https://evil.example"")"'
 * csvCell(-3); // '-3'
 */
export function csvCell(value: CsvCell, separator: ',' | ';' = ','): string {
  if (typeof value === 'number') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return text.includes(separator) || /["\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
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
  const body = rows.map((row) => `${row.map((cell) => csvCell(cell, separator)).join(separator)}${lineEnd}`).join('');
  return options.bom ? `\uFEFF${body}` : body;
}
