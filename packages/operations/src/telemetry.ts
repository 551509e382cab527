import { metrics } from '@opentelemetry/api';
import { OTLPMetricExporter as OtlpGrpcMetrics } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as OtlpJsonMetrics } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as OtlpProtoMetrics } from '@opentelemetry/exporter-metrics-otlp-proto';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, type MetricReader, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { type Settings, settings } from './settings.ts';

/** What a server entry holds after starting telemetry. */
export interface Telemetry {
  /** Whether traces and metrics go to an OTLP endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT` and friends). */
  readonly exporting: boolean;
  /** The current metrics in the Prometheus text format (for `GET /metrics`). */
  prometheus(): Promise<string>;
  /** Flushes what is buffered and stops the exporters. */
  shutdown(): Promise<void>;
}

/** The OTLP endpoint variables of the specification: any one of them turns exporting on. */
const ENDPOINT_VARIABLES = [
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
] as const;

/**
 * Starts OpenTelemetry for one server entry, before it serves.
 *
 * - Always: a meter provider with an in-process Prometheus reader, so `/metrics` answers.
 * - With an OTLP endpoint set: the OpenTelemetry Node SDK, which reads the standard `OTEL_*` variables
 *   (protocol, headers, service name, resource attributes, sampler), with a batch span exporter and a
 *   periodic OTLP metric reader beside the Prometheus one. No auto-instrumentation: the spans are the
 *   gateway's own (verify, authorise, source, log-commit), so nothing else can leak into them.
 * - Without: no tracer provider at all; the API's spans stay no-ops.
 *
 * The enumerations it reads itself are checked whether or not it exports (`OTEL_EXPORTER_OTLP_PROTOCOL`
 * and its `_METRICS_` and `_TRACES_` forms: `grpc`, `http/protobuf` or `http/json`; `OTEL_METRICS_EXPORTER`:
 * `otlp`, `prometheus` or `none`), as are `OTEL_METRIC_EXPORT_INTERVAL` and `_TIMEOUT` (ms): a value it
 * cannot use throws a `SettingError` (call it inside `runServer`: one line, exit 2).
 *
 * @example
 * const telemetry = startTelemetry('poortwachter-gateway');
 * app.get('/metrics', async (c) => c.text(await telemetry.prometheus()));
 */
export function startTelemetry(serviceName: string, env: NodeJS.ProcessEnv = process.env): Telemetry {
  const read = settings(env);
  const protocol = otlpProtocol(read, 'OTEL_EXPORTER_OTLP_PROTOCOL', 'http/protobuf');
  const metricsProtocol = otlpProtocol(read, 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL', protocol);
  otlpProtocol(read, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', protocol);
  const exporters = read.listOf('OTEL_METRICS_EXPORTER', ['otlp', 'prometheus', 'none'], ['otlp']);
  const interval = read.positive('OTEL_METRIC_EXPORT_INTERVAL', 60_000);
  const timeout = read.positive('OTEL_METRIC_EXPORT_TIMEOUT', 30_000);
  const prometheus = new PrometheusExporter({ preventServerStart: true });
  const serializer = new PrometheusSerializer(undefined, false);
  const exporting = ENDPOINT_VARIABLES.some((name) => Boolean(env[name]?.trim()));
  const text = async () => {
    const { resourceMetrics } = await prometheus.collect();
    return serializer.serialize(resourceMetrics);
  };

  if (!exporting) {
    const provider = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME || serviceName }),
      readers: [prometheus],
    });
    metrics.setGlobalMeterProvider(provider);
    return {
      exporting,
      prometheus: text,
      shutdown: async () => {
        await provider.shutdown();
        metrics.disable();
      },
    };
  }

  const readers: MetricReader[] = [prometheus];
  if (exporters.includes('otlp')) {
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: otlpMetricExporter(metricsProtocol),
        exportIntervalMillis: interval,
        // The SDK wants the timeout no longer than the interval.
        exportTimeoutMillis: Math.min(timeout, interval),
      }),
    );
  }
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME || serviceName,
    metricReaders: readers,
    instrumentations: [],
    // Operational logs are JSON lines on stdout (logger.ts); no OTLP log pipeline.
    logRecordProcessors: [],
  });
  sdk.start();
  return { exporting, prometheus: text, shutdown: () => sdk.shutdown() };
}

const OTLP_PROTOCOLS = ['grpc', 'http/protobuf', 'http/json'] as const;
type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

const otlpProtocol = (read: Settings, name: string, fallback: OtlpProtocol): OtlpProtocol =>
  read.oneOf(name, OTLP_PROTOCOLS, fallback);

function otlpMetricExporter(protocol: OtlpProtocol) {
  if (protocol === 'http/json') return new OtlpJsonMetrics();
  if (protocol === 'grpc') return new OtlpGrpcMetrics();
  return new OtlpProtoMetrics();
}

/**
 * The handler of `GET /metrics`: the metrics in the Prometheus text format (0.0.4).
 *
 * @example
 * app.get('/metrics', metricsHandler(telemetry.prometheus));
 */
export function metricsHandler(prometheus: () => Promise<string>): () => Promise<Response> {
  return async () =>
    new Response(await prometheus(), { headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' } });
}
