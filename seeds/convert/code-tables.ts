import { parseCsv } from './csv.ts';
import type { CodeTables } from './lo3-values.ts';

/** Reads an LO3 code table CSV (`"code","omschrijving",…`) into a map, skipping the header. */
export function readCodeTable(csvText: string): Map<string, string> {
  const [, ...rows] = parseCsv(csvText, ',');
  return new Map(rows.filter((r) => r[0] && r[1]).map((r) => [r[0] as string, r[1] as string]));
}

export function readCodeTables(files: { gemeenten: string; landen: string; nationaliteiten: string }): CodeTables {
  return {
    gemeenten: readCodeTable(files.gemeenten),
    landen: readCodeTable(files.landen),
    nationaliteiten: readCodeTable(files.nationaliteiten),
  };
}
