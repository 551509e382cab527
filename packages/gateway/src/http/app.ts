import { SpanKind } from '@opentelemetry/api';
import { createLogger, failureReporter, type Logger, metricsHandler, requestRoute } from '@poortwachter/operations';
import {
  GatewayRefusal,
  isGatewayRefusal,
  isProblemError,
  ProblemError,
  REFUSALS,
  uuidv7,
} from '@poortwachter/protocol';
import { type Context, Hono } from 'hono';
import { every } from 'hono/combine';
import { createMiddleware } from 'hono/factory';
import type { JWK } from 'jose';
import type { DirectoryProvider } from '../directory/directory-provider.ts';
import type { GroupCommitter } from '../log/group-commit.ts';
import { createRefusalRecorder, type RefusalRecorder } from '../log/refusal-recorder.ts';
import { authorise } from '../pipeline/authorise.ts';
import type { GatewayEnv, ReadStores } from '../pipeline/context.ts';
import { withDirectory } from '../pipeline/directory.ts';
import { forward, type SourceOptions } from '../pipeline/forward.ts';
import { logAccess } from '../pipeline/log-access.ts';
import { logFittedText, logRefusal } from '../pipeline/log-refusal.ts';
import { PROBLEM_JSON } from '../pipeline/media-types.ts';
import { gatewayMetrics } from '../pipeline/metrics.ts';
import { minimise } from '../pipeline/minimise.ts';
import type { CallerQuotas } from '../pipeline/quota.ts';
import { useQuotas } from '../pipeline/quota-stages.ts';
import { emptyBody, readBody } from '../pipeline/read-body.ts';
import { send, signResponse } from '../pipeline/sign-response.ts';
import { traceContext } from '../pipeline/trace-context.ts';
import { traced } from '../pipeline/traced.ts';
import { REQUIRED_READ_COMPONENTS, verifySignature } from '../pipeline/verify-signature.ts';
import { brpQuery } from '../profiles/brp/brp-query.ts';
import { haalCentraalProblem } from '../profiles/haal-centraal-problem.ts';
import { auditApp } from '../reads/audit-app.ts';
import { citizenApp } from '../reads/citizen-app.ts';
import { logApp } from '../reads/log-app.ts';
import { logboekApp } from '../reads/logboek-app.ts';
import { onlyOwnData, ownDataGrant } from '../reads/own-data.ts';
import { requireAuditor } from '../reads/read-params.ts';
import type { LogWrite } from '../storage/access-log-store.ts';
import type { NonceClaim } from '../storage/nonce-store.ts';
import { terugmeldingApp } from '../terugmelding/terugmelding-app.ts';
import { TERUGMELDING_BODY_BYTES } from '../terugmelding/terugmelding-checks.ts';
import { terugmeldingCitizenApp } from '../terugmelding/terugmelding-citizen-app.ts';

export interface GatewayAppOptions {
  /** The service this gateway serves (`brp-personen`). */
  readonly serviceId: string;
  readonly directory: DirectoryProvider;
  readonly source: SourceOptions;
  /** Group-committed writer of access records and refusals. */
  readonly log: GroupCommitter<LogWrite, void>;
  /** Records refusals in the log (default: one on `log`, counting unidentified callers per minute). */
  readonly refusals?: RefusalRecorder;
  /** Group-committed nonce claims in the shared database. */
  readonly nonces: GroupCommitter<NonceClaim, boolean>;
  /** The bronhouder's private key (registered in the registry) that signs responses. */
  readonly signingKey: JWK;
  /** Keyed pseudonym of a BSN (HMAC with the log key). */
  readonly pseudonymise: (bsn: string) => string;
  /** A BSN's pseudonyms under the current and previous log keys, for the readers (default: the current only). */
  readonly pseudonymsOf?: (bsn: string) => readonly string[];
  /** What /readyz reports beside the directory: whether the log can be written (and why not), the Merkle log's state. */
  readonly readiness?: () => Promise<{
    logWritable: boolean;
    logFailure?: unknown;
    merkle?: Record<string, unknown>;
    rollback?: string;
    /** Each witness's state (cosigned size, last error, what waits, a finding): never makes it not ready. */
    witnesses?: unknown;
  }>;
  /**
   * Set when the database's log does not extend the head this gateway published (an older backup was
   * restored): every call is refused with 503 and this detail (in the BRP's pattern), except /healthz, /readyz, /metrics and
   * the log's public API (which shows auditors what the database holds; it signs no new head).
   */
  readonly rolledBack?: string;
  /** The operational log (JSON lines; default one for `gateway` on stdout). */
  readonly logger?: Logger;
  /** `GET /metrics`: the metrics in the Prometheus text format (the server entry's telemetry). */
  readonly metrics?: () => Promise<string>;
  readonly now?: () => number;
  readonly maxBodyBytes?: number;
  /** `service.instance.id` in the records' resource. */
  readonly instanceId?: string;
  /**
   * Per-caller quotas (`callerQuotas()`): signed calls by the afnemer's OIN (its bronhouder's grant in the
   * directory, else the default), citizen reads by subject, the rest by address. None: nothing is limited.
   */
  readonly quotas?: CallerQuotas;
  /** The stores of the log's readers (citizen inzage, Logboek read API, log proofs, coverage report). */
  readonly reads?: Omit<ReadStores, 'serviceId' | 'pseudonymsOf' | 'now' | 'logbookId' | 'instanceId'>;
}

/**
 * The gateway (inway) for one service. `POST /personen` is the design's list of stages, each its own
 * middleware; `signResponse` wraps them all and signs whatever they answer (refusals included) after
 * `next()`. No byte of a source answer leaves before its access records are committed. The log's
 * readers are sub-apps that read their stores from `c.var.reads`.
 *
 * @example
 * const app = createGatewayApp({ serviceId: 'brp-personen', directory, source: { url }, log, nonces, signingKey, pseudonymise });
 */
export function createGatewayApp(options: GatewayAppOptions) {
  const now = options.now ?? Date.now;
  const { serviceId, nonces } = options;
  const instanceId = options.instanceId ?? 'gateway';
  const refusals = options.refusals ?? createRefusalRecorder(options.log);
  const maxBody = options.maxBodyBytes === undefined ? {} : { maxBytes: options.maxBodyBytes };
  const logger = options.logger ?? createLogger('gateway');
  const report = failureReporter(logger);
  const onFitted = logFittedText(logger);
  const quotas = useQuotas(options.quotas);
  const app = new Hono<GatewayEnv>();

  // A described service names its own parameters, whose names the BRP's 30 characters would cut; a
  // route set of another API family (the terugmeldingen) says its own limits.
  const problemLimits = (c: Context<GatewayEnv>) => {
    const own = c.get('problemLimits');
    if (own) return own;
    const status = options.directory.status();
    const service = status.serial === undefined ? undefined : options.directory.current().services.get(serviceId);
    return service?.protocol === 'haal-centraal-hal' ? { nameMaxLength: 100 } : {};
  };
  app.onError(async (error, c) => {
    let refusal: ProblemError;
    if (isGatewayRefusal(error) || isProblemError(error)) refusal = error;
    else {
      // Never a stack trace to the client: the cause stays in our log (one line per kind per interval).
      report('unexpected error', error, { route: requestRoute(c) });
      refusal = new GatewayRefusal('internal', 'Er is een onverwachte fout opgetreden.');
    }
    const body = JSON.stringify(haalCentraalProblem(refusal, instanceOf(c, serviceId), onFitted, problemLimits(c)));
    if (c.get('trace')) await recordRefusal(c, refusal);
    return send(c, refusal.status, body, { 'content-type': PROBLEM_JSON, ...refusal.headers });
  });
  const notFound = (c: Context<GatewayEnv>) =>
    c.body(
      JSON.stringify(
        haalCentraalProblem(
          new ProblemError('notFound', `Er is geen ${c.req.method} op dit pad.`),
          instanceOf(c, serviceId),
        ),
      ),
      404,
      { 'content-type': PROBLEM_JSON },
    );
  app.notFound(notFound);
  // Only a described service has operations beyond the BRP's: any other path stays a plain 404 (unsigned, unlogged).
  const described = createMiddleware<GatewayEnv>(async function described(c, next) {
    const status = options.directory.status();
    const service = status.serial === undefined ? undefined : options.directory.current().services.get(serviceId);
    if (status.serial !== undefined && service?.protocol !== 'haal-centraal-hal') return notFound(c);
    await next();
  });

  if (options.rolledBack) {
    const reason = options.rolledBack;
    app.use(async function refuseRolledBack(c, next) {
      const path = c.req.path;
      if (['/healthz', '/readyz', '/metrics'].includes(path) || path.startsWith('/log/v1/')) return next();
      const refusal = new GatewayRefusal('logRolledBack', reason);
      const body = JSON.stringify(haalCentraalProblem(refusal, instanceOf(c, serviceId), onFitted, problemLimits(c)));
      return c.body(body, 503, { 'content-type': PROBLEM_JSON, ...refusal.headers });
    });
  }
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  if (options.metrics) app.get('/metrics', metricsHandler(options.metrics));
  app.get('/readyz', async (c) => {
    const directory = options.directory.status();
    const { logWritable, logFailure, merkle, rollback, witnesses } = (await options.readiness?.()) ?? {
      logWritable: true,
    };
    const ready = directory.fresh && logWritable && rollback === undefined;
    const log = { pending: options.log.pending, ...options.log.stats };
    return c.json(
      {
        status: ready ? 'ready' : 'not ready',
        directory,
        logWritable,
        ...(logFailure ? { logFailure } : {}),
        ...(rollback ? { rollback } : {}),
        log,
        nonces: nonces.stats,
        ...(merkle ? { merkle } : {}),
        ...(witnesses ? { witnesses } : {}),
      },
      ready ? 200 : 503,
    );
  });

  const sign = signResponse({ signingKey: options.signingKey, now });
  const resource = {
    'service.name': 'poortwachter-gateway',
    'service.instance.id': instanceId,
    'poortwachter.service_id': serviceId,
  };
  // What every profile shares after its authorisation: the source, minimisation, the log, the release.
  const source = traced('source', forward(options.source), { kind: SpanKind.CLIENT });
  const log = logAccess({ log: options.log, pseudonymise: options.pseudonymise, now, resource });
  const release = [source, minimise(), log] as const;
  app.post(
    '/personen',
    sign,
    traceContext({ now }),
    readBody(maxBody),
    withDirectory(options.directory),
    quotas,
    traced('verify', verifySignature({ serviceId, nonces, now })),
    traced(
      'authorise',
      authorise({ serviceId, profile: 'brp-personen-v2', query: brpQuery(), providerKid: options.signingKey.kid, now }),
    ),
    ...release,
  );

  if (options.reads) {
    const reads: ReadStores = {
      ...options.reads,
      serviceId,
      instanceId,
      logbookId: `${serviceId}/${instanceId}`,
      pseudonymsOf: options.pseudonymsOf ?? ((bsn) => [options.pseudonymise(bsn)]),
      now,
    };
    const base = every(sign, traceContext({ now }), withDirectory(options.directory), quotas, async (c, next) => {
      c.set('reads', reads);
      await next();
    });
    const verifyRead = traced(
      'verify',
      verifySignature({ serviceId, nonces, now, requiredComponents: REQUIRED_READ_COMPONENTS }),
    );
    const signedPost = every(readBody(maxBody), verifyRead);
    const signedGet = every(emptyBody(), verifyRead);
    const ownData = [
      traced('authorise', ownDataGrant({ serviceId, providerKid: options.signingKey.kid, now })),
      source,
      minimise(),
      onlyOwnData(),
      log,
    ] as const;
    const terugmeldingen = {
      serviceId,
      providerKid: options.signingKey.kid,
      log: options.log,
      pseudonymise: options.pseudonymise,
      resource,
      now,
      readBody: readBody({ maxBytes: TERUGMELDING_BODY_BYTES }),
    };
    const signedQuery = every(terugmeldingen.readBody, traced('verify', verifySignature({ serviceId, nonces, now })));
    app.route('/inzage/v1', citizenApp({ base, ownData, terugmeldingen: terugmeldingCitizenApp(terugmeldingen) }));
    app.route('/terugmeldingen', terugmeldingApp({ base, signedQuery, signedPost, signedGet }, terugmeldingen));
    app.route('/processing-activities', logboekApp({ base, signedPost }));
    app.route('/audit/v1', auditApp({ base, signedPost, signedGet, requireAuditor }));
    app.route('/log/v1', logApp({ base, signedGet }));
  }
  // A described service (`haal-centraal-hal`): any operation its description declares, by method and
  // path template; the call's parser refuses what it does not declare (404) before the source is asked.
  app.on(
    ['GET', 'POST'],
    '/*',
    described,
    sign,
    traceContext({ now }),
    readBody({ ...maxBody, answers: ['application/hal+json'] }),
    withDirectory(options.directory),
    quotas,
    traced('verify', verifySignature({ serviceId, nonces, now })),
    traced(
      'authorise',
      authorise({ serviceId, profile: 'haal-centraal-hal', providerKid: options.signingKey.kid, now }),
    ),
    ...release,
  );
  return app;

  async function recordRefusal(c: Context<GatewayEnv>, refusal: GatewayRefusal | ProblemError) {
    const reason = isGatewayRefusal(refusal) ? refusal.reason : refusal.code;
    const metrics = gatewayMetrics();
    metrics.refusals.add(1, { reason });
    metrics.requests.add(1, { outcome: 'refused', status: refusal.status });
    metrics.latency.record(now() - c.get('trace').startTime, { outcome: 'refused' });
    try {
      const recorded = await refusals.record({
        id: uuidv7(),
        at: now(),
        transaction_id: c.get('transactionId') ?? 'unknown',
        trace_id: c.get('trace')?.traceId ?? 'unknown',
        caller_oin: c.get('caller')?.organisation.oin ?? null,
        keyid: c.get('caller')?.kid ?? null,
        service_id: serviceId,
        processing_activity_id: c.req.header('processing-activity') ?? null,
        reason,
        status: refusal.status,
        fsc_error_code: isGatewayRefusal(refusal) ? refusal.fscErrorCode : REFUSALS.internal.fsc,
        detail: refusal.message.slice(0, 500),
      });
      // A flood over the quota is one line per caller per minute in the operational log, as in the log.
      if (reason !== 'rateLimited' || recorded === 'written') logRefusal(logger, c, refusal, reason);
    } catch (error) {
      logRefusal(logger, c, refusal, reason);
      report('could not record a refusal', error, { reason });
    }
  }
}

/** The absolute URI that was called, at the gateway's public URL (the problem's `instance`). */
function instanceOf(c: Context<GatewayEnv>, serviceId: string) {
  const url = new URL(c.req.url);
  const base = c.get('directory')?.services.get(serviceId)?.gatewayUrl.replace(/\/+$/, '') ?? url.origin;
  return `${base}${url.pathname}`;
}
