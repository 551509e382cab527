import { verifyDirectorySnapshot } from '@poortwachter/protocol';
import { trustDirectory } from '@poortwachter/protocol/contracts';
import { startTestRegistry, type TestRegistry } from '@poortwachter/registry/testing';
import { type CoverageData, computeCoverage } from '@poortwachter/sdk';
import { DEMO_OIN } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptancesOf, coverageRows } from '../../packages/sdk/src/cli/coverage-export.ts';
import { coveragePage, escapeHtml } from '../../packages/sdk/src/cli/coverage-page.ts';

/** No records and no refusals: the report's rows are then the autorisaties in force. */
const NO_DATA: CoverageData = {
  recordPairs: async () => [],
  groups: async () => [],
  perDay: async () => [],
  subjects: async () => 0,
  stretch: async () => ({ n: 0, listed: [] }),
  refusals: async () => [],
  totals: async () => ({ accesses: 0, dataSubjects: 0 }),
};

/**
 * Issue 28: the coverage report names, for each autorisatie, who accepted it and when, taken from the
 * directory after the trust step (the reader verified every signature itself against anchored keys).
 */
describe('coverage report: who accepted each autorisatie, and when', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startTestRegistry('sqlite');
  });
  afterAll(async () => registry.close());

  it('lists the parties whose signatures the auditor verified, in the report, its CSV and its page rows', async () => {
    const jws = await (await registry.app.request('/v1/directory')).text();
    const snapshot = await verifyDirectorySnapshot(jws, registry.registryPublicKey);
    const { snapshot: trusted } = await trustDirectory(snapshot, registry.trustAnchors);
    const now = Date.now();
    const report = await computeCoverage(NO_DATA, trusted, [], {
      serviceId: 'brp-personen',
      from: now - 86_400_000,
      to: now,
      now,
      heads: [],
      historySource: 'test',
    });
    const haarlem = report.rows.find((r) => r.afnemer.oin === DEMO_OIN.haarlem);
    expect(haarlem?.autorisatieIds.length).toBeGreaterThan(0);
    const parties = new Set(haarlem?.acceptedBy.map((a) => a.oin));
    expect(parties).toEqual(new Set([DEMO_OIN.haarlem, DEMO_OIN.rvig]));
    for (const acceptance of haarlem?.acceptedBy ?? []) {
      expect(haarlem?.autorisatieIds).toContain(acceptance.autorisatieId);
      expect(acceptance.signedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(acceptance.name).not.toBe('unknown organisation');
    }
    const [header, ...lines] = coverageRows([{ gateway: 'brp', report }], (oin) => oin);
    const column = header?.indexOf('accepted_by') ?? -1;
    expect(column).toBeGreaterThan(0);
    const line = lines.find((l) => l[0] === 'coverage' && l[3] === DEMO_OIN.haarlem);
    expect(String(line?.[column])).toContain(`(${DEMO_OIN.rvig})`);

    // The CLI's table and the auditor's page: one row per autorisatie, "accepted by X (time), Y (time)".
    const acceptances = acceptancesOf(report).filter((a) => haarlem?.autorisatieIds.includes(a.autorisatie));
    expect(acceptances.length).toBe(haarlem?.autorisatieIds.length);
    for (const a of acceptances) {
      expect(a.acceptedBy).toMatch(/^accepted by (Gemeente Haarlem|Rijksdienst voor Identiteitsgegevens) \(\d{4}-/);
      expect(a.acceptedBy).toContain('Rijksdienst voor Identiteitsgegevens (');
      expect(a.acceptedBy).toContain('Gemeente Haarlem (');
    }
    const page = coveragePage({
      auditor: 'Autoriteit Persoonsgegevens',
      from: '2026-12-01',
      to: '2026-12-07',
      verify: false,
      reports: [{ gateway: 'brp', report }],
      missing: [],
      nameOf: (oin) => oin,
    });
    expect(page).toContain('<h3>Who accepted each autorisatie</h3>');
    expect(page).toContain(`<td>${escapeHtml(acceptances[0]?.acceptedBy ?? '-')}</td>`);

    // Without the trust step (the registry's word alone) nobody is named as having accepted.
    const unverified = await computeCoverage(NO_DATA, snapshot, [], {
      serviceId: 'brp-personen',
      from: now - 86_400_000,
      to: now,
      now,
      heads: [],
      historySource: 'test',
    });
    expect(unverified.rows.flatMap((r) => r.acceptedBy)).toEqual([]);
  });
});
