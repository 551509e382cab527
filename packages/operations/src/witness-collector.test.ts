import { generateKeyPairSync } from 'node:crypto';
import { metrics } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  COSIGNATURE_ED25519,
  cosignCheckpoint,
  formatVkey,
  NOTE_ED25519,
  noteKeyFromJwk,
  parseAddCheckpoint,
  parseCheckpointText,
  parseNote,
  signCheckpoint,
  TLOG_SIZE_CONTENT_TYPE,
} from '@poortwachter/protocol';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';
import { type PendingCheckpoint, startWitnessCollector } from './witness-collector.ts';

const ORIGIN = 'poortwachter/log/00000001001234567000/test';
const keyPair = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateJwk: privateKey.export({ format: 'jwk' }) as JWK,
    publicJwk: publicKey.export({ format: 'jwk' }) as JWK,
  };
};
const log = keyPair();
const witness = keyPair();
const WITNESS = 'poortwachter.example/getuige-test';
const vkey = formatVkey(noteKeyFromJwk(WITNESS, COSIGNATURE_ED25519, witness.publicJwk));
const checkpoint = async (size: number): Promise<PendingCheckpoint> => ({
  size,
  note: await signCheckpoint({ origin: ORIGIN, size, rootHash: new Uint8Array(32).fill(size) }, log.privateJwk),
});

/**
 * The collector against a scripted witness (a `fetch`): its backoff, that only the newest head is
 * ever submitted, the one retry after a 409, and that a finding is logged and counted once.
 */
describe('the witness collector', () => {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  beforeAll(() => {
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  });
  afterAll(() => metrics.disable());

  function harness(answer: (body: ReturnType<typeof parseAddCheckpoint>) => Promise<Response> | Response) {
    let clock = 0;
    let newest: PendingCheckpoint | undefined;
    const submitted: { old: number; size: number }[] = [];
    const stored: { witness: string; size: number; line: string }[] = [];
    const lines: string[] = [];
    const collector = startWitnessCollector({
      policy: () => ({ witnesses: [{ name: WITNESS, vkey, url: 'http://witness.test/' }], quorum: 1 }),
      logKeys: (origin) => [noteKeyFromJwk(origin, NOTE_ED25519, log.publicJwk)],
      newest: async () => newest,
      cosigned: async () => new Map(),
      proof: async (first, second) => (first === second ? [] : [new Uint8Array(32)]),
      store: async (c) => {
        stored.push(c);
      },
      logger: createLogger('test', { level: 'trace', destination: { write: (l: string) => lines.push(l) } }),
      now: () => clock,
      intervalMs: 3_600_000,
      backoff: { firstMs: 1000, maxMs: 4000 },
      fetch: async (url, init) => {
        expect(String(url)).toBe('http://witness.test/add-checkpoint');
        const body = parseAddCheckpoint(String(init?.body));
        submitted.push({ old: body.oldSize, size: parseCheckpointText(parseNote(body.note).text).size });
        return answer(body);
      },
    });
    return {
      collector,
      submitted,
      stored,
      lines,
      at: (t: number) => {
        clock = t;
      },
      head: async (size: number) => {
        newest = await checkpoint(size);
      },
    };
  }
  const cosign = async (note: string) =>
    new Response(await cosignCheckpoint(note, { name: WITNESS, privateJwk: witness.privateJwk }, 1_800_000_000));

  it('backs off a witness that is down (doubling, capped) and then submits only the newest head', async () => {
    let down = true;
    const h = harness(async (body) => (down ? new Response('down', { status: 503 }) : cosign(body.note)));
    await h.head(2);
    await h.collector.runNow(); // t=0: fails, next at 1000
    h.at(999);
    await h.collector.runNow();
    expect(h.submitted).toHaveLength(1);
    h.at(1000);
    await h.collector.runNow(); // fails again, next at 3000
    h.at(2999);
    await h.collector.runNow();
    expect(h.submitted).toHaveLength(2);
    const waiting = h.collector.status().witnesses[0];
    expect(waiting).toMatchObject({ cosigned_size: null, pending_since: new Date(0).toISOString() });
    expect(waiting?.last_error).toContain('503');
    // Two more heads are signed while it is down: the queue is only ever the newest.
    await h.head(3);
    await h.head(4);
    down = false;
    h.at(3000);
    await h.collector.runNow();
    expect(h.submitted.map((s) => s.size)).toEqual([2, 2, 4]);
    expect(h.stored.map((s) => s.size)).toEqual([4]);
    expect(h.collector.status().witnesses[0]).toMatchObject({
      cosigned_size: 4,
      last_error: null,
      pending_since: null,
    });
    await h.collector.stop();
  });

  it('retries once from a smaller size a 409 names, and logs and counts a later head once', async () => {
    let holds = 1;
    const h = harness(async (body) => {
      if (body.oldSize !== holds)
        return new Response(`${holds}\n`, { status: 409, headers: { 'content-type': TLOG_SIZE_CONTENT_TYPE } });
      const size = parseCheckpointText(parseNote(body.note).text).size;
      holds = size;
      return cosign(body.note);
    });
    await h.head(5);
    await h.collector.runNow();
    expect(h.submitted).toEqual([
      { old: 0, size: 5 },
      { old: 1, size: 5 },
    ]);
    expect(h.stored.map((s) => s.size)).toEqual([5]);

    // The witness holds a later head than ours (a rollback): a finding, logged and counted once.
    holds = 9;
    await h.head(6);
    for (let t = 0; t < 3; t++) {
      h.collector.retryNow();
      await h.collector.runNow();
    }
    expect(h.collector.status().witnesses[0]?.finding).toMatchObject({ kind: 'later', witness_size: 9, log_size: 6 });
    const findings = h.lines.filter((l) => l.includes('"witness_finding"'));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toContain('was this log rolled back?');
    await reader.forceFlush();
    const counted = exporter
      .getMetrics()
      .at(-1)
      ?.scopeMetrics.flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === 'poortwachter.witness.findings');
    expect(counted?.dataPoints.map((p) => [p.attributes.kind, p.value])).toEqual([['later', 1]]);
    await h.collector.stop();
  });
});
