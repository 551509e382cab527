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
  verifyTreeHead,
} from '@poortwachter/protocol';
import type { JWK } from 'jose';
import type { MissingGateway } from './gateway-calls.ts';
import { gatewayFetch, readVerified, signedGatewayCall } from './gateway-calls.ts';
import {
  type Anchor,
  anchorsOf,
  checkAgainst,
  describeHead,
  gatewaysOf,
  type LogNotChecked,
  notServed,
} from './log-anchors.ts';
import type { HeadStore } from './merkle/head-store.ts';
import { emptyRecord, type KnownHead } from './merkle/heads-file.ts';

/** The outcome for one log of one gateway. */
export interface LogCheck {
  readonly gateway: string;
  /** The OIN of the provider whose key signs the log's heads: with `logId`, what the log is known by. */
  readonly provider: string;
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
  /**
   * Findings: logs seen before that no gateway of their provider serves any more, while every one of
   * them answered (a gateway serves every log its database holds, also those of instances or workers
   * that no longer run), and heads on file that can be tied to no provider.
   */
  readonly vanished: readonly LogNotChecked[];
  /**
   * Warnings: logs seen before that could not be asked for, because a gateway of their provider did not
   * answer (it is in `missing`) or the directory lists no service of their provider any more. Their
   * heads are kept, to check them against on a later run.
   */
  readonly unchecked: readonly LogNotChecked[];
  readonly consistent: boolean;
}

export interface LogVerifyProgress {
  readonly gateway: string;
  readonly logId: string;
  readonly done: number;
  readonly total: number;
}

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
 * the bronhouder's key and be consistent with the heads seen on earlier runs (kept in `heads`, per
 * provider and log id, wherever the log is served now); a smaller tree is a rollback, a different root
 * at the same size or a failing consistency proof a fork or rewrite. A log seen before that no gateway
 * of its provider serves any more is a finding; one whose provider's gateway did not answer is a
 * warning (`unchecked`). With `full`, every entry is fetched, each record's and refusal's leaf hash
 * recomputed, the columns stored beside each record checked against it, and the tree rebuilt to the
 * signed root, which finds a record changed, removed or moved, and a column edited behind it. Heads are
 * remembered only when no finding was made, so an alarm repeats until someone looks; a head seen
 * before is never forgotten.
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
  const { anchors, next, orphans } = await anchorsOf(await options.heads.load(), options.directory);
  const logs: LogCheck[] = [];
  const findingsOf = new Map<string, string[]>();
  const missing: MissingGateway[] = [];
  const served = new Map<string, Set<string>>();
  const unanswered = new Map<string, string[]>();
  for (const gateway of gatewaysOf(options.services)) {
    const oin = gateway.providerOin;
    const provider = options.directory.organisations.find((o) => o.oin === oin);
    let rows: { log_id: string; jws: string }[];
    try {
      rows = (
        await getSigned<{ heads: { log_id: string; jws: string }[] }>(
          options.fetch,
          `${gateway.base}/log/v1/heads`,
          provider,
        )
      ).heads;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      for (const service of gateway.services)
        missing.push({ service: service.id, gateway: service.gatewayUrl, reason });
      unanswered.set(oin, [...(unanswered.get(oin) ?? []), gateway.url]);
      continue;
    }
    const servedHere = served.get(oin) ?? new Set<string>();
    served.set(oin, servedHere);
    for (const row of rows) {
      servedHere.add(row.log_id);
      const findings: string[] = [];
      findingsOf.set(`${oin} ${row.log_id}`, findings);
      let head: TreeHead;
      try {
        head = await verifyTreeHead(row.jws, provider, row.log_id);
      } catch (error) {
        findings.push(`the newest head of log ${row.log_id} does not verify: ${(error as Error).message}`);
        logs.push({
          gateway: gateway.url,
          provider: oin,
          logId: row.log_id,
          head: { log_id: row.log_id, tree_size: 0, root_hash: '', timestamp: 0 },
          findings,
          entriesChecked: 0,
        });
        continue;
      }
      const logUrl = `${gateway.base}/log/v1/${encodeURIComponent(head.log_id)}`;
      const ofProvider = anchors.get(oin) ?? new Map<string, Anchor[]>();
      anchors.set(oin, ofProvider);
      const before = ofProvider.get(head.log_id) ?? [];
      for (const anchor of before) {
        const finding = await checkAgainst(anchor.head, head, async (first, second) => {
          const url = `${logUrl}/consistency?first=${first}&second=${second}`;
          return (await getSigned<{ proof: string[] }>(options.fetch, url, provider)).proof;
        });
        if (finding) findings.push(finding);
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
            options.onProgress?.({ gateway: gateway.url, logId: head.log_id, done, total: head.tree_size }),
        });
        findings.push(...proven.findings);
        checked = head.tree_size;
        purgedCount = proven.purged;
      }
      if (findings.length === 0) {
        const { tree_size, root_hash, timestamp } = head;
        const kept = {
          tree_size,
          root_hash,
          timestamp,
          jws: row.jws,
          seenAt: new Date().toISOString(),
          gateway: gateway.url,
        };
        const ofProviderNext = next.logs[oin] ?? emptyRecord<KnownHead>();
        next.logs[oin] = ofProviderNext;
        ofProviderNext[head.log_id] = kept;
        for (const anchor of before) if (anchor.legacyKey !== undefined) delete next.unattributed[anchor.legacyKey];
        // The same log served at another URL of its provider is checked against this head.
        ofProvider.set(head.log_id, [{ head: kept }]);
      }
      const previous = before[0]?.head;
      logs.push({
        gateway: gateway.url,
        provider: oin,
        logId: head.log_id,
        head,
        ...(previous ? { previous } : {}),
        findings,
        entriesChecked: checked,
        ...(purgedCount > 0 ? { purged: purgedCount } : {}),
      });
    }
  }
  const { vanished, unchecked } = notServed(options, anchors, served, unanswered, orphans);
  for (const conflict of await options.heads.save(next)) {
    const finding =
      `FORK of log ${conflict.logId}: another run saved a head of the same size ${conflict.kept.tree_size} with ` +
      `another root (${describeHead(conflict.kept)}) than this run's (${describeHead(conflict.other)}); the head saved first is kept.`;
    const findings = findingsOf.get(`${conflict.provider} ${conflict.logId}`);
    if (findings) findings.push(finding);
    else
      vanished.push({ provider: conflict.provider, logId: conflict.logId, previous: conflict.kept, reason: finding });
  }
  return {
    logs,
    missing,
    vanished,
    unchecked,
    consistent: missing.length === 0 && vanished.length === 0 && logs.every((l) => l.findings.length === 0),
  };
}
