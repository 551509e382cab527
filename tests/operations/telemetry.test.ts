import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '@poortwachter/registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSystem, startSystem } from '../start-system.ts';
import { type ReceivedSpan, startOtlpReceiver, traceTree } from './otlp-receiver.ts';

const SERVER = 2;
const CLIENT = 3;
const hex = (bytes: number) =>
  [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');

/**
 * `pnpm start` with OTEL_EXPORTER_OTLP_ENDPOINT pointing at a real OTLP/HTTP receiver on loopback: one
 * application request through the outway, the gateway and the source arrives as one trace under the
 * caller's span, and the access record names the span the source saw.
 */
describe('OpenTelemetry: spans and metrics to an OTLP/HTTP receiver', () => {
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let system: RunningSystem;
  const traceId = hex(16);
  const callerSpan = hex(8);

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    system = await startSystem({
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '100',
        OTEL_METRIC_EXPORT_INTERVAL: '500',
      },
    });
  }, 90_000);
  afterAll(async () => {
    await system?.stop();
    await receiver?.close();
  });

  const spansOf = (trace: string) => receiver.spans.filter((s) => s.traceId === trace);
  async function until<T>(what: string, get: () => T | undefined, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = get();
      if (value !== undefined) return value;
      if (Date.now() > deadline) {
        throw new Error(
          `timed out waiting for ${what}; the receiver has:\n${receiver.spans.map((s) => `${s.service} ${s.name} ${s.traceId}/${s.spanId}←${s.parentSpanId}`).join('\n')}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('exports one trace per request: outway → gateway stages → source, under the caller’s span, tracestate kept', async () => {
    const apiKey = readFileSync(join(system.data, 'outway-api-key'), 'utf8').trim();
    const res = await fetch(`http://127.0.0.1:${system.ports.outway}/brp-personen/personen`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': apiKey,
        traceparent: `00-${traceId}-${callerSpan}-01`,
        tracestate: 'gemeente=utrecht',
      },
      body: JSON.stringify({
        type: 'RaadpleegMetBurgerservicenummer',
        burgerservicenummer: ['999993653'],
        fields: ['naam.voornamen'],
      }),
    });
    expect(res.status).toBe(200);

    const find = (service: string, name: string) => () =>
      spansOf(traceId).find((s) => s.service === service && s.name === name);
    const sourceSpan = await until('the source’s span', find('example-brp-source', 'POST /personen'));
    const outway = await until('the outway’s span', find('poortwachter-outway', 'POST /:serviceId/*'));
    const inway = await until('the gateway’s span', find('poortwachter-gateway', 'POST /personen'));
    const stage = (name: string) => until(name, find('poortwachter-gateway', `gateway.${name}`));
    const [verify, authorise, source, logCommit] = (await Promise.all(
      ['verify', 'authorise', 'source', 'log-commit'].map(stage),
    )) as [ReceivedSpan, ReceivedSpan, ReceivedSpan, ReceivedSpan];

    console.log(`trace ${traceId} as the receiver got it:\n${traceTree(receiver.spans, traceId)}`);

    // The caller's span is the outway's parent; the outway's spans are the gateway's ancestors.
    expect(outway.kind).toBe(SERVER);
    expect(outway.parentSpanId).toBe(callerSpan);
    const outwaySpans = new Set(
      spansOf(traceId)
        .filter((s) => s.service === 'poortwachter-outway')
        .map((s) => s.spanId),
    );
    expect(outwaySpans.has(inway.parentSpanId ?? '')).toBe(true);
    expect(inway.kind).toBe(SERVER);
    for (const s of [verify, authorise, source, logCommit]) expect(s.parentSpanId).toBe(inway.spanId);
    expect(source.kind).toBe(CLIENT);
    // The source's own span hangs under the gateway's source span: the traceparent the source saw.
    expect(sourceSpan.parentSpanId).toBe(source.spanId);
    // tracestate went along, from the caller through the outway and the gateway to the source.
    expect(sourceSpan.traceState).toBe('gemeente=utrecht');
    expect(inway.traceState).toBe('gemeente=utrecht');

    // The gateway's access record: the same trace, the caller's chain as parent, the source span named.
    const { db, close } = openDatabase<{ access_log: { record: string; trace_id: string } }>(
      `sqlite:${join(system.data, 'gateway.db')}`,
    );
    try {
      const rows = await db.selectFrom('access_log').select('record').where('trace_id', '=', traceId).execute();
      expect(rows).toHaveLength(1);
      const record = JSON.parse(rows[0]?.record ?? '{}');
      expect(record.trace_id).toBe(traceId);
      expect(record.parent_span_id).toBe(inway.parentSpanId);
      expect(record.attributes['poortwachter.source_span_id']).toBe(source.spanId);
    } finally {
      await close();
    }
  });

  it('exports the request, refusal, latency, log-commit and batch-size metrics', async () => {
    // One refusal: a request without a signature, straight to the gateway.
    const refused = await fetch(`http://127.0.0.1:${system.ports.gateway}/personen`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(refused.status).toBe(401);
    const wanted = [
      'poortwachter.gateway.requests',
      'poortwachter.gateway.refusals',
      'poortwachter.gateway.request.duration',
      'poortwachter.gateway.log_commit.duration',
      'poortwachter.gateway.log_batch.size',
      'poortwachter.log.merkle.tree_size',
      'poortwachter.directory.age',
    ];
    await until('the gateway’s metrics', () => {
      const names = new Set(receiver.metrics.filter((m) => m.service === 'poortwachter-gateway').map((m) => m.name));
      const refusals = receiver.metrics.filter((m) => m.name === 'poortwachter.gateway.refusals');
      const sawRefusal = refusals.some((m) => JSON.stringify(m.data).includes('signatureMissing'));
      return wanted.every((n) => names.has(n)) && sawRefusal ? true : undefined;
    });

    // The same through /metrics in the Prometheus text format.
    const text = await (await fetch(`http://127.0.0.1:${system.ports.gateway}/metrics`)).text();
    expect(text).toMatch(/^poortwachter_gateway_refusals_total\{reason="signatureMissing".*\} 1$/m);
    expect(text).toMatch(/^poortwachter_gateway_log_batch_size_count\{.*\} [1-9]/m);
    expect(text).toMatch(/^poortwachter_log_merkle_tree_size\{log_id="[^"]+",state="committed".*\} [1-9]/m);
    expect(text).toMatch(/^poortwachter_directory_age\{fresh="true".*\} \d/m);
    // The outway and the registry answer /metrics as well.
    const outway = await (await fetch(`http://127.0.0.1:${system.ports.outway}/metrics`)).text();
    expect(outway).toMatch(/^poortwachter_log_merkle_tree_size\{log_id="outway-[^"]+",state="committed".*\} [1-9]/m);
    const registry = await fetch(`http://127.0.0.1:${system.ports.registry}/metrics`);
    expect(registry.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    expect(await registry.text()).toMatch(/^http_server_request_duration_count\{.*\} [1-9]/m);
  });
});
