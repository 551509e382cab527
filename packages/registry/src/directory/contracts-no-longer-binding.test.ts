import type { Autorisatie, ProcessingActivity, ProcessingActivityVersion } from '@poortwachter/protocol';
import { describe, expect, it } from 'vitest';
import { contractsNoLongerBinding } from './contracts-no-longer-binding.ts';

const HAARLEM = '00000001000000392000';
const RVIG = '00000001001000001000';
const ID = 'https://www.haarlem.nl/verwerkingsactiviteiten/bijstand';
const NOW = new Date('2026-12-07T12:00:00.000Z');

const version = (n: number, validFrom: string): ProcessingActivityVersion => ({
  id: ID,
  version: n,
  name: 'Bijstandsverlening',
  doel: 'Beoordelen of iemand recht heeft op bijstand.',
  grondslagIds: ['participatiewet-art-7'],
  responsibleOin: HAARLEM,
  bewaartermijn: 'P7Y',
  vertrouwelijkheid: 'normaal',
  validFrom,
  revokedAt: null,
  recordedAt: validFrom,
});
const contract = (id: string, validTo: string): Autorisatie => ({
  id,
  afnemerOin: HAARLEM,
  serviceId: 'brp-personen',
  processingActivityId: ID,
  processingActivityVersion: 1,
  grondslagId: 'participatiewet-art-7',
  fields: ['naam.voornamen'],
  searchTypes: ['RaadpleegMetBurgerservicenummer'],
  validFrom: '2026-01-01T00:00:00.000Z',
  validTo,
  revokedAt: null,
});
const directory = (autorisaties: Autorisatie[]) => ({
  autorisaties,
  organisations: [{ oin: RVIG, name: 'Rijksdienst voor Identiteitsgegevens' }] as never[],
  services: [{ id: 'brp-personen', providerOin: RVIG }] as never[],
});

describe('contractsNoLongerBinding', () => {
  const before: ProcessingActivity = { id: ID, versions: [version(1, '2026-01-01T00:00:00.000Z')] };

  it('a version from a later validFrom stops the contracts that would still grant then, not those ended before', () => {
    const after = { id: ID, versions: [...before.versions, version(2, '2027-01-01T00:00:00.000Z')] };
    const stopped = contractsNoLongerBinding(
      directory([contract('runs-on', '2028-01-01T00:00:00.000Z'), contract('ends-first', '2026-12-31T00:00:00.000Z')]),
      before,
      after,
      NOW,
    );
    expect(stopped.map((c) => c.hash)).toEqual(['runs-on']);
    expect(stopped[0]?.bronhouder).toEqual({ oin: RVIG, name: 'Rijksdienst voor Identiteitsgegevens' });
  });

  it('a version that takes effect now stops a contract that begins later too', () => {
    const after = { id: ID, versions: [...before.versions, version(2, NOW.toISOString())] };
    const later = { ...contract('begins-later', '2028-01-01T00:00:00.000Z'), validFrom: '2027-02-01T00:00:00.000Z' };
    const stopped = contractsNoLongerBinding(directory([later]), before, after, NOW);
    expect(stopped.map((c) => c.hash)).toEqual(['begins-later']);
  });

  it('a version that takes effect now stops every contract in force for the one before', () => {
    const after = { id: ID, versions: [...before.versions, version(2, NOW.toISOString())] };
    const stopped = contractsNoLongerBinding(
      directory([contract('in-force', '2028-01-01T00:00:00.000Z'), contract('ended', '2026-12-01T00:00:00.000Z')]),
      before,
      after,
      NOW,
    );
    expect(stopped.map((c) => c.hash)).toEqual(['in-force']);
  });
});
