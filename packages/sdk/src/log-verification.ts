import type { DirectorySnapshot, Organisation, Service } from '@poortwachter/protocol';
import {
  CompactRange,
  fromBase64,
  type TreeHead,
  toBase64,
  verifyTreeHead,
  type WitnessPolicy,
  witnessPolicy,
} from '@poortwachter/protocol';
import type { JWK } from 'jose';
import type { MissingGateway } from './gateway-calls.ts';
import { gatewayFetch, readVerified } from './gateway-calls.ts';
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
import { proveEntries } from './prove-entries.ts';
import { witnessedHeads } from './witnessed-heads.ts';

export {
  logEntryPages,
  type ProvenEntry,
  type PurgedEntry,
  proveEntries,
  type ServedEntry,
} from './prove-entries.ts';

/** The outcome for one log of one gateway. */
export interface LogCheck {
  readonly gateway: string;
  /** The OIN of the provider whose key signs the log's heads: with `logId`, what the log is known by. */
  readonly provider: string;
  readonly logId: string;
  /** The head checked: the newest one the witnesses' quorum cosigned (or the newest signed, without witnesses). */
  readonly head: TreeHead;
  /** The head this auditor had seen before, if any. */
  readonly previous?: KnownHead;
  /** Empty when the log is consistent (and, with `full`, every record matches its leaf). */
  readonly findings: readonly string[];
  /** How many entries were checked (with `full`). */
  readonly entriesChecked: number;
  /** The first entry checked: 0 for a full check, the size proven on an earlier run for an incremental one. */
  readonly checkedFrom?: number;
  /** The witnesses whose cosignatures made the quorum for `head` (when the directory lists witnesses). */
  readonly witnessed?: { readonly cosigners: readonly string[]; readonly quorum: number };
  /** A newer signed head than `head` that the quorum has not cosigned (yet): not checked, not kept, not a finding. */
  readonly notWitnessed?: { readonly tree_size: number; readonly reason: string };
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

/**
 * An auditor's check of every gateway's verifiable log: each newest signed head must verify against
 * the bronhouder's key and be consistent with the heads seen on earlier runs (kept in `heads`, per
 * provider and log id, wherever the log is served now); a smaller tree is a rollback, a different root
 * at the same size or a failing consistency proof a fork or rewrite. When the directory lists
 * witnesses, only a head cosigned by their quorum is checked and kept (see `witnessedHeads`); a newer
 * head without it is reported as not yet witnessed, not as a finding. A log seen before that no gateway
 * of its provider serves any more is a finding; one whose provider's gateway did not answer is a
 * warning (`unchecked`). With `full`, every entry is fetched, each record's and refusal's leaf hash
 * recomputed, the columns stored beside each record checked against it, and the tree rebuilt to the
 * signed root, which finds a record changed, removed or moved, and a column edited behind it; with
 * `incremental` as well, only the entries added since the last run proved them (the tree's edge there
 * is kept with the head). Heads are remembered only when no finding was made, so an alarm repeats
 * until someone looks; a head seen before is never forgotten.
 */
export async function verifyLogs(options: {
  directory: DirectorySnapshot;
  services: readonly Service[];
  privateKey: JWK;
  heads: HeadStore;
  full?: boolean;
  /** With `full`: check only the entries after those proven on an earlier run. */
  incremental?: boolean;
  fetch: typeof fetch;
  onProgress?: (progress: LogVerifyProgress) => void;
}): Promise<LogVerification> {
  const { anchors, next, orphans } = await anchorsOf(await options.heads.load(), options.directory);
  const policy = witnessPolicy(options.directory);
  const logs: LogCheck[] = [];
  const findingsOf = new Map<string, string[]>();
  const missing: MissingGateway[] = [];
  const served = new Map<string, Set<string>>();
  const unanswered = new Map<string, string[]>();
  for (const gateway of gatewaysOf(options.services)) {
    const oin = gateway.providerOin;
    const provider = options.directory.organisations.find((o) => o.oin === oin);
    let rows: HeadsRow[];
    try {
      rows = (await getSigned<{ heads: HeadsRow[] }>(options.fetch, `${gateway.base}/log/v1/heads`, provider)).heads;
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
      const check = await checkLog({ ...options, policy, anchors, gateway, oin, provider, row, findings });
      logs.push(check.log);
      if (check.keep && findings.length === 0) {
        const ofProvider = next.logs[oin] ?? emptyRecord<KnownHead>();
        next.logs[oin] = ofProvider;
        ofProvider[row.log_id] = check.keep;
        for (const anchor of check.before)
          if (anchor.legacyKey !== undefined) delete next.unattributed[anchor.legacyKey];
        // The same log served at another URL of its provider is checked against this head.
        anchors.get(oin)?.set(row.log_id, [{ head: check.keep }]);
      }
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

/** A row of `/log/v1/heads`: the newest signed head of a log, with its checkpoint (cosigned as far as collected). */
interface HeadsRow {
  readonly log_id: string;
  readonly jws: string;
  readonly checkpoint?: string;
}

/** One log of one gateway: its witnessed head, consistency with the heads seen before, and its entries. */
async function checkLog(options: {
  readonly directory: DirectorySnapshot;
  readonly privateKey: JWK;
  readonly full?: boolean;
  readonly incremental?: boolean;
  readonly fetch: typeof fetch;
  readonly onProgress?: (progress: LogVerifyProgress) => void;
  readonly policy: WitnessPolicy;
  readonly anchors: Map<string, Map<string, Anchor[]>>;
  readonly gateway: { readonly url: string; readonly base: string };
  readonly oin: string;
  readonly provider: Organisation | undefined;
  readonly row: HeadsRow;
  readonly findings: string[];
}): Promise<{ log: LogCheck; keep?: KnownHead; before: readonly Anchor[] }> {
  const { gateway, oin, provider, row, findings } = options;
  const base = { gateway: gateway.url, provider: oin, logId: row.log_id };
  let newest: TreeHead;
  try {
    newest = await verifyTreeHead(row.jws, provider, row.log_id);
  } catch (error) {
    findings.push(`the newest head of log ${row.log_id} does not verify: ${(error as Error).message}`);
    const head = { log_id: row.log_id, tree_size: 0, root_hash: '', timestamp: 0 };
    return { log: { ...base, head, findings, entriesChecked: 0 }, before: [] };
  }
  const logUrl = `${gateway.base}/log/v1/${encodeURIComponent(newest.log_id)}`;
  const ofProvider = options.anchors.get(oin) ?? new Map<string, Anchor[]>();
  options.anchors.set(oin, ofProvider);
  const before = ofProvider.get(newest.log_id) ?? [];
  const previous = before[0]?.head;
  const witnessed = await witnessedHeads({
    oin,
    provider,
    policy: options.policy,
    newest,
    jws: row.jws,
    ...(row.checkpoint === undefined ? {} : { checkpoint: row.checkpoint }),
    reader: {
      checkpoint: async () => {
        const res = await gatewayFetch(options.fetch, `${logUrl}/checkpoint`, {}, new URL(logUrl).origin);
        if (res.status === 404) return undefined;
        if (!res.ok) throw new Error(`GET ${logUrl}/checkpoint answered ${res.status}`);
        return res.text();
      },
      headJws: async (size) =>
        (await getSigned<{ jws: string }>(options.fetch, `${logUrl}/heads/${size}`, provider)).jws,
    },
  }).catch((error: unknown) => ({
    finding: `the witnessed head of log ${newest.log_id} could not be read: ${(error as Error).message}`,
    quorum: options.policy.quorum,
  }));
  if ('finding' in witnessed && witnessed.finding) findings.push(witnessed.finding);
  const accepted = 'accepted' in witnessed ? witnessed.accepted : undefined;
  const notWitnessed = 'notWitnessed' in witnessed ? witnessed.notWitnessed : undefined;
  // Every signed head is the log's word: one that does not extend a head seen before is a finding,
  // witnessed or not.
  const proof = async (first: number, second: number) =>
    (
      await getSigned<{ proof: string[] }>(
        options.fetch,
        `${logUrl}/consistency?first=${first}&second=${second}`,
        provider,
      )
    ).proof;
  const checked = [...new Set([accepted?.head, newest].filter((h): h is TreeHead => h !== undefined))];
  for (const head of checked) {
    for (const anchor of before) {
      // A cosigned head older than one kept before (kept before the directory listed witnesses) is
      // no rollback: it must be a prefix of the kept one.
      const finding =
        head !== newest && head.tree_size < anchor.head.tree_size
          ? await checkAgainst(
              { ...anchor.head, tree_size: head.tree_size, root_hash: head.root_hash },
              { ...head, tree_size: anchor.head.tree_size, root_hash: anchor.head.root_hash },
              proof,
            )
          : await checkAgainst(anchor.head, head, proof);
      if (finding) findings.push(finding);
    }
  }
  const witnessing = {
    ...(accepted?.checkpoint
      ? { witnessed: { cosigners: accepted.checkpoint.cosigners.map((c) => c.name), quorum: witnessed.quorum } }
      : {}),
    ...(notWitnessed ? { notWitnessed: { tree_size: notWitnessed.head.tree_size, reason: notWitnessed.reason } } : {}),
  };
  // The bewaartermijn the register gives a version of an activity (each purge is checked against it).
  const termOf = (id: string, version: number) =>
    options.directory.processing_activities.find((a) => a.id === id)?.versions.find((v) => v.version === version)
      ?.bewaartermijn;
  // Witnesses may lag a little, never long: records under heads no quorum vouched for are not checked
  // by the incremental run, so a log left unwitnessed past the grace is a finding, not a wait.
  if (accepted && notWitnessed && newest.timestamp - accepted.head.timestamp > WITNESS_GRACE_MS) {
    findings.push(
      `log ${newest.log_id} is NOT WITNESSED for ${Math.round((newest.timestamp - accepted.head.timestamp) / 60_000)} minutes: its newest signed head ${newest.tree_size} (${new Date(newest.timestamp).toISOString()}) lacks the witnesses' quorum, the newest cosigned one is ${accepted.head.tree_size} (${new Date(accepted.head.timestamp).toISOString()}).`,
    );
  }
  // No head of the log has the quorum (yet, or ever): its records are still checked against the newest
  // signed head, the log's own word, so that a log kept from the witnesses is not kept from the audit
  // too; nothing is kept as an anchor until a head is witnessed.
  if (!accepted && notWitnessed && options.full) {
    const proven = await proveEntries({
      fetch: options.fetch,
      logUrl,
      head: newest,
      provider,
      privateKey: options.privateKey,
      keep: false,
      termOf,
    });
    findings.push(...proven.findings);
    return {
      log: {
        ...base,
        head: newest,
        ...(previous ? { previous } : {}),
        findings,
        entriesChecked: newest.tree_size,
        checkedFrom: 0,
        ...(proven.purged > 0 ? { purged: proven.purged } : {}),
        notWitnessed: witnessing.notWitnessed ?? { tree_size: newest.tree_size, reason: notWitnessed.reason },
      },
      before,
    };
  }
  // Nothing witnessed beyond the head kept before: nothing new to check or keep.
  if (!accepted || (previous && accepted.head.tree_size < previous.tree_size)) {
    return {
      log: {
        ...base,
        head: newest,
        ...(previous ? { previous } : {}),
        findings,
        entriesChecked: 0,
        ...(witnessing.notWitnessed ? { notWitnessed: witnessing.notWitnessed } : {}),
      },
      before,
    };
  }
  const { head } = accepted;
  let entries = previous?.entries;
  let checkedFrom: number | undefined;
  let entriesChecked = 0;
  let purged = 0;
  if (options.full) {
    // After a finding the whole log is checked again: the edge kept may be of a history that is gone.
    const from = options.incremental && findings.length === 0 ? edgeOf(previous, head) : undefined;
    const proven = await proveEntries({
      fetch: options.fetch,
      logUrl,
      head,
      provider,
      privateKey: options.privateKey,
      keep: false,
      ...(from ? { from } : {}),
      termOf,
      onProgress: (done) =>
        options.onProgress?.({ gateway: gateway.url, logId: head.log_id, done, total: head.tree_size }),
    });
    findings.push(...proven.findings);
    checkedFrom = from?.size ?? 0;
    entriesChecked = head.tree_size - checkedFrom;
    purged = proven.purged;
    entries = { size: proven.range.size, edge: proven.range.edge.map((e) => toBase64(e.hash)) };
  }
  const { tree_size, root_hash, timestamp } = head;
  const keep: KnownHead = {
    tree_size,
    root_hash,
    timestamp,
    jws: accepted.jws,
    seenAt: new Date().toISOString(),
    gateway: gateway.url,
    ...(accepted.checkpoint ? { checkpoint: accepted.checkpoint.note } : {}),
    ...(entries && entries.size <= tree_size ? { entries } : {}),
  };
  return {
    log: {
      ...base,
      head,
      ...(previous ? { previous } : {}),
      findings,
      entriesChecked,
      ...(checkedFrom === undefined ? {} : { checkedFrom }),
      ...(purged > 0 ? { purged } : {}),
      ...witnessing,
    },
    keep,
    before,
  };
}

/** How long a log's newest signed head may wait for the witnesses' quorum before the auditor reports it. */
export const WITNESS_GRACE_MS = 15 * 60_000;

/**
 * The tree's edge where an earlier run proved the entries, to go on from: only when it folds to the
 * root kept for that size (the anchor's) or lies below it, and not beyond the head to check.
 */
function edgeOf(previous: KnownHead | undefined, head: TreeHead): CompactRange | undefined {
  const proven = previous?.entries;
  // An edge past the kept head was proven under no head this file keeps (only an edited file holds one).
  if (!previous || !proven || proven.size > head.tree_size || proven.size > previous.tree_size) return undefined;
  const sizes = [...proven.size.toString(2)].flatMap((bit, i, bits) => (bit === '1' ? [bits.length - 1 - i] : []));
  const range = new CompactRange(
    proven.size,
    proven.edge.map((hash, i) => ({ level: sizes[i] ?? 0, hash: fromBase64(hash) })),
  );
  if (proven.size === previous.tree_size && toBase64(range.root()) !== previous.root_hash) return undefined;
  return range;
}
