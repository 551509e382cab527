/**
 * Converts RvIG's public BRP test set (seeds/brp/source, EUPL-1.2) into BRP API Personen 2.x
 * `Persoon` objects at seeds/brp/personen.json. Run: `pnpm seeds:convert`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createBrpValidator } from '../openapi/brp-openapi.ts';
import { readCodeTables } from './code-tables.ts';
import { type ConversionNote, conformToSpec } from './conform.ts';
import { readPersoonslijsten } from './lo3.ts';
import { toPersoon } from './to-persoon.ts';

const source = (name: string) => readFileSync(fileURLToPath(new URL(`../brp/source/${name}`, import.meta.url)), 'utf8');

const tables = readCodeTables({
  gemeenten: source('tabel33-gemeenten.csv'),
  landen: source('tabel34-landen.csv'),
  nationaliteiten: source('tabel32-nationaliteiten.csv'),
});
const lijsten = readPersoonslijsten(source('testset-persoonslijsten-proefomgeving-gba-v-20220502.csv'));
// Persoonslijsten without a BSN are left out: the gateway logs every access per BSN, so such a
// person could never be consulted lawfully through it. The test set holds two, on purpose malformed.
// BSNs that appear on two persoonslijsten are kept as the test set has them (a source returns both).
const validator = createBrpValidator();
const skipped: string[] = [];
const notes: ConversionNote[] = [];
const personen = lijsten.flatMap((lijst) => {
  const persoon = toPersoon(lijst, tables);
  if (!persoon) skipped.push(lijst.label);
  else notes.push(...conformToSpec(persoon, validator));
  return persoon ? [persoon] : [];
});

const output = fileURLToPath(new URL('../brp/personen.json', import.meta.url));
writeFileSync(output, `${JSON.stringify(personen, null, 1)}\n`);
const notesFile = fileURLToPath(new URL('../brp/conversion-notes.json', import.meta.url));
writeFileSync(notesFile, `${JSON.stringify(notes, null, 1)}\n`);
console.log(
  `${lijsten.length} persoonslijsten read, ${personen.length} persons written to seeds/brp/personen.json; ` +
    `skipped without BSN: ${skipped.join(', ') || 'none'}; ${notes.length} values fitted to the spec's patterns ` +
    '(see seeds/brp/conversion-notes.json)',
);
