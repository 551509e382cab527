import type { DirectorySnapshot } from '@poortwachter/protocol';
import { describe, expect, it } from 'vitest';
import { DirectoryIndex } from './directory-index.ts';

const AFNEMER = '00000001000000000031';
const DELEGATE = '00000001000000000032';
const NOW = '2026-06-01T12:00:00.000Z';

const activity = {
  id: 'act',
  responsibleOin: AFNEMER,
  versions: [
    { version: 1, validFrom: '2020-01-01T00:00:00Z', revokedAt: null, grondslagIds: ['g1'], responsibleOin: AFNEMER },
    { version: 2, validFrom: '2026-01-01T00:00:00Z', revokedAt: null, grondslagIds: ['g1'], responsibleOin: AFNEMER },
  ],
};
const base = {
  afnemerOin: AFNEMER,
  serviceId: 'brp-personen',
  processingActivityId: 'act',
  processingActivityVersion: 2,
  grondslagId: 'g1',
  fields: ['naam'],
  searchTypes: ['X'],
  validFrom: '2026-01-01T00:00:00Z',
  validTo: null,
  revokedAt: null,
};
const index = (...autorisaties: object[]) =>
  new DirectoryIndex({
    serial: 1,
    issued_at: NOW,
    organisations: [],
    services: [],
    processing_activities: [activity],
    grondslagen: [],
    autorisaties,
    identity_providers: [],
  } as unknown as DirectorySnapshot);

describe('DirectoryIndex.quota', () => {
  const current = { ...base, id: 'current', quota: { requestsPerSecond: 5, burst: 10 } };

  it('counts only the contracts that grant at the call: not one for an older version, not yet valid, expired or revoked', () => {
    const directory = index(
      {
        ...base,
        id: 'old',
        processingActivityVersion: 1,
        validFrom: '2025-01-01T00:00:00Z',
        quota: { requestsPerSecond: 1000, burst: 5000 },
      },
      { ...base, id: 'future', validFrom: '2030-01-01T00:00:00Z', quota: { requestsPerSecond: 800, burst: 800 } },
      { ...base, id: 'expired', validTo: '2026-05-01T00:00:00Z', quota: { requestsPerSecond: 700, burst: 700 } },
      { ...base, id: 'revoked', revokedAt: '2026-05-01T00:00:00Z', quota: { requestsPerSecond: 600, burst: 600 } },
      { ...base, id: 'other-grondslag', grondslagId: 'g2', quota: { requestsPerSecond: 500, burst: 500 } },
      {
        ...base,
        id: 'foreign',
        afnemerOin: AFNEMER,
        delegatorOin: DELEGATE,
        quota: { requestsPerSecond: 400, burst: 400 },
      },
      current,
    );
    expect(directory.quota('brp-personen', AFNEMER, NOW)).toEqual({ requestsPerSecond: 5, burst: 10 });
    // The contract not yet valid brings its quota once it is in force.
    expect(directory.quota('brp-personen', AFNEMER, '2030-01-01T00:00:00.000Z')).toEqual({
      requestsPerSecond: 800,
      burst: 800,
    });
    // Before version 2 was in force, the version-1 contract granted (the others had not started).
    expect(directory.quota('brp-personen', AFNEMER, '2025-06-01T00:00:00.000Z')).toEqual({
      requestsPerSecond: 1000,
      burst: 5000,
    });
  });

  it('takes the largest rate and the largest burst of the contracts that grant', () => {
    const directory = index(current, { ...base, id: 'wide', quota: { requestsPerSecond: 2, burst: 40 } });
    expect(directory.quota('brp-personen', AFNEMER, NOW)).toEqual({ requestsPerSecond: 5, burst: 40 });
  });

  it('has none for a contract without a quota, another service or another afnemer', () => {
    const directory = index({ ...base, id: 'plain' }, current);
    expect(directory.quota('brp-personen', DELEGATE, NOW)).toBeUndefined();
    expect(directory.quota('other-service', AFNEMER, NOW)).toBeUndefined();
    expect(index({ ...base, id: 'plain' }).quota('brp-personen', AFNEMER, NOW)).toBeUndefined();
  });
});
