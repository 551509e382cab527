import { type Meter, type MeterProvider, metrics } from '@opentelemetry/api';
import {
  addCheckpointBody,
  type NoteKey,
  parseCheckpointText,
  parseNote,
  parseSignatureLine,
  parseVkey,
  TLOG_SIZE_CONTENT_TYPE,
  verifyCheckpoint,
  withSignatures,
} from '@poortwachter/protocol';
import type { Logger } from './logger.ts';

/** A witness as the directory lists it: its key name, C2SP verifier key (type 0x04) and submission prefix. */
export interface CollectorWitness {
  readonly name: string;
  readonly vkey: string;
  readonly url: string;
}

/** The newest checkpoint of the log, signed by the log (a whole signed note), and its size. */
export interface PendingCheckpoint {
  readonly note: string;
  readonly size: number;
}

/** Why a witness would not cosign that is evidence about the log, not an outage. */
export interface WitnessFinding {
  /** `later`: the witness cosigned a larger head (a rollback?); `inconsistent`: our head does not extend its. */
  readonly kind: 'later' | 'inconsistent';
  readonly witness_size: number | null;
  readonly log_size: number;
  readonly at: string;
  readonly message: string;
}

/** One witness's state for readiness: how far it cosigned, and what is waiting or wrong. */
export interface WitnessState {
  readonly name: string;
  readonly url: string;
  /** The largest size this witness is known to have cosigned (null: not known yet). */
  readonly cosigned_size: number | null;
  readonly last_error: string | null;
  /** Since when the newest head waits for this witness's cosignature (null: nothing waits). */
  readonly pending_since: string | null;
  readonly finding?: WitnessFinding;
}

export interface WitnessCollectorOptions {
  /** The directory's witnesses and quorum now; undefined before there is a directory. */
  readonly policy: () => { readonly witnesses: readonly CollectorWitness[]; readonly quorum: number } | undefined;
  /** The log's verifier keys for an origin (its signature on the checkpoint is checked with them). */
  readonly logKeys: (origin: string) => readonly NoteKey[];
  /** The newest signed checkpoint (only the newest is ever submitted: it is the queue). */
  readonly newest: () => Promise<PendingCheckpoint | undefined>;
  /** The size each witness cosigned as stored (by name): where submissions start after a restart. */
  readonly cosigned: () => Promise<ReadonlyMap<string, number>>;
  /** A consistency proof (RFC 9162) from `oldSize` to `newSize` of this log. */
  readonly proof: (oldSize: number, newSize: number) => Promise<readonly Uint8Array[]>;
  /** Keeps a verified cosignature line of `witness` for the checkpoint of `size`. */
  readonly store: (cosignature: { witness: string; size: number; line: string }) => Promise<void>;
  readonly logger: Logger;
  readonly fetch?: typeof globalThis.fetch;
  readonly now?: () => number;
  /** How often the collector looks for work (default 1000 ms). */
  readonly intervalMs?: number;
  /** Backoff after a failed submission: first wait and the longest (default 1 s, 5 min). */
  readonly backoff?: { readonly firstMs?: number; readonly maxMs?: number };
  /** Per submission (default 10 s). */
  readonly timeoutMs?: number;
}

interface State {
  witness: CollectorWitness;
  cosignedSize: number | undefined;
  lastError: string | undefined;
  pendingSince: number | undefined;
  finding: WitnessFinding | undefined;
  failures: number;
  nextAttempt: number;
  busy: Promise<void> | undefined;
}

const LATER = 'the witness holds a later head: was this log rolled back?';
const INCONSISTENT = 'the witness cosigned a head that this head does not extend: does this log have two histories?';

/**
 * Collects witnesses' cosignatures (C2SP tlog-witness `add-checkpoint`) for the newest checkpoint of a
 * log, in the background: never on a request's path. Per witness it keeps the size it cosigned; a
 * witness that is down is retried with backoff, and only ever for the newest head (a newer head
 * replaces the pending one). A 409 naming a size not above ours is retried once from that size; a 409
 * naming a larger size, or a 422, is a finding: one log line (witness, both sizes), a metric, and the
 * state says so. Shared by every log (gateway inways and outways, the registry's change log).
 *
 * @example
 * const collector = startWitnessCollector({ policy, logKeys, newest, cosigned, proof, store, logger });
 * collector.notify(); // a new head was signed
 */
export function startWitnessCollector(options: WitnessCollectorOptions) {
  const now = options.now ?? Date.now;
  const doFetch = options.fetch ?? globalThis.fetch;
  const firstMs = options.backoff?.firstMs ?? 1000;
  const maxMs = options.backoff?.maxMs ?? 300_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const states = new Map<string, State>();
  const logged = new Set<string>();
  let stored: ReadonlyMap<string, number> | undefined;
  let origin: string | undefined;
  let newestSize: number | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  const instruments = collectorMetrics();
  const observe = (result: import('@opentelemetry/api').BatchObservableResult) => {
    for (const s of states.values()) {
      if (s.cosignedSize !== undefined)
        result.observe(instruments.cosignedSize, s.cosignedSize, { origin: origin ?? '', witness: s.witness.name });
      result.observe(instruments.pending, s.pendingSince === undefined ? 0 : 1, {
        origin: origin ?? '',
        witness: s.witness.name,
      });
    }
  };
  instruments.meter.addBatchObservableCallback(observe, [instruments.cosignedSize, instruments.pending]);

  const stateOf = (witness: CollectorWitness): State => {
    let s = states.get(witness.name);
    if (!s) {
      s = {
        witness,
        cosignedSize: stored?.get(witness.name),
        lastError: undefined,
        pendingSince: undefined,
        finding: undefined,
        failures: 0,
        nextAttempt: 0,
        busy: undefined,
      };
      states.set(witness.name, s);
    }
    s.witness = witness;
    return s;
  };

  const failed = (s: State, message: string) => {
    s.lastError = message;
    s.failures++;
    s.nextAttempt = now() + Math.min(maxMs, firstMs * 2 ** (s.failures - 1));
    instruments.submissions.add(1, { origin: origin ?? '', witness: s.witness.name, outcome: 'failed' });
  };

  const found = (s: State, kind: WitnessFinding['kind'], witnessSize: number | undefined, logSize: number) => {
    const message = `${kind === 'later' ? LATER : INCONSISTENT} (witness ${s.witness.name} holds size ${witnessSize ?? 'unknown'}, log ${origin} is at size ${logSize})`;
    s.finding = {
      kind,
      witness_size: witnessSize ?? null,
      log_size: logSize,
      at: new Date(now()).toISOString(),
      message,
    };
    failed(s, message);
    const key = `${s.witness.name}\n${kind}\n${witnessSize ?? ''}`;
    if (logged.has(key)) return;
    logged.add(key);
    instruments.findings.add(1, { origin: origin ?? '', witness: s.witness.name, kind });
    options.logger.error(
      {
        event: 'witness_finding',
        kind,
        origin,
        witness: s.witness.name,
        witness_size: witnessSize ?? null,
        log_size: logSize,
      },
      message,
    );
  };

  /** One add-checkpoint; `retried`: this is the one retry after a 409 naming a smaller size. */
  async function submit(s: State, head: PendingCheckpoint, retried = false): Promise<void> {
    const known = s.cosignedSize ?? 0;
    const oldSize = known <= head.size ? known : 0;
    const proof = oldSize === 0 ? [] : await options.proof(oldSize, head.size);
    const url = `${s.witness.url.replace(/\/+$/, '')}/add-checkpoint`;
    let response: Response;
    try {
      response = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: addCheckpointBody(oldSize, proof, head.note),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      return failed(s, `${url}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const text = await response.text().catch(() => '');
    if (response.status === 200) return accept(s, head, text);
    if (response.status === 409) {
      const size = witnessSize(response, text);
      if (size === undefined) return failed(s, `${url}: 409 without a ${TLOG_SIZE_CONTENT_TYPE} size`);
      s.cosignedSize = size;
      if (size > head.size) return found(s, 'later', size, head.size);
      if (!retried) return submit(s, head, true);
      return failed(s, `${url}: 409 again after retrying from size ${size}`);
    }
    if (response.status === 422) return found(s, 'inconsistent', s.cosignedSize, head.size);
    return failed(s, `${url}: ${response.status} ${text.split('\n')[0]?.slice(0, 200) ?? ''}`.trim());
  }

  async function accept(s: State, head: PendingCheckpoint, body: string) {
    let key: NoteKey;
    try {
      key = parseVkey(s.witness.vkey);
    } catch (error) {
      return failed(s, `the directory's vkey of ${s.witness.name} is not valid: ${(error as Error).message}`);
    }
    // A line is kept only if it verifies as this witness's cosignature of exactly this checkpoint;
    // lines of other keys are ignored (C2SP tlog-witness).
    const valid: string[] = [];
    for (const line of body.split(/(?<=\n)/)) {
      try {
        const signature = parseSignatureLine(line);
        if (signature.name !== key.name || signature.keyId !== key.keyId) continue;
        const note = withSignatures(head.note, [signature.line]);
        const { origin: o } = parseCheckpointText(parseNote(note).text);
        await verifyCheckpoint(note, { logKeys: options.logKeys(o), policy: { witnesses: [key], quorum: 1 } });
        valid.push(signature.line);
      } catch {
        // not a valid cosignature of this checkpoint
      }
    }
    if (valid.length === 0) return failed(s, `${s.witness.name} answered 200 without a valid cosignature`);
    for (const line of valid) await options.store({ witness: s.witness.name, size: head.size, line });
    s.cosignedSize = head.size;
    s.lastError = undefined;
    s.finding = undefined;
    s.failures = 0;
    s.nextAttempt = 0;
    if (newestSize === head.size) s.pendingSince = undefined;
    instruments.submissions.add(1, { origin: origin ?? '', witness: s.witness.name, outcome: 'cosigned' });
  }

  async function round() {
    const policy = options.policy();
    if (!policy || policy.witnesses.length === 0) return;
    const head = await options.newest();
    if (!head) return;
    origin ??= parseCheckpointText(parseNote(head.note).text).origin;
    newestSize = head.size;
    stored ??= await options.cosigned();
    const names = new Set(policy.witnesses.map((w) => w.name));
    for (const name of states.keys()) if (!names.has(name)) states.delete(name);
    for (const witness of policy.witnesses) {
      const s = stateOf(witness);
      if (s.cosignedSize === head.size && !s.finding) {
        s.pendingSince = undefined;
        continue;
      }
      s.pendingSince ??= now();
      if (s.busy || now() < s.nextAttempt || stopped) continue;
      s.busy = submit(s, head)
        .catch((error) => failed(s, error instanceof Error ? error.message : String(error)))
        .finally(() => {
          s.busy = undefined;
          // A head signed meanwhile is the new work for this witness.
          if (newestSize !== undefined && newestSize !== head.size) collector.notify();
        });
    }
  }

  const timer = setInterval(() => collector.notify(), options.intervalMs ?? 1000);
  timer.unref();

  const collector = {
    /** Looks for work now (a new head was signed); rounds never overlap. */
    notify(): void {
      if (stopped) return;
      if (running) {
        again = true;
        return;
      }
      running = round()
        .catch((error) =>
          options.logger.warn({ err: error, event: 'witness_collector' }, 'witness collector round failed'),
        )
        .finally(() => {
          running = undefined;
          if (again) {
            again = false;
            collector.notify();
          }
        });
    },
    /** One round, and the submissions it started (tests). */
    async runNow(): Promise<void> {
      await running;
      await round();
      await Promise.all([...states.values()].map((s) => s.busy));
    },
    /** Forgets the backoff: every witness is asked at the next round (tests, an operator's nudge). */
    retryNow(): void {
      for (const s of states.values()) s.nextAttempt = 0;
    },
    /** For readiness: every witness's state, and the quorum. */
    status(): { quorum: number; witnesses: WitnessState[] } {
      const policy = options.policy();
      return {
        quorum: policy?.quorum ?? 0,
        witnesses: [...states.values()].map((s) => ({
          name: s.witness.name,
          url: s.witness.url,
          cosigned_size: s.cosignedSize ?? null,
          last_error: s.lastError ?? null,
          pending_since: s.pendingSince === undefined ? null : new Date(s.pendingSince).toISOString(),
          ...(s.finding ? { finding: s.finding } : {}),
        })),
      };
    },
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      instruments.meter.removeBatchObservableCallback(observe, [instruments.cosignedSize, instruments.pending]);
      await running;
      await Promise.all([...states.values()].map((s) => s.busy));
    },
  };
  return collector;
}

export type WitnessCollector = ReturnType<typeof startWitnessCollector>;

/** The size a 409 names: `text/x.tlog.size`, one decimal and a newline. */
function witnessSize(response: Response, text: string): number | undefined {
  const type = response.headers.get('content-type')?.split(';')[0]?.trim();
  if (type !== TLOG_SIZE_CONTENT_TYPE || !/^(0|[1-9][0-9]{0,15})\n?$/.test(text)) return undefined;
  const size = Number(text.trim());
  return Number.isSafeInteger(size) ? size : undefined;
}

let cached: { provider: MeterProvider; instruments: ReturnType<typeof instrumentsOf> } | undefined;

function instrumentsOf(meter: Meter) {
  return {
    meter,
    findings: meter.createCounter('poortwachter.witness.findings', {
      description: "Witnesses' refusals that are evidence about the log (a later head held: rollback; 422: fork)",
    }),
    submissions: meter.createCounter('poortwachter.witness.submissions', {
      description: 'add-checkpoint submissions to witnesses, by outcome',
    }),
    cosignedSize: meter.createObservableGauge('poortwachter.witness.cosigned_size', {
      unit: '{leaf}',
      description: 'The largest head of this log each witness is known to have cosigned',
    }),
    pending: meter.createObservableGauge('poortwachter.witness.pending', {
      description: "1 while the log's newest head waits for this witness's cosignature",
    }),
  };
}

function collectorMetrics() {
  const provider = metrics.getMeterProvider();
  if (cached?.provider !== provider) {
    cached = { provider, instruments: instrumentsOf(provider.getMeter('@poortwachter/operations')) };
  }
  return cached.instruments;
}
