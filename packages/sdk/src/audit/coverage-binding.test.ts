import type {
  Autorisatie,
  DirectorySnapshot,
  Grondslag,
  ProcessingActivityVersion,
  Service,
} from '@poortwachter/protocol';
import { describe, expect, it } from 'vitest';
import { type CoverageData, type CoveragePair, computeCoverage } from './coverage-report.ts';
import { snapshotHistory } from './registry-history.ts';

/**
 * The coverage report decides as the gateway does (`grantBase`): a delegate's access, recorded under the
 * gemeente responsible, is covered by the delegate's contract that the gemeente signed as delegator; an
 * access under a version of the activity is covered only by a contract signed for that version.
 */

const HAARLEM = '00000001001234567000';
const DEN_BOSCH = '00000001001234568000';
const RVIG = '00000001001234569000';
const BIJSTAND = 'https://www.haarlem.nl/verwerkingen/bijstandsverlening';
const SERVICE = 'brp-personen';
const DAY = 86_400_000;
const T0 = Date.parse('2026-11-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

const grondslag = (id: string): Grondslag =>
  ({ id, title: id, validFrom: iso(T0 - 400 * DAY), validTo: null, revokedAt: null }) as unknown as Grondslag;

const version = (n: number, validFrom: number, grondslagIds: string[]): ProcessingActivityVersion => ({
  id: BIJSTAND,
  version: n,
  name: n === 1 ? 'Bijstandsverlening' : 'Verkoop van adresbestanden',
  doel: 'test',
  grondslagIds,
  responsibleOin: HAARLEM,
  bewaartermijn: 'P7Y',
  vertrouwelijkheid: 'normaal',
  validFrom: iso(validFrom),
  revokedAt: null,
  recordedAt: iso(validFrom),
});

const autorisatie = (id: string, afnemerOin: string, extra: Partial<Autorisatie> = {}): Autorisatie => ({
  id,
  afnemerOin,
  serviceId: SERVICE,
  processingActivityId: BIJSTAND,
  processingActivityVersion: 1,
  grondslagId: 'participatiewet-art-7',
  fields: ['naam.voornamen'],
  searchTypes: ['RaadpleegMetBurgerservicenummer'],
  validFrom: iso(T0 - 200 * DAY),
  validTo: iso(T0 + 400 * DAY),
  revokedAt: null,
  acceptedBy: [],
  ...extra,
});

const snapshotWith = (autorisaties: Autorisatie[], versions: ProcessingActivityVersion[]): DirectorySnapshot =>
  ({
    serial: 1,
    issued_at: iso(T0 + 30 * DAY),
    organisations: [
      { oin: HAARLEM, name: 'Gemeente Haarlem', keys: [] },
      { oin: DEN_BOSCH, name: "Gemeente 's-Hertogenbosch", keys: [] },
      { oin: RVIG, name: 'RvIG', keys: [] },
    ],
    services: [
      {
        id: SERVICE,
        providerOin: RVIG,
        fieldCatalogue: [{ path: 'naam.voornamen' }, { path: 'burgerservicenummer' }],
      } as unknown as Service,
    ],
    grondslagen: [grondslag('participatiewet-art-7'), grondslag('gemeentewet-art-220')],
    processing_activities: [{ id: BIJSTAND, versions }],
    autorisaties,
    identity_providers: [],
  }) as unknown as DirectorySnapshot;

interface AccessRecord {
  readonly id: string;
  readonly oin: string;
  readonly version: number;
  readonly at: number;
}

/** The report's data from records as the gateway writes them: a delegate's under the gemeente responsible. */
function recordsData(records: readonly AccessRecord[]): CoverageData {
  const of = (p: CoveragePair) => records.filter((r) => r.oin === p.oin && BIJSTAND === p.activityId);
  return {
    recordPairs: async () => [...new Set(records.map((r) => r.oin))].map((oin) => ({ oin, activityId: BIJSTAND })),
    groups: async (p) =>
      [...new Set(of(p).map((r) => r.version))].map((v) => {
        const rs = of(p).filter((r) => r.version === v);
        return {
          version: v,
          releasedFields: '["naam.voornamen"]',
          n: rs.length,
          first: Math.min(...rs.map((r) => r.at)),
          last: Math.max(...rs.map((r) => r.at)),
        };
      }),
    perDay: async () => [],
    subjects: async (p) => of(p).length,
    stretch: async (p, v, from, to, limit) => {
      const rs = of(p).filter((r) => r.version === v && r.at >= from && r.at < to);
      return { n: rs.length, listed: rs.slice(0, limit).map((r) => ({ id: r.id, startTime: r.at })) };
    },
    refusals: async () => [],
    totals: async () => ({ accesses: records.length, dataSubjects: records.length }),
  };
}

async function report(snapshot: DirectorySnapshot, records: readonly AccessRecord[]) {
  return computeCoverage(recordsData(records), snapshot, await snapshotHistory(() => snapshot).changes(), {
    serviceId: SERVICE,
    from: T0,
    to: T0 + 30 * DAY,
    now: T0 + 30 * DAY,
    heads: [],
    historySource: 'test',
  });
}

describe('coverage report: the gateway’s rule for delegation and activity versions', () => {
  it("covers a delegate's access by the contract its delegator signed, and does not call that contract dormant", async () => {
    const delegated = autorisatie('delegated', DEN_BOSCH, { delegatorOin: HAARLEM });
    const snapshot = snapshotWith([delegated], [version(1, T0 - 300 * DAY, ['participatiewet-art-7'])]);
    // Recorded as the gateway records a delegate's call: the gemeente responsible is the processor.
    const result = await report(snapshot, [{ id: 'r1', oin: HAARLEM, version: 1, at: T0 + DAY }]);
    expect(result.invalidAccesses).toEqual([]);
    expect(result.totals.invalidAccesses).toBe(0);
    expect(result.dormantAutorisaties).toEqual([]);
    const row = result.rows.find((r) => r.afnemer.oin === HAARLEM);
    expect(row?.autorisatieIds).toEqual(['delegated']);
  });

  it('does not cover an access by a delegate whose contract names another delegator', async () => {
    const delegated = autorisatie('delegated', DEN_BOSCH, { delegatorOin: RVIG });
    const snapshot = snapshotWith([delegated], [version(1, T0 - 300 * DAY, ['participatiewet-art-7'])]);
    const result = await report(snapshot, [{ id: 'r1', oin: HAARLEM, version: 1, at: T0 + DAY }]);
    expect(result.invalidAccesses.map((a) => a.id)).toEqual(['r1']);
  });

  it('covers an access under version 2 only with a contract signed for version 2', async () => {
    const changedAt = T0 + 10 * DAY;
    const versions = [
      version(1, T0 - 300 * DAY, ['participatiewet-art-7']),
      version(2, changedAt, ['gemeentewet-art-220']),
    ];
    const records = [
      { id: 'before', oin: HAARLEM, version: 1, at: T0 + DAY },
      { id: 'after', oin: HAARLEM, version: 2, at: changedAt + DAY },
    ];
    const signedForOne = await report(snapshotWith([autorisatie('v1', HAARLEM)], versions), records);
    expect(signedForOne.invalidAccesses.map((a) => a.id)).toEqual(['after']);
    expect(signedForOne.invalidAccesses[0]?.reasons.join()).toContain(
      'signed for processing activity version 1 (participatiewet-art-7)',
    );

    const signedForTwo = autorisatie('v2', HAARLEM, {
      processingActivityVersion: 2,
      grondslagId: 'gemeentewet-art-220',
    });
    const both = await report(snapshotWith([autorisatie('v1', HAARLEM), signedForTwo], versions), records);
    expect(both.invalidAccesses).toEqual([]);
  });
});
