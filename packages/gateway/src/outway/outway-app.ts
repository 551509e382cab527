import { failureReporter, type Logger, metricsHandler, requestRoute } from '@poortwachter/operations';
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
import type { Kysely } from 'kysely';
import type { DirectoryProvider } from '../directory/directory-provider.ts';
import type { GroupCommitter } from '../log/group-commit.ts';
import type { RefusalRecorder } from '../log/refusal-recorder.ts';
import type { GatewayEnv, ReadStores } from '../pipeline/context.ts';
import { withDirectory } from '../pipeline/directory.ts';
import { logFittedText, logRefusal } from '../pipeline/log-refusal.ts';
import { PROBLEM_JSON } from '../pipeline/media-types.ts';
import { gatewayMetrics } from '../pipeline/metrics.ts';
import type { CallerQuotas } from '../pipeline/quota.ts';
import { useQuotas } from '../pipeline/quota-stages.ts';
import { emptyBody, readBody } from '../pipeline/read-body.ts';
import { send, signResponse } from '../pipeline/sign-response.ts';
import type { SourcePost } from '../pipeline/source-client.ts';
import { traceContext } from '../pipeline/trace-context.ts';
import { traced } from '../pipeline/traced.ts';
import { REQUIRED_READ_COMPONENTS, verifySignature } from '../pipeline/verify-signature.ts';
import { haalCentraalProblem } from '../profiles/haal-centraal-problem.ts';
import { logApp } from '../reads/log-app.ts';
import { logboekApp } from '../reads/logboek-app.ts';
import type { LogWrite } from '../storage/access-log-store.ts';
import type { NonceClaim } from '../storage/nonce-store.ts';
import { TERUGMELDING_BODY_BYTES } from '../terugmelding/terugmelding-checks.ts';
import { adminApp } from './admin-app.ts';
import type { AdminTokenHashes } from './admin-token.ts';
import { authenticateApplication } from './authenticate.ts';
import { callProvider } from './call-provider.ts';
import { chooseGrant } from './choose-grant.ts';
import type { OutwayEnv } from './context.ts';
import { grantHash } from './grant-hash.ts';
import { logReceived, transactionHeaders } from './log-received.ts';
import type { OutwayDatabase } from './tables.ts';
import { chooseTerugmelding, logTerugmelding } from './terugmelding.ts';

export interface OutwayAppOptions {
  /** The afnemer this outway signs for (its OIN in the directory). */
  readonly organisationOin: string;
  /** The afnemer's private key (registered in the registry): signs queries and the outway's log reads. */
  readonly privateKey: JWK;
  /** The outway's public URL: signed reads of its log are made for it. */
  readonly publicUrl: string;
  readonly db: Kysely<OutwayDatabase>;
  readonly directory: DirectoryProvider;
  readonly post: SourcePost;
  readonly log: GroupCommitter<LogWrite, void>;
  readonly refusals: RefusalRecorder;
  readonly nonces: GroupCommitter<NonceClaim, boolean>;
  readonly pseudonymise: (bsn: string) => string;
  /** A BSN's pseudonyms under the current and previous log keys, for the readers (default: the current only). */
  readonly pseudonymsOf?: (bsn: string) => readonly string[];
  readonly instanceId: string;
  /** SHA-256 hashes (hex) of the admin tokens that may register applications; a function is asked at every request (tokens added or revoked without a restart). */
  readonly adminTokenHashes: AdminTokenHashes;
  readonly reads: Omit<
    ReadStores,
    'serviceId' | 'pseudonymsOf' | 'now' | 'logbookId' | 'instanceId' | 'ownerOin' | 'ownerOnly'
  >;
  readonly readiness: () => Promise<{
    logWritable: boolean;
    logFailure?: unknown;
    merkle?: Record<string, unknown>;
    witnesses?: unknown;
  }>;
  /** The operational log (JSON lines). */
  readonly logger: Logger;
  /** `GET /metrics` in the Prometheus text format. */
  readonly metrics?: () => Promise<string>;
  readonly now?: () => number;
  readonly timeoutMs?: number;
  readonly maxResponseBytes?: number;
  readonly maxBodyBytes?: number;
  /** Per-caller quotas (`callerQuotas()`): each application by its id, the log's public reads by address. None: nothing is limited. */
  readonly quotas?: CallerQuotas;
}

/**
 * The outway (the afnemer's side): applications call the BRP API Personen as the spec defines it,
 * `POST /<service>/personen` or `POST /personen` with `Fsc-Grant-Hash`, with their API key in
 * `X-API-KEY`; the outway chooses the grant, signs with the organisation's key, calls the provider's
 * inway, verifies its signed answer, logs it on the afnemer's side and only then answers, with the
 * provider's body byte for byte. Its own log has the Logboek read API and the verifiable log's proofs.
 *
 * @example
 * const app = createOutwayApp({ organisationOin, privateKey, publicUrl, db, directory, post, log, refusals, nonces, … });
 */
export function createOutwayApp(options: OutwayAppOptions) {
  const now = options.now ?? Date.now;
  const report = failureReporter(options.logger);
  const onFitted = logFittedText(options.logger);
  const app = new Hono<OutwayEnv>();
  const maxBody = options.maxBodyBytes === undefined ? {} : { maxBytes: options.maxBodyBytes };
  const quotas = useQuotas(options.quotas);

  app.onError(async (error, c) => {
    let refusal: ProblemError;
    if (isGatewayRefusal(error) || isProblemError(error)) refusal = error;
    else {
      report('unexpected error', error, { route: requestRoute(c) });
      refusal = new GatewayRefusal('internal', 'Er is een onverwachte fout opgetreden.');
    }
    if (c.get('trace') && c.get('query')) await recordRefusal(c, refusal);
    const body = JSON.stringify(
      haalCentraalProblem(
        refusal,
        `${options.publicUrl.replace(/\/+$/, '')}${c.req.path}`,
        onFitted,
        c.get('problemLimits') ?? {},
      ),
    );
    // A refusal on an exchange route carries the transaction id and our span, as every answer there does.
    return send(c as never, refusal.status, body, {
      'content-type': PROBLEM_JSON,
      ...refusal.headers,
      ...(c.get('query') ? transactionHeaders(c) : {}),
    });
  });
  app.notFound((c) =>
    c.body(
      JSON.stringify(
        haalCentraalProblem(new ProblemError('notFound', `Er is geen ${c.req.method} op dit pad.`), c.req.url),
      ),
      404,
      { 'content-type': PROBLEM_JSON },
    ),
  );

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  if (options.metrics) app.get('/metrics', metricsHandler(options.metrics));
  app.get('/readyz', async (c) => {
    const directory = options.directory.status();
    const { logWritable, logFailure, merkle, witnesses } = await options.readiness();
    const ready = directory.fresh && logWritable;
    return c.json(
      {
        status: ready ? 'ready' : 'not ready',
        directory,
        logWritable,
        ...(logFailure ? { logFailure } : {}),
        log: { pending: options.log.pending, ...options.log.stats },
        ...(merkle ? { merkle } : {}),
        ...(witnesses ? { witnesses } : {}),
      },
      ready ? 200 : 503,
    );
  });

  const exchange = [
    createMiddleware<OutwayEnv>(async function queryRoute(c, next) {
      c.set('query', true);
      await next();
    }),
    traceContext({ now }),
    quotas,
    authenticateApplication(options.db),
  ] as const;
  const provider = traced(
    'provider',
    callProvider({
      privateKey: options.privateKey,
      post: options.post,
      timeoutMs: options.timeoutMs ?? 10_000,
      maxResponseBytes: options.maxResponseBytes ?? 16 * 1024 * 1024,
      now,
    }),
  );
  const logOptions = {
    log: options.log,
    refusals: options.refusals,
    organisationOin: options.organisationOin,
    pseudonymise: options.pseudonymise,
    now,
    resource: { 'service.name': 'poortwachter-outway', 'service.instance.id': options.instanceId },
  };
  const grantOptions = { organisationOin: options.organisationOin, now };
  const query = [
    ...exchange,
    readBody({ ...maxBody, answers: ['application/hal+json'] }),
    withDirectory(options.directory),
    chooseGrant(grantOptions),
    provider,
    logReceived(logOptions),
  ] as const;
  app.post('/personen', ...query);
  // The Terugmelding operation: the afnemer's doubt about a value, sent to its bronhouder as a query is.
  const terugmelding = [
    ...exchange,
    // The inway's limit: a melding with attachments the inway takes passes the outway too.
    readBody({ maxBytes: TERUGMELDING_BODY_BYTES }),
    withDirectory(options.directory),
    chooseTerugmelding(grantOptions),
    provider,
    logTerugmelding(logOptions),
  ] as const;
  app.post('/terugmeldingen', ...terugmelding);
  app.get('/terugmeldingen/:id', ...terugmelding);

  // For the application's developer: the grants of this organisation, with their Fsc-Grant-Hash.
  app.get(
    '/grants',
    traceContext({ now }),
    quotas,
    authenticateApplication(options.db),
    withDirectory(options.directory),
    (c) => {
      const application = c.get('application');
      const directory = c.get('directory');
      const grants = directory.snapshot.autorisaties
        .filter((a) => a.afnemerOin === options.organisationOin && a.revokedAt === null)
        .filter((a) => application?.processingActivities.includes(a.processingActivityId))
        .map((a) => ({
          autorisatie: a.id,
          service: a.serviceId,
          processingActivity: a.processingActivityId,
          fscGrantHash: grantHash(directory.snapshot, a),
          searchTypes: a.searchTypes,
          validFrom: a.validFrom,
          validTo: a.validTo,
        }));
      return c.json({ application: application?.name, grants });
    },
  );

  app.route(
    '/admin/v1',
    adminApp({
      db: options.db,
      organisationOin: options.organisationOin,
      directory: options.directory,
      adminTokenHashes: options.adminTokenHashes,
      publicUrl: options.publicUrl,
      nonces: options.nonces,
      now,
    }),
  );

  // The afnemer's log, read as an inway's is: the Logboek read API and the verifiable log (signed reads).
  const reads: ReadStores = {
    ...options.reads,
    serviceId: 'outway',
    instanceId: options.instanceId,
    logbookId: `outway/${options.instanceId}`,
    ownerOin: options.organisationOin,
    ownerOnly: true,
    pseudonymsOf: options.pseudonymsOf ?? ((bsn) => [options.pseudonymise(bsn)]),
    now,
  };
  const sign = signResponse({ signingKey: options.privateKey, now });
  const base = every(sign, traceContext({ now }), withDirectory(options.directory), quotas, async (c, next) => {
    c.set('reads', reads);
    await next();
  });
  const verifyRead = traced(
    'verify',
    verifySignature({
      serviceId: 'outway',
      publicUrl: options.publicUrl,
      nonces: options.nonces,
      now,
      requiredComponents: REQUIRED_READ_COMPONENTS,
    }),
  );
  const readerApp = new Hono<GatewayEnv>();
  readerApp.route('/processing-activities', logboekApp({ base, signedPost: every(readBody(maxBody), verifyRead) }));
  readerApp.route('/log/v1', logApp({ base, signedGet: every(emptyBody(), verifyRead) }));
  app.route('/', readerApp as never);
  // `/<service>/<its path>`: the BRP's `POST /personen`, or any operation a described service declares.
  app.on(['GET', 'POST'], '/:serviceId/*', ...query);
  return app;

  function knownService(c: Context<OutwayEnv>): string | undefined {
    const id = c.req.param('serviceId');
    return id !== undefined && c.get('directory')?.services.has(id) ? id : undefined;
  }

  async function recordRefusal(c: Context<OutwayEnv>, refusal: ProblemError) {
    const reason = isGatewayRefusal(refusal) ? refusal.reason : refusal.code;
    const application = c.get('application');
    gatewayMetrics().refusals.add(1, { reason });
    try {
      const recorded = await options.refusals.record({
        id: uuidv7(),
        at: now(),
        transaction_id: c.get('transactionId') ?? 'unknown',
        trace_id: c.get('trace')?.traceId ?? 'unknown',
        // An application we identified is the organisation's to account for; an unknown caller is counted.
        caller_oin: application ? options.organisationOin : null,
        keyid: application ? `application:${application.id}` : null,
        // Only a service the directory knows: the path is the caller's text (a BSN, a forged line), and an
        // unknown one per row would also let an anonymous caller make a counted row per path it invents.
        service_id: c.get('outwayGrant')?.service.id ?? knownService(c) ?? 'unknown',
        processing_activity_id: c.get('outwayGrant')?.processingActivity ?? c.req.header('processing-activity') ?? null,
        reason,
        status: refusal.status,
        fsc_error_code: isGatewayRefusal(refusal) ? refusal.fscErrorCode : REFUSALS.internal.fsc,
        detail: refusal.message.slice(0, 500),
      });
      if (reason !== 'rateLimited' || recorded === 'written') logRefusal(options.logger, c, refusal, reason);
    } catch (error) {
      logRefusal(options.logger, c, refusal, reason);
      report('could not record a refusal', error, { reason });
    }
  }
}
