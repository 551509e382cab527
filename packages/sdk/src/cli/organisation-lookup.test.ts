import { describe, expect, it } from 'vitest';
import { abbreviates, findOrganisation } from './organisation-lookup.ts';

const ORGANISATIONS = [
  { oin: '00000001001000001000', name: 'Rijksdienst voor Identiteitsgegevens' },
  { oin: '00000001000000344000', name: 'Gemeente Utrecht' },
  { oin: '00000001000000392000', name: 'Gemeente Haarlem' },
  { oin: '00000001000000796000', name: "Gemeente 's-Hertogenbosch" },
  { oin: '00000001000000599000', name: 'Gemeente Rotterdam' },
  { oin: '00000001000000100000', name: 'Uitvoeringsinstituut Werknemersverzekeringen (UWV)' },
  { oin: '00000001000000200000', name: 'Sociale Verzekeringsbank (SVB)' },
  { oin: '00000001000000300000', name: 'Autoriteit Persoonsgegevens' },
  { oin: '00000001000000400000', name: 'Kadaster' },
];
const named = (text: string) => {
  const match = findOrganisation(ORGANISATIONS, text);
  return match.kind === 'one' ? match.organisation.name : match.kind;
};

describe('findOrganisation: the organisation an option names', () => {
  it('finds it by OIN, whole name, short name, part of the name or abbreviation, case aside', () => {
    expect(named('00000001000000392000')).toBe('Gemeente Haarlem');
    expect(named('haarlem')).toBe('Gemeente Haarlem');
    expect(named('KADASTER')).toBe('Kadaster');
    expect(named('rvig')).toBe('Rijksdienst voor Identiteitsgegevens');
    expect(named('RvIG')).toBe('Rijksdienst voor Identiteitsgegevens');
    expect(named('uwv')).toBe('Uitvoeringsinstituut Werknemersverzekeringen (UWV)');
    expect(named('SVB')).toBe('Sociale Verzekeringsbank (SVB)');
    expect(named('AP')).toBe('Autoriteit Persoonsgegevens');
    expect(named('hertogenbosch')).toBe("Gemeente 's-Hertogenbosch");
    expect(named('Rijksdienst')).toBe('Rijksdienst voor Identiteitsgegevens');
  });

  it('guesses nothing: several fits give every candidate; nothing gives none', () => {
    const gemeente = findOrganisation(ORGANISATIONS, 'gemeente');
    expect(gemeente.kind === 'ambiguous' && gemeente.candidates.map((o) => o.name)).toEqual([
      'Gemeente Utrecht',
      'Gemeente Haarlem',
      "Gemeente 's-Hertogenbosch",
      'Gemeente Rotterdam',
    ]);
    expect(named('gh')).toBe('ambiguous'); // Gemeente Haarlem, Gemeente 's-Hertogenbosch
    expect(named('brp')).toBe('none');
    expect(named('')).toBe('none');
    expect(named('0000000100')).toBe('none');
  });

  it('ranks no rule over another: a look-alike name makes the text ambiguous, it does not capture it', () => {
    // An organisation chooses its own name: renamed "Datahandel BV (RvIG)" or "Haarlem", it must not win
    // `rvig` (its short name) or `haarlem` (its whole name) over the organisation people mean.
    const withLookalikes = [
      ...ORGANISATIONS,
      { oin: '00000009999999999001', name: 'Datahandel BV (RvIG)' },
      { oin: '00000009999999999002', name: 'Haarlem' },
    ];
    const among = (text: string) => {
      const match = findOrganisation(withLookalikes, text);
      return match.kind === 'ambiguous' ? match.candidates.map((o) => o.oin) : match.kind;
    };
    expect(among('rvig')).toEqual(['00000001001000001000', '00000009999999999001']);
    expect(among('haarlem')).toEqual(['00000001000000392000', '00000009999999999002']);
    const withUtr = [...ORGANISATIONS, { oin: '00000001000000500000', name: 'Universiteit Tilburg Rechten' }];
    const utrecht = findOrganisation(withUtr, 'utrecht');
    expect(utrecht.kind === 'ambiguous' && utrecht.candidates.map((o) => o.name)).toEqual([
      'Gemeente Utrecht',
      'Universiteit Tilburg Rechten',
    ]);
    // An OIN is exact: it names one organisation, whatever names fit it too.
    const byOin = findOrganisation(withLookalikes, '00000001001000001000');
    expect(byOin.kind === 'one' && byOin.organisation.name).toBe('Rijksdienst voor Identiteitsgegevens');
  });
});

describe('abbreviates', () => {
  const words = (name: string) => name.toLowerCase().split(' ');
  it('takes first letters of words in order, and later letters of a word already begun', () => {
    expect(abbreviates('rvig', words('rijksdienst voor identiteitsgegevens'))).toBe(true);
    expect(abbreviates('bzk', words('ministerie van binnenlandse zaken en koninkrijksrelaties'))).toBe(true);
    expect(abbreviates('rvo', words('rijksdienst voor ondernemend nederland'))).toBe(true);
    expect(abbreviates('ijg', words('rijksdienst voor identiteitsgegevens'))).toBe(false);
    expect(abbreviates('gir', words('rijksdienst voor identiteitsgegevens'))).toBe(false);
    expect(abbreviates('r', words('rijksdienst'))).toBe(false);
  });
});
