interface Pending<In, Out> {
  readonly item: In;
  resolve(value: Out): void;
  reject(error: unknown): void;
}

/** What a batch writer reports (for /readyz and the benchmark); a writer may add its own figures. */
export interface CommitStats {
  readonly batches: number;
  readonly items: number;
  readonly averageBatch: number;
  /** From the start of a batch's write until its submitters are answered. */
  readonly averageCommitMs: number;
  readonly [figure: string]: number;
}

/**
 * Where a pipeline stage submits what must be written before it goes on (access records, refusals,
 * nonce claims): each submitter's promise settles once its item is written (or failed). Implemented by
 * `BatchQueue` and by the SQLite log writer's two lanes (see log-writer.ts).
 */
export interface GroupCommitter<In, Out = void> {
  /** Queues an item; resolves with its result once it is written. */
  submit(item: In): Promise<Out>;
  /** Resolves when everything submitted so far has been written (for graceful shutdown). */
  drain(): Promise<void>;
  /** Items waiting for a write. */
  readonly pending: number;
  readonly stats: CommitStats;
}

/**
 * Group commit: items submitted while a batch is being written wait and go together in the next
 * batch, so N concurrent requests cost one transaction (one fsync), not N. Each submitter's promise
 * settles only when its batch is committed (or failed).
 *
 * @example
 * const log = new BatchQueue((records) => store.insertAll(records).then(() => records.map(() => undefined)));
 * await log.submit(record); // committed
 */
export class BatchQueue<In, Out = void> implements GroupCommitter<In, Out> {
  #queue: Pending<In, Out>[] = [];
  #flushing: Promise<void> | undefined;
  #scheduled = false;
  #batches = 0;
  #items = 0;
  #commitMs = 0;

  constructor(
    private readonly writeBatch: (items: In[]) => Promise<Out[]>,
    private readonly maxBatch = 1000,
  ) {}

  /** Queues an item; resolves with its result once the batch holding it is committed. */
  submit(item: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  /** Resolves when everything submitted so far has been written (for graceful shutdown). */
  async drain(): Promise<void> {
    while (this.#queue.length > 0 || this.#flushing || this.#scheduled) {
      await (this.#flushing ?? new Promise((resolve) => setImmediate(resolve)));
    }
  }

  get pending(): number {
    return this.#queue.length;
  }

  /** Batches written, items in them, and time spent writing (for /readyz and the benchmark). */
  get stats(): CommitStats {
    return {
      batches: this.#batches,
      items: this.#items,
      averageBatch: this.#batches ? this.#items / this.#batches : 0,
      averageCommitMs: this.#batches ? this.#commitMs / this.#batches : 0,
    };
  }

  #schedule(): void {
    if (this.#scheduled || this.#flushing) return;
    this.#scheduled = true;
    // Let the requests of this event-loop turn join the batch before it is written.
    setImmediate(() => {
      this.#scheduled = false;
      this.#flushing = this.#flush().finally(() => {
        this.#flushing = undefined;
        if (this.#queue.length > 0) this.#schedule();
      });
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#queue.splice(0, this.maxBatch);
    if (batch.length === 0) return;
    const started = performance.now();
    this.#batches++;
    this.#items += batch.length;
    try {
      const results = await this.writeBatch(batch.map((p) => p.item));
      this.#commitMs += performance.now() - started;
      for (const [i, p] of batch.entries()) p.resolve(results[i] as Out);
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  }
}
