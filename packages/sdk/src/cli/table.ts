import { ownText, type TerminalText, visible } from './output.ts';

/**
 * A fixed-width text table. Each cell is shown as one visible line (a control character in it written
 * as its escape) before the columns are measured, so a cell can neither break a row nor move the cursor.
 */
export function table(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): TerminalText {
  const cells = [headers, ...rows].map((row) => row.map(visible));
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (row: string[]) =>
    row
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const [head = [], ...body] = cells;
  return ownText([line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n'));
}

/**
 * A Markdown (GFM) table: each cell shown as one visible line, its `|` escaped, so a cell can neither
 * end its row nor add a column.
 */
export function markdownTable(
  headers: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): TerminalText {
  const cell = (v: string | number) => visible(v).replaceAll('|', '\\|');
  return ownText(
    [
      `| ${headers.map(cell).join(' | ')} |`,
      `| ${headers.map(() => '---').join(' | ')} |`,
      ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
    ].join('\n'),
  );
}
