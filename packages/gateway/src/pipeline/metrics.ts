import { type Meter, type MeterProvider, metrics } from '@opentelemetry/api';

function instruments(meter: Meter) {
  return {
    requests: meter.createCounter('poortwachter.gateway.requests', { description: 'Requests handled, by outcome' }),
    refusals: meter.createCounter('poortwachter.gateway.refusals', { description: 'Refused requests, by reason' }),
    latency: meter.createHistogram('poortwachter.gateway.request.duration', {
      unit: 'ms',
      description: 'Request latency',
      advice: { explicitBucketBoundaries: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] },
    }),
    logCommit: meter.createHistogram('poortwachter.gateway.log_commit.duration', {
      unit: 'ms',
      description: 'Time from submitting access records to their commit',
      advice: { explicitBucketBoundaries: [0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] },
    }),
    batchSize: meter.createHistogram('poortwachter.gateway.log_batch.size', {
      unit: '{write}',
      description: 'Writes (access-record sets and refusals) per group-committed log batch',
      advice: { explicitBucketBoundaries: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000] },
    }),
    logFailures: meter.createCounter('poortwachter.gateway.log_write.failures', {
      description: 'Log and nonce writes that failed, by what was written',
    }),
  };
}

let cached: { provider: MeterProvider; instruments: ReturnType<typeof instruments> } | undefined;

/**
 * The gateway's metrics (DESIGN.md, "Observability"): requests by outcome, refusals by reason, request
 * latency, log-commit latency, batch sizes and write failures. Looked up from the registered meter
 * provider on use, so instruments made before a server entry starts the SDK still count; no-ops when
 * none is registered.
 */
export function gatewayMetrics() {
  const provider = metrics.getMeterProvider();
  if (cached?.provider !== provider) {
    cached = { provider, instruments: instruments(provider.getMeter('@poortwachter/gateway')) };
  }
  return cached.instruments;
}

/** The meter for a gateway instance's observable gauges. */
export const gatewayMeter = () => metrics.getMeterProvider().getMeter('@poortwachter/gateway');
