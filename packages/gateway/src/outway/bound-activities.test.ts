import type { DirectorySnapshot, Organisation, ProcessingActivityVersion } from '@poortwachter/protocol';
import { describe, expect, it } from 'vitest';
import { DirectoryIndex } from '../directory/directory-index.ts';
import { bindingProblems } from './bound-activities.ts';

const OURS = '00000001000000000001';
const THEIRS = '00000001000000000002';
const NOW = '2026-12-01T12:00:00.000Z';

const version = (n: number, oin: string, validFrom: string, revokedAt: string | null = null) =>
  ({
    id: `v${n}`,
    version: n,
    name: 'Wmo',
    doel: 'Ondersteuning',
    grondslagIds: [],
    responsibleOin: oin,
    bewaartermijn: 'P1Y',
    vertrouwelijkheid: 'normaal',
    validFrom,
    revokedAt,
    recordedAt: validFrom,
  }) satisfies ProcessingActivityVersion;

const organisation = (oin: string, name: string) =>
  ({ oin, name, kind: 'gemeente', roles: ['afnemer'], keys: [], revokedAt: null }) as unknown as Organisation;

const directory = new DirectoryIndex({
  serial: 1,
  issued_at: NOW,
  organisations: [organisation(OURS, 'Gemeente Eigen'), organisation(THEIRS, 'Gemeente Ander')],
  services: [],
  grondslagen: [],
  autorisaties: [
    {
      id: 'delegated',
      afnemerOin: OURS,
      serviceId: 'brp-personen',
      processingActivityId: 'https://theirs.test/delegated',
      processingActivityVersion: 1,
      grondslagId: 'g',
      fields: ['naam.voornamen'],
      searchTypes: ['RaadpleegMetBurgerservicenummer'],
      validFrom: '2026-01-01T00:00:00.000Z',
      validTo: null,
      revokedAt: null,
      delegatorOin: THEIRS,
    },
  ],
  identity_providers: [],
  processing_activities: [
    { id: 'https://ours.test/wmo', versions: [version(1, OURS, '2026-01-01T00:00:00.000Z')] },
    { id: 'https://theirs.test/bijstand', versions: [version(1, THEIRS, '2026-01-01T00:00:00.000Z')] },
    { id: 'https://theirs.test/delegated', versions: [version(1, THEIRS, '2026-01-01T00:00:00.000Z')] },
    {
      id: 'https://ours.test/ended',
      versions: [
        version(1, OURS, '2026-01-01T00:00:00.000Z'),
        version(2, OURS, '2026-06-01T00:00:00.000Z', '2026-06-01T00:00:00.000Z'),
      ],
    },
    { id: 'https://ours.test/next-year', versions: [version(1, OURS, '2027-01-01T00:00:00.000Z')] },
    {
      id: 'https://moved.test/handed-over',
      versions: [version(1, OURS, '2025-01-01T00:00:00.000Z'), version(2, THEIRS, '2026-01-01T00:00:00.000Z')],
    },
    { id: 'https://theirs.test/next-year', versions: [version(1, THEIRS, '2027-01-01T00:00:00.000Z')] },
  ],
} satisfies DirectorySnapshot);

const problems = (...activities: string[]) => bindingProblems(directory, OURS, activities, NOW);

describe('bindingProblems', () => {
  it("binds another organisation's activity only where a delegated contract names this one its delegate", () => {
    expect(problems('https://theirs.test/delegated')).toEqual([]);
    expect(problems('https://theirs.test/bijstand').map((p) => p.code)).toEqual(['foreign']);
  });

  it("binds the organisation's own activities in force, and its own that start later", () => {
    expect(problems('https://ours.test/wmo', 'https://ours.test/next-year')).toEqual([]);
  });

  it('names each activity that is unknown, of another organisation or ended, by its place in the list', () => {
    expect(
      problems(
        'https://ours.test/wmo',
        'https://nowhere.test/typo',
        'https://theirs.test/bijstand',
        'https://ours.test/ended',
        'https://moved.test/handed-over',
        'https://theirs.test/next-year',
      ).map(({ name, code }) => ({ name, code })),
    ).toEqual([
      { name: 'processingActivities[1]', code: 'unknown' },
      { name: 'processingActivities[2]', code: 'foreign' },
      { name: 'processingActivities[3]', code: 'revoked' },
      { name: 'processingActivities[4]', code: 'foreign' },
      { name: 'processingActivities[5]', code: 'foreign' },
    ]);
  });

  it('says whose activity it is', () => {
    expect(problems('https://theirs.test/bijstand')[0]?.reason).toContain('Gemeente Ander');
  });
});
