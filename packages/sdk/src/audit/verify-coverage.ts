import type { DirectorySnapshot, Organisation } from '@poortwachter/protocol';
import { verifyTreeHead } from '@poortwachter/protocol';
import type { JWK } from 'jose';
import { type ProvenEntry, proveEntries } from '../log-verification.ts';
import { coverageFromEntries } from './coverage-from-entries.ts';
import { type CoverageReport, computeCoverage } from './coverage-report.ts';
import type { RegistryHistory } from './registry-history.ts';

/** The auditor's own recomputation of a gateway's report. */
export interface CoverageVerification {
  /** True when every head verified, every entry was proven and the recomputed report is the same. */
  readonly verified: boolean;
  /** Every way the gateway's report differs from the one recomputed, and everything that did not verify. */
  readonly differences: readonly string[];
  /** How many entries (records and refusals) were proven and recomputed from. */
  readonly entries: number;
}

const MAX_LISTED = 100;

/** Every leaf of two JSON values that differs, as `path: gateway … ≠ recomputed …`. */
export function jsonDifferences(gateway: unknown, recomputed: unknown, path = ''): string[] {
  if (JSON.stringify(gateway) === JSON.stringify(recomputed)) return [];
  const bothObjects =
    gateway !== null && recomputed !== null && typeof gateway === 'object' && typeof recomputed === 'object';
  if (!bothObjects || Array.isArray(gateway) !== Array.isArray(recomputed)) {
    return [
      `${path || '(report)'}: the gateway says ${JSON.stringify(gateway)}, recomputed ${JSON.stringify(recomputed)}`,
    ];
  }
  // Lists of names (fields, ids) read best whole; lists of objects by their elements.
  if (
    Array.isArray(gateway) &&
    Array.isArray(recomputed) &&
    [...gateway, ...recomputed].every((v) => typeof v !== 'object' || v === null)
  ) {
    return [`${path}: the gateway says ${JSON.stringify(gateway)}, recomputed ${JSON.stringify(recomputed)}`];
  }
  const a = gateway as Record<string, unknown>;
  const b = recomputed as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return keys.flatMap((key) =>
    jsonDifferences(a[key], b[key], Array.isArray(gateway) ? `${path}[${key}]` : path ? `${path}.${key}` : key),
  );
}

/**
 * Recomputes a gateway's coverage report on the auditor's side, trusting nothing the gateway says
 * but what it signed: each head the report names must verify against the bronhouder's key; every entry
 * up to it is fetched and proven (its leaf recomputed, the tree rebuilt to the signed root, the columns
 * stored beside each record checked); then the same algorithm runs over those proven entries, with
 * the registry history the auditor fetched itself and its own verified directory, and every difference
 * from the gateway's report is listed.
 *
 * @example
 * const check = await verifyCoverageReport(report, { gatewayBase, provider, directory, history, privateKey, fetch });
 * if (!check.verified) console.log(check.differences);
 */
export async function verifyCoverageReport(
  report: CoverageReport,
  options: {
    readonly gatewayBase: string;
    readonly provider: Organisation | undefined;
    readonly directory: DirectorySnapshot;
    readonly history: RegistryHistory;
    readonly privateKey: JWK;
    readonly fetch: typeof fetch;
  },
): Promise<CoverageVerification> {
  const differences: string[] = [];
  const entries: ProvenEntry[] = [];
  if (report.directorySerial !== options.directory.serial) {
    differences.push(
      `the report was computed on directory serial ${report.directorySerial}, the auditor's verified directory is serial ${options.directory.serial}: ask again`,
    );
  }
  for (const head of report.heads ?? []) {
    try {
      const signed = await verifyTreeHead(head.jws, options.provider, head.log_id);
      if (signed.tree_size !== head.tree_size || signed.root_hash !== head.root_hash) {
        differences.push(`head of log ${head.log_id}: the report's size and root are not the ones signed`);
        continue;
      }
      const proven = await proveEntries({
        fetch: options.fetch,
        logUrl: `${options.gatewayBase}/log/v1/${encodeURIComponent(head.log_id)}`,
        head: signed,
        provider: options.provider,
        privateKey: options.privateKey,
      });
      differences.push(...proven.findings);
      entries.push(...proven.entries);
    } catch (error) {
      differences.push(`head of log ${head.log_id} does not verify: ${(error as Error).message}`);
    }
  }
  if (!report.heads || report.heads.length === 0) {
    differences.push('the report names no signed tree head: nothing in it can be verified');
  }
  const from = Date.parse(report.period.from);
  const to = Date.parse(report.period.to);
  const changes = await options.history.changes();
  const recomputed = await computeCoverage(
    coverageFromEntries(entries, { serviceId: report.serviceId, from, to }),
    options.directory,
    changes,
    {
      serviceId: report.serviceId,
      from,
      to,
      now: Date.parse(report.generatedAt),
      heads: report.heads ?? [],
      historySource: report.history.source,
    },
  );
  const { history: _h, ...gatewaySide } = report;
  const { history: _r, ...auditorSide } = recomputed;
  differences.push(...jsonDifferences(gatewaySide, auditorSide));
  if (report.history.changes !== recomputed.history.changes) {
    differences.push(
      `history: the gateway replayed ${report.history.changes} registry changes, the auditor's registry history has ${recomputed.history.changes}`,
    );
  }
  const listed =
    differences.length > MAX_LISTED
      ? [...differences.slice(0, MAX_LISTED), `… and ${differences.length - MAX_LISTED} more`]
      : differences;
  return { verified: differences.length === 0, differences: listed, entries: entries.length };
}
