import { parseCsv } from './csv.ts';

/** One occurrence (voorkomen) of a category: rubric (`01.20`) → value. */
export type Occurrence = Readonly<Record<string, string>>;
/** A stapel: the occurrences of one category instance, current first, then its history. */
export type Stapel = readonly Occurrence[];

export interface PersoonsLijst {
  /** The test set's own label, e.g. `Lg01_716`. */
  readonly label: string;
  /** Category number (`01` … `13`) → its stapels, in the order the test set lists them. */
  readonly categories: ReadonlyMap<string, readonly Stapel[]>;
}

/**
 * Reads the RvIG test set (LO3 rubric columns, `;`-separated) into persoonslijsten.
 *
 * A person is one row with a label in the first column plus the rows after it whose first column is
 * empty. Each such row adds at most one occurrence per category. Whether that occurrence is the
 * history of the current stapel or a new stapel (a second child, nationality or partner) is told by
 * the `NN.H` column of the row before it: `5x`/`6x` (a historic category number) means history,
 * the plain category number (`09`) means a new stapel.
 *
 * @example
 * const lijsten = readPersoonslijsten(fs.readFileSync(path, 'utf8'));
 */
export function readPersoonslijsten(csvText: string): PersoonsLijst[] {
  const [header, ...rows] = parseCsv(csvText, ';');
  if (!header) return [];
  const columns = header.map((name) => {
    const match = /^(\d\d)\.(H|\d\d\.\d\d)$/.exec(name.trim());
    return match ? { category: match[1] as string, rubric: match[2] as string } : undefined;
  });

  const lijsten: PersoonsLijst[] = [];
  let current: { label: string; stapels: Map<string, Occurrence[][]>; marker: Map<string, string> } | undefined;
  for (const row of rows) {
    const label = row[0]?.trim() ?? '';
    if (label !== '') {
      current = { label, stapels: new Map(), marker: new Map() };
      lijsten.push({ label, categories: current.stapels });
    }
    if (!current) continue;

    const occurrences = new Map<string, Record<string, string>>();
    const markers = new Map<string, string>();
    row.forEach((raw, index) => {
      const column = columns[index];
      const value = raw.trim();
      if (!column || value === '') return;
      if (column.rubric === 'H') {
        markers.set(column.category, value);
        return;
      }
      const occurrence = occurrences.get(column.category) ?? {};
      occurrence[column.rubric] = value;
      occurrences.set(column.category, occurrence);
    });

    for (const [category, occurrence] of occurrences) {
      const stapels = current.stapels.get(category) ?? [];
      const marker = current.marker.get(category);
      const last = stapels.at(-1);
      const startsNewStapel = !last || (marker !== undefined && marker === category);
      if (startsNewStapel) stapels.push([occurrence]);
      else last.push(occurrence);
      current.stapels.set(category, stapels);
      current.marker.delete(category);
    }
    for (const [category, marker] of markers) {
      if (/^\d\d$/.test(marker)) current.marker.set(category, marker);
    }
  }
  return lijsten;
}
