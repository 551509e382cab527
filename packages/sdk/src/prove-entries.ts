import type { Organisation } from '@poortwachter/protocol';
import {
  CompactRange,
  columnDifferences,
  equalBytes,
  fromBase64,
  type LoggedRefusal,
  logLeafHash,
  retentionCutoff,
  type TreeHead,
  toBase64,
} from '@poortwachter/protocol';
import type { JWK } from 'jose';
import { signedGatewayCall } from './gateway-calls.ts';

/** An entry as a gateway serves it to auditors: the leaf, what it holds, and the columns stored beside it. */
export interface ServedEntry {
  readonly index: number;
  readonly id: string;
  readonly leaf_hash: string;
  readonly record?: unknown;
  readonly refusal?: LoggedRefusal;
  readonly columns?: Readonly<Record<string, unknown>>;
  /** Set when the record was removed because its bewaartermijn passed. */
  readonly purged?: PurgedEntry;
  /** On PostgreSQL: whether the subject's months (what the citizen's timeline reads first) hold this record's. */
  readonly in_subject_months?: boolean;
}

/** What stays of a record the retention purge removed: when, why, and what its term was based on. */
export interface PurgedEntry {
  readonly reason: 'bewaartermijn';
  /** When it was purged (ISO 8601). */
  readonly at: string;
  readonly bewaartermijn: string;
  /** The record's start time (ms), as the gateway kept it. */
  readonly start_time: number;
  readonly processing_activity_id: string;
  readonly processing_activity_version: number;
}

/**
 * The entries of a log from `start` to `end` as its gateway serves them to auditors (signed requests,
 * verified answers), a page of at most 1000 at a time; a page of none ends it. What `proveEntries`
 * checks; alone, the floor of that check (bench/audit-bench.ts).
 *
 * @example
 * for await (const page of logEntryPages({ fetch, logUrl, provider, privateKey, start: 0, end: 5000 })) count += page.entries.length;
 */
export async function* logEntryPages(options: {
  readonly fetch: typeof fetch;
  readonly logUrl: string;
  readonly provider: Organisation | undefined;
  readonly privateKey: JWK;
  readonly start: number;
  readonly end: number;
}): AsyncGenerator<{ readonly start: number; readonly entries: readonly ServedEntry[] }> {
  for (let start = options.start; start < options.end; ) {
    const end = Math.min(options.end, start + 1000);
    const { body } = await signedGatewayCall<{ entries: ServedEntry[] }>(
      options.fetch,
      { url: `${options.logUrl}/entries?start=${start}&end=${end}`, method: 'GET' },
      options.privateKey,
      options.provider,
    );
    yield { start, entries: body.entries };
    if (body.entries.length === 0) return;
    start = (body.entries.at(-1)?.index ?? start) + 1;
  }
}

/** An entry whose leaf hash was recomputed from what it holds, in a tree rebuilt to a signed root. */
export type ProvenEntry =
  | { readonly index: number; readonly id: string; readonly record: unknown }
  | { readonly index: number; readonly id: string; readonly refusal: LoggedRefusal };

/**
 * Fetches every entry of one log up to a signed head, recomputes each leaf from what the entry holds,
 * checks the columns stored beside each record against the record (a report reads those columns),
 * and rebuilds the tree to the head's root. Returns the entries that are proven, what was wrong, and
 * the tree's right edge at the head (`range`). With `from` (the edge of a size proven before) only
 * the entries after it are fetched and appended to it: the head's root then proves those entries and
 * that the tree proven before is its prefix.
 */
export async function proveEntries(options: {
  readonly fetch: typeof fetch;
  readonly logUrl: string;
  readonly head: TreeHead;
  readonly provider: Organisation | undefined;
  readonly privateKey: JWK;
  readonly onProgress?: (done: number) => void;
  /** The bewaartermijn the register gives a version of a processing activity (to check each purge). */
  readonly termOf?: (activityId: string, version: number) => string | undefined;
  /** The tree's edge at a size proven before (at most the head's): only the entries after it are checked. */
  readonly from?: CompactRange;
  /** Whether to return the proven entries (default true; a check of millions of entries keeps none). */
  readonly keep?: boolean;
}): Promise<{ entries: ProvenEntry[]; findings: string[]; purged: number; range: CompactRange }> {
  const { head } = options;
  const keep = options.keep ?? true;
  const findings: string[] = [];
  const entries: ProvenEntry[] = [];
  let purged = 0;
  const range = options.from?.clone() ?? new CompactRange();
  for await (const page of logEntryPages({ ...options, start: range.size, end: head.tree_size })) {
    if (page.entries.length === 0) {
      findings.push(`log ${head.log_id} serves no entries from ${page.start} on, but its head has ${head.tree_size}.`);
      break;
    }
    for (const entry of page.entries) {
      if (entry.index !== range.size) {
        findings.push(`log ${head.log_id}: leaf ${range.size} is missing (the next one served is ${entry.index}).`);
      }
      let leaf: Uint8Array = fromBase64(entry.leaf_hash);
      const what = `${entry.refusal ? 'refusal' : 'record'} ${entry.id} (leaf ${entry.index})`;
      if (entry.purged && entry.refusal === undefined && (entry.record === null || entry.record === undefined)) {
        // Its leaf hash is taken as served (the content that made it is gone); the tree is still rebuilt
        // from it, so every other record still proves. The purge itself must be justified.
        purged++;
        findings.push(...purgeFindings(entry.id, entry.index, entry.purged, options.termOf));
      } else if (entry.refusal === undefined && (entry.record === null || entry.record === undefined)) {
        findings.push(`record ${entry.id} (leaf ${entry.index}) is MISSING from the log's records.`);
      } else {
        const held = entry.refusal
          ? { id: entry.id, refusal: entry.refusal }
          : { id: entry.id, record: entry.record as unknown };
        const recomputed = logLeafHash(held);
        if (!equalBytes(recomputed, leaf)) {
          findings.push(`${what} was CHANGED after it was logged: its hash no longer matches its leaf.`);
        } else if (keep) {
          entries.push({ index: entry.index, ...held });
        }
        leaf = recomputed;
        const columns = entry.columns ?? {};
        const edited = [
          ...(entry.refusal ? [] : columnDifferences(entry.record, columns)),
          ...(columns.log_id === head.log_id ? [] : [`log_id: ${JSON.stringify(columns.log_id)} ≠ "${head.log_id}"`]),
          ...(Number(columns.leaf_index) === entry.index && columns.leaf_index !== null
            ? []
            : [`leaf_index: ${JSON.stringify(columns.leaf_index)} ≠ ${entry.index}`]),
        ];
        if (edited.length > 0) {
          findings.push(
            `${what}: a column that reports read was EDITED behind the logged record (${edited.join('; ')}).`,
          );
        }
        if (entry.in_subject_months === false) {
          findings.push(
            `${what} is HIDDEN from the citizen's timeline: its subject's month is missing from access_log_subject_months.`,
          );
        }
      }
      range.append(leaf);
    }
    options.onProgress?.(range.size);
  }
  if (range.size === head.tree_size && toBase64(range.root()) !== head.root_hash) {
    findings.push(
      `the records of log ${head.log_id} do not lead to its signed root for size ${head.tree_size}: records were changed, removed, inserted or reordered.`,
    );
  }
  return { entries, findings, purged, range };
}

/** What is wrong with a purge: a term other than the register's, or a record removed before its term ended. */
function purgeFindings(
  id: string,
  index: number,
  purged: PurgedEntry,
  termOf: ((activityId: string, version: number) => string | undefined) | undefined,
): string[] {
  const what = `record ${id} (leaf ${index})`;
  const registered = termOf?.(purged.processing_activity_id, purged.processing_activity_version);
  if (termOf && registered === undefined) {
    return [
      `${what} was PURGED under ${purged.processing_activity_id} v${purged.processing_activity_version}, which the register does not know.`,
    ];
  }
  const term = registered ?? purged.bewaartermijn;
  if (registered !== undefined && registered !== purged.bewaartermijn) {
    return [`${what} was PURGED under a bewaartermijn of ${purged.bewaartermijn}; the register gives ${registered}.`];
  }
  const cutoff = retentionCutoff(Date.parse(purged.at), term);
  if (cutoff === undefined || !(purged.start_time < cutoff)) {
    return [
      `${what} was PURGED on ${purged.at}, BEFORE its bewaartermijn of ${term} had passed (it started ${new Date(purged.start_time).toISOString()}).`,
    ];
  }
  return [];
}
