import { type CsvCell, toCsv } from '@poortwachter/protocol';
import type { CoverageReport } from '../auditor-client.ts';

/** The coverage report's exports, the same from `poortwachter audit coverage --format csv` and the auditor's page. */

export function rowsOf(report: CoverageReport) {
  return report.rows.map((r) => ({
    afnemer: r.afnemer.name,
    oin: r.afnemer.oin,
    activity: r.processingActivity.name,
    accesses: r.accesses,
    subjects: r.dataSubjects,
    used: `${r.fieldsUsed.length}/${r.fieldsAuthorised.length}`,
    unused: r.fieldsUnused.length,
    refusals: Object.entries(r.refusals)
      .map(([code, n]) => `${code} ${n}`)
      .join(', '),
    // Missing from a report of a gateway before issue 28.
    accepted: (r.acceptedBy ?? []).map((a) => `${a.name} (${a.oin}) ${a.signedAt}`).join('; '),
  }));
}

/**
 * Who accepted each autorisatie (contract) of the report and when, one row per autorisatie: only the
 * acceptances whose signatures the auditor verified itself (the trust step). What the CLI's table and
 * the auditor's page show, in the same words.
 */
export function acceptancesOf(report: CoverageReport) {
  return report.rows.flatMap((r) =>
    r.autorisatieIds.map((id) => {
      // Missing from a report of a gateway before issue 28.
      const own = (r.acceptedBy ?? []).filter((a) => a.autorisatieId === id);
      return {
        autorisatie: id,
        afnemer: r.afnemer.name,
        activity: r.processingActivity.name,
        acceptedBy:
          own.length === 0
            ? 'no verified acceptance'
            : `accepted by ${own.map((a) => `${a.name} (${a.signedAt})`).join(', ')}`,
      };
    }),
  );
}

/** Every finding of a report as rows, each naming its kind, afnemer (name and OIN) and what it is about. */
export function findingsOf(report: CoverageReport, nameOf: (oin: string) => string) {
  return [
    ...report.invalidAccesses.map((a) => ({
      kind: 'invalid_access',
      afnemer: nameOf(a.afnemerOin),
      oin: a.afnemerOin,
      activity: '',
      item: a.id,
      at: a.at,
      detail: `version ${a.processingActivityVersion}: ${a.reasons.join('; ')}`,
    })),
    ...report.rows
      .filter((r) => r.accesses > 0 && r.fieldsUnused.length > 0)
      .map((r) => ({
        kind: 'unused_fields',
        afnemer: r.afnemer.name,
        oin: r.afnemer.oin,
        activity: r.processingActivity.name,
        item: '',
        at: '',
        detail: r.fieldsUnused.join(' '),
      })),
    ...report.expiringAutorisaties.map((a) => ({
      kind: 'expiring_autorisatie',
      afnemer: nameOf(a.afnemerOin),
      oin: a.afnemerOin,
      activity: '',
      item: a.id,
      at: a.validTo ?? '',
      detail: `${a.daysLeft} days left`,
    })),
    ...report.dormantAutorisaties.map((a) => ({
      kind: 'dormant_autorisatie',
      afnemer: nameOf(a.afnemerOin),
      oin: a.afnemerOin,
      activity: a.processingActivityId,
      item: a.id,
      at: '',
      detail: 'no access in the period',
    })),
  ];
}

/**
 * The reports as one table, its header first: a row per afnemer × verwerkingsactiviteit (kind
 * `coverage`), then every finding (invalid access, unused fields, expiring and dormant autorisaties),
 * each with its gateway.
 */
export function coverageRows(
  reports: readonly { readonly gateway: string; readonly report: CoverageReport }[],
  nameOf: (oin: string) => string,
): CsvCell[][] {
  // One table: a row per afnemer × verwerkingsactiviteit (kind coverage), then every finding.
  const header = [
    'kind',
    'gateway',
    'afnemer',
    'oin',
    'processing_activity',
    'accesses',
    'data_subjects',
    'fields_used_of_authorised',
    'unused_fields',
    'refusals',
    'accepted_by',
    'item',
    'at',
    'detail',
  ];
  const lines = reports.flatMap(({ gateway, report }) => [
    ...rowsOf(report).map((r) => [
      'coverage',
      gateway,
      r.afnemer,
      r.oin,
      r.activity,
      r.accesses,
      r.subjects,
      r.used,
      r.unused,
      r.refusals,
      r.accepted,
      '',
      '',
      '',
    ]),
    ...findingsOf(report, nameOf).map((f) => [
      f.kind,
      gateway,
      f.afnemer,
      f.oin,
      f.activity,
      '',
      '',
      '',
      '',
      '',
      '',
      f.item,
      f.at,
      f.detail,
    ]),
  ]);
  return [header, ...lines];
}

/**
 * The reports as CSV (`coverageRows`). Names come from the registry, so a name a spreadsheet would run
 * as a formula is neutralised (`toCsv`).
 */
export const coverageCsv = (
  reports: readonly { readonly gateway: string; readonly report: CoverageReport }[],
  nameOf: (oin: string) => string,
): string => toCsv(coverageRows(reports, nameOf));
