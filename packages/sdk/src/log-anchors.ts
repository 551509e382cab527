import type { DirectorySnapshot, Service, TreeHead } from '@poortwachter/protocol';
import { verifyConsistency } from '@poortwachter/protocol';
import { compactVerify, decodeProtectedHeader, importJWK } from 'jose';
import { gatewayBase } from './gateway-calls.ts';
import { emptyRecord, type KnownHead, type SeenHeads } from './merkle/heads-file.ts';

/** A head a log's newest head must extend: the one kept for the log, or one of the first heads-file format. */
export interface Anchor {
  readonly head: KnownHead;
  /** Its key in `unattributed` while it is a head of the first format not yet replaced by a newer one. */
  readonly legacyKey?: string;
}

/** The anchors of every log seen before, per provider OIN and log id. */
export type Anchors = Map<string, Map<string, Anchor[]>>;

const shortRoot = (root: string) => `${root.slice(0, 12)}…`;

/** A log seen before that this run did not check. */
export interface LogNotChecked {
  /** The provider's OIN; absent for a head of the first heads-file format that is tied to no provider. */
  readonly provider?: string;
  readonly logId: string;
  /** The newest head seen of it. */
  readonly previous: KnownHead;
  /** Why, in a sentence. */
  readonly reason: string;
}

/** How a head seen before is named in a finding: its size, root, when and where it was seen. */
export const describeHead = (head: KnownHead) =>
  `size ${head.tree_size} (root ${shortRoot(head.root_hash)}, seen ${head.seenAt}${head.gateway ? ` at ${head.gateway}` : ''})`;

/**
 * The anchors of the heads seen before, and the heads to save from: every head of the first format
 * (keyed by gateway URL) is given to the log it is of, known by the provider whose key signed it (any
 * of its keys in the directory, also a revoked one) and the `log_id` it signed, or, where the signature
 * names no key the directory knows, by the provider of a service the directory still lists at that URL.
 * It becomes the log's kept head when the log has none; otherwise it stays (kept in `unattributed`) as
 * one more anchor, until a newest head consistent with all of them replaces them. What can be given to
 * no log stays unattributed (an orphan).
 */
export async function anchorsOf(
  seen: SeenHeads,
  directory: DirectorySnapshot,
): Promise<{
  anchors: Anchors;
  /** The heads to save from: `seen`, with every head of the first format that could be given to a log moved there. */
  next: { logs: Record<string, Record<string, KnownHead>>; unattributed: Record<string, KnownHead> };
  /** The heads of the first format that could be given to no log, by their key. */
  orphans: { key: string; head: KnownHead }[];
}> {
  const logs = emptyRecord<Record<string, KnownHead>>();
  for (const [provider, ofProvider] of Object.entries(seen.logs))
    logs[provider] = Object.assign(emptyRecord(), ofProvider);
  const unattributed = Object.assign(emptyRecord<KnownHead>(), seen.unattributed);
  const anchors: Anchors = new Map();
  const orphans: { key: string; head: KnownHead }[] = [];
  const add = (provider: string, logId: string, anchor: Anchor) => {
    const ofProvider = anchors.get(provider) ?? new Map<string, Anchor[]>();
    anchors.set(provider, ofProvider);
    ofProvider.set(logId, [...(ofProvider.get(logId) ?? []), anchor]);
  };
  for (const [provider, ofProvider] of Object.entries(logs)) {
    for (const [logId, head] of Object.entries(ofProvider)) add(provider, logId, { head });
  }
  // The largest first: it becomes the kept head where a log has none.
  const legacy = Object.entries(seen.unattributed).sort(([, a], [, b]) => b.tree_size - a.tree_size);
  for (const [key, head] of legacy) {
    const log = (await signedBy(head.jws, directory)) ?? servedAt(key, directory);
    if (!log) {
      orphans.push({ key, head });
      continue;
    }
    const url = key.slice(0, key.indexOf(' '));
    const migrated = { ...head, ...(head.gateway || !url ? {} : { gateway: url }) };
    const ofProvider = logs[log.provider] ?? emptyRecord<KnownHead>();
    logs[log.provider] = ofProvider;
    if (ofProvider[log.logId] === undefined) {
      ofProvider[log.logId] = migrated;
      delete unattributed[key];
      add(log.provider, log.logId, { head: migrated });
    } else {
      add(log.provider, log.logId, { head: migrated, legacyKey: key });
    }
  }
  return { anchors, next: { logs, unattributed }, orphans };
}

/** The provider whose directory key signed a tree head, and the log it names; undefined when none did. */
async function signedBy(jws: string, directory: DirectorySnapshot) {
  let kid: unknown;
  let alg: unknown;
  try {
    ({ kid, alg } = decodeProtectedHeader(jws));
  } catch {
    return undefined;
  }
  if (alg !== 'EdDSA' && alg !== 'ES256') return undefined;
  for (const organisation of directory.organisations) {
    for (const key of organisation.keys.filter((k) => k.kid === kid)) {
      try {
        const { payload } = await compactVerify(jws, await importJWK({ ...key.jwk }, alg), { algorithms: [alg] });
        const logId = (JSON.parse(new TextDecoder().decode(payload)) as Partial<TreeHead>).log_id;
        if (typeof logId === 'string') return { provider: organisation.oin, logId };
      } catch {
        // not this key
      }
    }
  }
  return undefined;
}

/** The log a first-format key `<gateway URL> <log id>` names, by a service the directory lists at that URL. */
function servedAt(key: string, directory: DirectorySnapshot) {
  const space = key.indexOf(' ');
  if (space < 0) return undefined;
  const url = key.slice(0, space).replace(/\/+$/, '');
  const service = directory.services.find((s) => gatewayBase(s) === url);
  return service ? { provider: service.providerOin, logId: key.slice(space + 1) } : undefined;
}

/**
 * What is wrong with a log's newest (verified) head against a head seen before: a smaller tree is a
 * rollback; the same size with another root, or a consistency proof that fails, a fork or rewrite.
 * `proof` fetches the gateway's consistency proof between two sizes.
 */
export async function checkAgainst(
  previous: KnownHead,
  head: TreeHead,
  proof: (first: number, second: number) => Promise<string[]>,
): Promise<string | undefined> {
  const was = describeHead(previous);
  const now = `size ${head.tree_size} (root ${shortRoot(head.root_hash)})`;
  if (head.tree_size < previous.tree_size) {
    return `ROLLBACK of log ${head.log_id}: the log was at ${was} and is now at ${now}: records it had published are gone (an older backup restored?).`;
  }
  // A log seen empty has nothing to be consistent with: every tree extends the empty one.
  if (previous.tree_size === 0) return undefined;
  try {
    const path = head.tree_size === previous.tree_size ? [] : await proof(previous.tree_size, head.tree_size);
    verifyConsistency(
      previous.tree_size,
      head.tree_size,
      path.map((p) => Buffer.from(p, 'base64')),
      Buffer.from(previous.root_hash, 'base64'),
      Buffer.from(head.root_hash, 'base64'),
    );
    return undefined;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return `FORK or REWRITE of log ${head.log_id}: the head of ${was} is not a prefix of the head of ${now}: ${reason} (a ROLLBACK to an older backup that grew again looks like this too).`;
  }
}

/** Every gateway the services are served at, once per provider and URL, with the services it serves. */
export function gatewaysOf(services: readonly Service[]) {
  const gateways = new Map<string, { providerOin: string; url: string; base: string; services: Service[] }>();
  for (const service of services) {
    const key = `${service.providerOin} ${gatewayBase(service)}`;
    const gateway = gateways.get(key) ?? {
      providerOin: service.providerOin,
      url: service.gatewayUrl,
      base: gatewayBase(service),
      services: [],
    };
    gateway.services.push(service);
    gateways.set(key, gateway);
  }
  return [...gateways.values()];
}

/**
 * The logs seen before that no gateway served on this run: a finding where every gateway of the
 * provider answered, a warning where one did not or the directory lists none; and a finding for every
 * head that could be given to no log.
 */
export function notServed(
  options: { directory: DirectorySnapshot; services: readonly Service[] },
  anchors: ReadonlyMap<string, ReadonlyMap<string, readonly Anchor[]>>,
  served: ReadonlyMap<string, ReadonlySet<string>>,
  unanswered: ReadonlyMap<string, readonly string[]>,
  orphans: readonly { key: string; head: KnownHead }[],
): { vanished: LogNotChecked[]; unchecked: LogNotChecked[] } {
  const vanished: LogNotChecked[] = [];
  const unchecked: LogNotChecked[] = [];
  for (const [oin, ofProvider] of anchors) {
    const name = options.directory.organisations.find((o) => o.oin === oin)?.name ?? `the organisation ${oin}`;
    const gateways = [...new Set(options.services.filter((s) => s.providerOin === oin).map((s) => s.gatewayUrl))];
    for (const [logId, list] of ofProvider) {
      if (served.get(oin)?.has(logId)) continue;
      const previous = list.reduce((a, b) => (b.head.tree_size > a.head.tree_size ? b : a)).head;
      const seen = `log ${logId} of ${name} (${oin}), seen at ${describeHead(previous)}`;
      const not = { provider: oin, logId, previous };
      if (gateways.length === 0) {
        unchecked.push({ ...not, reason: `${seen}: not checked, the directory lists no service of ${name} any more.` });
      } else if (unanswered.has(oin)) {
        const which = unanswered.get(oin)?.join(', ');
        unchecked.push({
          ...not,
          reason: `${seen}: not checked, ${which} did not answer; it is checked when it does.`,
        });
      } else {
        vanished.push({
          ...not,
          reason:
            `VANISHED: ${seen}, is served by no gateway of ${name} any more (${gateways.join(', ')} answered): ` +
            'its records can no longer be checked. Its head is kept, so this repeats until the log is served again.',
        });
      }
    }
  }
  for (const { key, head } of orphans) {
    vanished.push({
      logId: key.slice(key.indexOf(' ') + 1),
      previous: head,
      reason:
        `a head seen before, of "${key}" (${describeHead(head)}), is signed by no key in the directory and ` +
        'no service is listed at its gateway URL any more, so it cannot be checked against any log. It is kept: ' +
        'remove it from the heads file only if you know why.',
    });
  }
  return { vanished, unchecked };
}
