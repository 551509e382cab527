/**
 * Writes the invented BRK fixtures over RvIG's test persons to seeds/brk/kadaster.json.
 * Run: `pnpm --filter @poortwachter/seeds brk`.
 */
import { writeFileSync } from 'node:fs';
import { loadPersonen } from '../personen.ts';
import { BRK_FIXTURES_PATH } from './brk-fixtures.ts';
import { generateBrkFixtures } from './generate-brk.ts';

const fixtures = generateBrkFixtures(loadPersonen());
writeFileSync(BRK_FIXTURES_PATH, `${JSON.stringify(fixtures, null, 1)}\n`);
console.log(
  `${fixtures.kadastraalOnroerendeZaken.length} kadastraal onroerende zaken, ` +
    `${Object.values(fixtures.zakelijkGerechtigden).flat().length} zakelijk gerechtigden, ` +
    `${Object.values(fixtures.hypotheken).flat().length} hypotheken, ${Object.values(fixtures.beslagen).flat().length} beslag, ` +
    `${fixtures.kadasterNatuurlijkPersonen.length + fixtures.kadasterNietNatuurlijkPersonen.length} Kadaster persons written to seeds/brk/kadaster.json`,
);
