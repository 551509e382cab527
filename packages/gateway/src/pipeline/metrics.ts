import { metrics } from '@opentelemetry/api';

const meter = metrics.getMeter('@poortwachter/gateway');

/**
 * The gateway's metrics (DESIGN.md, "Observability"): requests by outcome, refusals by reason,
 * request latency and log-commit latency. No-ops until the server entry registers an SDK.
 */
export const gatewayMetrics = {
  requests: meter.createCounter('poortwachter.gateway.requests', { description: 'Requests handled, by outcome' }),
  refusals: meter.createCounter('poortwachter.gateway.refusals', { description: 'Refused requests, by reason' }),
  latency: meter.createHistogram('poortwachter.gateway.request.duration', {
    unit: 'ms',
    description: 'Request latency',
  }),
  logCommit: meter.createHistogram('poortwachter.gateway.log_commit.duration', {
    unit: 'ms',
    description: 'Time from submitting access records to their commit',
  }),
};
