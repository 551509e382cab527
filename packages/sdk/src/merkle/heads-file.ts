/** A tree head the auditor has verified and keeps, to check every later head of its log against. */
export interface KnownHead {
  readonly tree_size: number;
  readonly root_hash: string;
  readonly timestamp: number;
  /** The head as the provider signed it: the evidence, and what ties it to the provider's key. */
  readonly jws: string;
  readonly seenAt: string;
  /** The gateway URL it was last served at (to say where; a log is known by its provider and id, not by this). */
  readonly gateway?: string;
  /**
   * The head's C2SP checkpoint as the directory's witnesses cosigned it (a signed note with their
   * cosignature lines): the evidence that they saw this head, kept when the directory lists witnesses.
   */
  readonly checkpoint?: string;
  /** How far this auditor proved the log's entries, to go on from there on the next run. */
  readonly entries?: ProvenUpTo;
}

/**
 * The entries of a log proven up to `size` (each record's leaf recomputed, the tree rebuilt to a signed
 * root): the right edge of the tree at that size, its perfect subtrees largest first (base64 hashes).
 * It folds to the root of that size, so a next run appends only the entries added since.
 */
export interface ProvenUpTo {
  readonly size: number;
  readonly edge: readonly string[];
}

/**
 * The heads an auditor has seen. A log is known by what its signed heads say about it: the provider
 * organisation whose key signs them (its OIN) and the `log_id` they carry, never by the URL it is
 * reached at, so a gateway that moves keeps its anchor.
 */
export interface SeenHeads {
  /** Per provider OIN, per log id: the newest head verified. */
  readonly logs: Readonly<Record<string, Readonly<Record<string, KnownHead>>>>;
  /**
   * Heads from a heads file of the first format (keyed `<gateway URL> <log id>`) not yet given to a
   * provider's log; `verifyLogs` gives each to the provider whose key signed it. Kept until then.
   */
  readonly unattributed: Readonly<Record<string, KnownHead>>;
}

/** Two heads of one log, of the same size with different roots: a fork, signed. */
export interface HeadConflict {
  readonly provider: string;
  readonly logId: string;
  /** The head kept (the one on file). */
  readonly kept: KnownHead;
  /** The head not saved over it. */
  readonly other: KnownHead;
}

/** What the heads file of this version says it is. */
export const HEADS_FORMAT = 'poortwachter-auditor-heads/2';

/**
 * An empty record for keys that come from outside (OINs, log ids, URLs): without a prototype, so that a
 * log named `__proto__` is a log like any other.
 */
export const emptyRecord = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;

/** No heads seen. */
export const noHeadsSeen = (): SeenHeads => ({ logs: emptyRecord(), unattributed: emptyRecord() });

/** Every head of `seen.logs` as a list. */
export const listSeenHeads = (seen: SeenHeads) =>
  Object.entries(seen.logs).flatMap(([provider, logs]) =>
    Object.entries(logs).map(([logId, head]) => ({ provider, logId, head })),
  );

/**
 * The heads file cannot be read as heads. It is the auditor's memory of what every log signed before:
 * starting over without it would let a rewritten or forked log pass as "first seen", so this is an
 * error to act on (restore the file, or move it away to start over knowingly), never an empty start.
 */
export class HeadsFileError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(
      `The heads file ${path} is not readable as the heads seen before (${reason}). It is what later heads ` +
        'are checked against, so nothing was checked and it was left as it is: restore it from a backup, ' +
        'or move it away to start over knowingly.',
    );
    this.name = 'HeadsFileError';
  }
}

/**
 * Reads a heads file: this version's (`format`, `logs` per provider and log id) or the first one (an
 * object keyed `<gateway URL> <log id>`, read as `unattributed`). A file of the first format that holds
 * no heads (`{}`) is refused: this version writes its format even when it holds none, so a bare `{}`
 * is a file emptied by hand or by a tool as much as one that saw nothing, and holds no anchor to keep.
 */
export function parseHeadsFile(path: string, text: string): SeenHeads {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new HeadsFileError(path, text.trim() === '' ? 'it is empty' : `not JSON: ${(error as Error).message}`);
  }
  if (!isObject(parsed)) throw new HeadsFileError(path, 'not a JSON object of heads');
  if (!Object.hasOwn(parsed, 'format')) {
    if (Object.keys(parsed).length === 0) {
      throw new HeadsFileError(path, 'it holds no heads and does not say its format, as a file written now does');
    }
    return { logs: emptyRecord(), unattributed: headsOf(path, parsed, (key) => key) };
  }
  if (parsed.format !== HEADS_FORMAT)
    throw new HeadsFileError(path, `its format ${JSON.stringify(parsed.format)} is not ${HEADS_FORMAT}`);
  if (!isObject(parsed.logs)) throw new HeadsFileError(path, 'it has no object "logs"');
  const logs = emptyRecord<Record<string, KnownHead>>();
  for (const [provider, ofProvider] of Object.entries(parsed.logs)) {
    if (!isObject(ofProvider)) throw new HeadsFileError(path, `"logs"."${provider}" is not an object of heads`);
    logs[provider] = headsOf(path, ofProvider, (logId) => `${provider} ${logId}`);
  }
  const unattributed = parsed.unattributed ?? {};
  if (!isObject(unattributed)) throw new HeadsFileError(path, '"unattributed" is not an object of heads');
  return { logs, unattributed: headsOf(path, unattributed, (key) => key) };
}

/** The text of a heads file (this version's format). */
export function formatHeadsFile(seen: SeenHeads): string {
  const unattributed = Object.keys(seen.unattributed).length > 0 ? { unattributed: seen.unattributed } : {};
  return `${JSON.stringify({ format: HEADS_FORMAT, logs: seen.logs, ...unattributed }, null, 2)}\n`;
}

/**
 * Merges the heads a run would save (`ours`, from `base` as it read them) into the heads on file now
 * (another run may have saved since): per log the larger tree, so an anchor never moves back; two heads
 * of the same size with different roots are a conflict (a fork), and the one on file is kept. A head
 * of the first format stays unless this run gave it to its log.
 */
export function mergeSeenHeads(
  base: SeenHeads,
  onFile: SeenHeads,
  ours: SeenHeads,
): { heads: SeenHeads; conflicts: HeadConflict[] } {
  const conflicts: HeadConflict[] = [];
  const logs = emptyRecord<Record<string, KnownHead>>();
  for (const { provider, logId, head } of [...listSeenHeads(onFile), ...listSeenHeads(ours)]) {
    const ofProvider = logs[provider] ?? emptyRecord<KnownHead>();
    logs[provider] = ofProvider;
    const kept = ofProvider[logId];
    if (kept === undefined || head.tree_size > kept.tree_size) {
      ofProvider[logId] = head;
    } else if (head.tree_size === kept.tree_size && head.root_hash === kept.root_hash) {
      // The same head seen again: ours says when it was seen last.
      ofProvider[logId] = head;
    } else if (head.tree_size === kept.tree_size) {
      conflicts.push({ provider, logId, kept, other: head });
    }
  }
  const unattributed = Object.assign(emptyRecord<KnownHead>(), ours.unattributed);
  for (const [key, head] of Object.entries(onFile.unattributed)) {
    if (!Object.hasOwn(base.unattributed, key)) unattributed[key] = head;
  }
  return { heads: { logs, unattributed }, conflicts };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function headsOf(path: string, entries: Record<string, unknown>, name: (key: string) => string) {
  const heads = emptyRecord<KnownHead>();
  for (const [key, head] of Object.entries(entries)) heads[key] = knownHead(path, name(key), head);
  return heads;
}

function knownHead(path: string, name: string, value: unknown): KnownHead {
  const h = (isObject(value) ? value : {}) as Partial<Record<keyof KnownHead, unknown>>;
  if (
    !isObject(value) ||
    !Number.isSafeInteger(h.tree_size) ||
    (h.tree_size as number) < 0 ||
    typeof h.root_hash !== 'string' ||
    typeof h.timestamp !== 'number' ||
    typeof h.jws !== 'string' ||
    typeof h.seenAt !== 'string' ||
    (h.gateway !== undefined && typeof h.gateway !== 'string') ||
    (h.checkpoint !== undefined && typeof h.checkpoint !== 'string') ||
    (h.entries !== undefined && !isProvenUpTo(h.entries))
  )
    throw new HeadsFileError(
      path,
      `the head of ${JSON.stringify(name)} lacks tree_size, root_hash, timestamp, jws or seenAt, or its checkpoint or entries are not as written`,
    );
  return {
    tree_size: h.tree_size as number,
    root_hash: h.root_hash,
    timestamp: h.timestamp,
    jws: h.jws,
    seenAt: h.seenAt,
    ...(h.gateway === undefined ? {} : { gateway: h.gateway }),
    ...(h.checkpoint === undefined ? {} : { checkpoint: h.checkpoint as string }),
    ...(h.entries === undefined ? {} : { entries: h.entries as ProvenUpTo }),
  };
}

/** An edge has one hash per bit set in its size (the perfect subtrees that make it up). */
function isProvenUpTo(value: unknown): value is ProvenUpTo {
  if (!isObject(value) || !Number.isSafeInteger(value.size) || (value.size as number) < 0) return false;
  const { edge } = value;
  const bits = (value.size as number).toString(2).replaceAll('0', '').length;
  return (
    Array.isArray(edge) &&
    edge.length === bits &&
    edge.every((h) => typeof h === 'string' && /^[A-Za-z0-9+/]{43}=$/.test(h))
  );
}
