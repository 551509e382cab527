import type { DirectorySnapshot, Organisation, Service } from '@poortwachter/protocol';
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
  verifyConsistency,
  verifyTreeHead,
} from '@poortwachter/protocol';
import type { JWK } from 'jose';
import type { MissingGateway } from './citizen-client.ts';
import { gatewayBase, gatewayFetch, providerOf, readVerified, signedGatewayCall } from './gateway-calls.ts';
import type { HeadStore, KnownHead } from './merkle/head-store.ts';

/** The outcome for one log of one gateway. */
export interface LogCheck {
  readonly gateway: string;
  readonly logId: string;
  /** The newest head, its signature verified. */
  readonly head: TreeHead;
  /** The head this auditor had seen before, if any. */
  readonly previous?: KnownHead;
  /** Empty when the log is consistent (and, with `full`, every record matches its leaf). */
  readonly findings: readonly string[];
  /** How many entries were checked (with `full`). */
  readonly entriesChecked: number;
  /** How many of those were removed by the retention purge (their leaf kept, their content gone). */
  readonly purged?: number;
}

export interface LogVerification {
  readonly logs: readonly LogCheck[];
  readonly missing: readonly MissingGateway[];
  readonly consistent: boolean;
}

export interface LogVerifyProgress {
  readonly gateway: string;
  readonly logId: string;
  readonly done: number;
  readonly total: number;
}

const headKey = (gateway: string, logId: string) => `${gateway} ${logId}`;
const shortRoot = (root: string) => `${root.slice(0, 12)}…`;

async function getSigned<T>(fetchImpl: typeof fetch, url: string, provider: Organisation | undefined): Promise<T> {
  const res = await gatewayFetch(fetchImpl, url, { headers: { accept: 'application/json' } }, new URL(url).origin);
  return readVerified<T>(res, provider);
}

/** An entry as a gateway serves it to auditors: the leaf, what it holds, and the columns stored beside it. */
interface ServedEntry {
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

/** An entry whose leaf hash was recomputed from what it holds, in a tree rebuilt to a signed root. */
export type ProvenEntry =
  | { readonly index: number; readonly id: string; readonly record: unknown }
  | { readonly index: number; readonly id: string; readonly refusal: LoggedRefusal };

/**
 * Fetches every entry of one log up to a signed head, recomputes each leaf from what the entry holds,
 * checks the columns stored beside each record against the record (a report reads those columns),
 * and rebuilds the tree to the head's root. Returns the entries that are proven and what was wrong.
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
}): Promise<{ entries: ProvenEntry[]; findings: string[]; purged: number }> {
  const { head } = options;
  const findings: string[] = [];
  const entries: ProvenEntry[] = [];
  let purged = 0;
  const range = new CompactRange();
  for (let start = 0; start < head.tree_size; ) {
    const end = Math.min(head.tree_size, start + 1000);
    const { body } = await signedGatewayCall<{ entries: ServedEntry[] }>(
      options.fetch,
      { url: `${options.logUrl}/entries?start=${start}&end=${end}`, method: 'GET' },
      options.privateKey,
      options.provider,
    );
    if (body.entries.length === 0) {
      findings.push(`log ${head.log_id} serves no entries from ${start} on, but its head has ${head.tree_size}.`);
      break;
    }
    for (const entry of body.entries) {
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
        } else {
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
    start = (body.entries.at(-1)?.index ?? start) + 1;
    options.onProgress?.(range.size);
  }
  if (range.size === head.tree_size && toBase64(range.root()) !== head.root_hash) {
    findings.push(
      `the records of log ${head.log_id} do not lead to its signed root for size ${head.tree_size}: records were changed, removed, inserted or reordered.`,
    );
  }
  return { entries, findings, purged };
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

/**
 * An auditor's check of every gateway's verifiable log: each newest signed head must verify against
 * the bronhouder's key and be consistent with the head seen on the previous run (kept in `heads`);
 * a smaller tree is a rollback, a different root at the same size or a failing consistency proof a
 * fork or rewrite. With `full`, every entry is fetched, each record's and refusal's leaf hash
 * recomputed, the columns stored beside each record checked against it, and the tree rebuilt to the
 * signed root, which finds a record changed, removed or moved, and a column edited behind it. Heads are
 * remembered only when no finding was made, so an alarm repeats until someone looks.
 */
export async function verifyLogs(options: {
  directory: DirectorySnapshot;
  services: readonly Service[];
  privateKey: JWK;
  heads: HeadStore;
  full?: boolean;
  fetch: typeof fetch;
  onProgress?: (progress: LogVerifyProgress) => void;
}): Promise<LogVerification> {
  const known = await options.heads.load();
  const next: Record<string, KnownHead> = { ...known };
  const logs: LogCheck[] = [];
  const missing: MissingGateway[] = [];
  for (const service of options.services) {
    const base = gatewayBase(service);
    const provider = providerOf(options.directory, service);
    let rows: { log_id: string; jws: string }[];
    try {
      rows = (
        await getSigned<{ heads: { log_id: string; jws: string }[] }>(options.fetch, `${base}/log/v1/heads`, provider)
      ).heads;
    } catch (error) {
      missing.push({
        service: service.id,
        gateway: service.gatewayUrl,
        reason: error instanceof Error ? error.message : String(error),
      });
      continue;
    }
    for (const row of rows) {
      const findings: string[] = [];
      let head: TreeHead;
      try {
        head = await verifyTreeHead(row.jws, provider, row.log_id);
      } catch (error) {
        logs.push({
          gateway: service.gatewayUrl,
          logId: row.log_id,
          head: { log_id: row.log_id, tree_size: 0, root_hash: '', timestamp: 0 },
          findings: [`the newest head of log ${row.log_id} does not verify: ${(error as Error).message}`],
          entriesChecked: 0,
        });
        continue;
      }
      const key = headKey(service.gatewayUrl, head.log_id);
      const previous = known[key];
      const logUrl = `${base}/log/v1/${encodeURIComponent(head.log_id)}`;
      if (previous) {
        const was = `size ${previous.tree_size} (root ${shortRoot(previous.root_hash)}, seen ${previous.seenAt})`;
        const now = `size ${head.tree_size} (root ${shortRoot(head.root_hash)})`;
        if (head.tree_size < previous.tree_size) {
          findings.push(`ROLLBACK of log ${head.log_id}: it now signs ${now}, but signed ${was} before.`);
        } else if (previous.tree_size > 0) {
          // A log seen empty has nothing to be consistent with: every tree extends the empty one.
          try {
            if (head.tree_size === previous.tree_size) {
              verifyConsistency(
                previous.tree_size,
                head.tree_size,
                [],
                Buffer.from(previous.root_hash, 'base64'),
                Buffer.from(head.root_hash, 'base64'),
              );
            } else {
              const { proof } = await getSigned<{ proof: string[] }>(
                options.fetch,
                `${logUrl}/consistency?first=${previous.tree_size}&second=${head.tree_size}`,
                provider,
              );
              verifyConsistency(
                previous.tree_size,
                head.tree_size,
                proof.map((p) => Buffer.from(p, 'base64')),
                Buffer.from(previous.root_hash, 'base64'),
                Buffer.from(head.root_hash, 'base64'),
              );
            }
          } catch (error) {
            const reason = error instanceof Error ? error.message : String(error);
            findings.push(
              `FORK or REWRITE of log ${head.log_id}: the head of ${was} is not a prefix of the head of ${now}: ${reason}`,
            );
          }
        }
      }
      let checked = 0;
      let purgedCount = 0;
      if (options.full) {
        const proven = await proveEntries({
          fetch: options.fetch,
          logUrl,
          head,
          provider,
          privateKey: options.privateKey,
          termOf: (id, version) =>
            options.directory.processing_activities
              .find((a) => a.id === id)
              ?.versions.find((v) => v.version === version)?.bewaartermijn,
          onProgress: (done) =>
            options.onProgress?.({ gateway: service.gatewayUrl, logId: head.log_id, done, total: head.tree_size }),
        });
        findings.push(...proven.findings);
        checked = head.tree_size;
        purgedCount = proven.purged;
      }
      if (findings.length === 0) next[key] = { ...head, jws: row.jws, seenAt: new Date().toISOString() };
      logs.push({
        gateway: service.gatewayUrl,
        logId: head.log_id,
        head,
        ...(previous ? { previous } : {}),
        findings,
        entriesChecked: checked,
        ...(purgedCount > 0 ? { purged: purgedCount } : {}),
      });
    }
  }
  await options.heads.save(next);
  return { logs, missing, consistent: missing.length === 0 && logs.every((l) => l.findings.length === 0) };
}
