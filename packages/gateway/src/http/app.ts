import { type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import { GatewayRefusal, isGatewayRefusal, isProblemError, ProblemError, REFUSALS } from '@poortwachter/protocol';
import {
  contentDigest,
  formatTraceparent,
  READ_RESPONSE_COMPONENTS,
  RESPONSE_COMPONENTS,
  type RegistryHistory,
  signMessage,
  snapshotHistory,
  uuidv7,
} from '@poortwachter/sdk';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { every } from 'hono/combine';
import { createMiddleware } from 'hono/factory';
import type { JWK } from 'jose';
import type { Kysely } from 'kysely';
import type { DirectoryProvider } from '../directory/directory-provider.ts';
import { buildAccessRecords, releasePersonen } from '../log/build-records.ts';
import type { GroupCommitter } from '../log/group-commit.ts';
import { createRefusalRecorder, type RefusalRecorder } from '../log/refusal-recorder.ts';
import { authorise } from '../pipeline/authorise.ts';
import type { GatewayEnv } from '../pipeline/context.ts';
import { createSourceForwarder, type SourceOptions } from '../pipeline/forward.ts';
import { readBody } from '../pipeline/read-body.ts';
import { traceContext } from '../pipeline/trace-context.ts';
import { REQUIRED_READ_COMPONENTS, verifySignature } from '../pipeline/verify-signature.ts';
import { brpQuery } from '../protocol/brp-query.ts';
import type { LogWrite } from '../storage/access-log-store.ts';
import type { NonceClaim } from '../storage/nonce-store.ts';
import type { GatewayDatabase } from '../storage/tables.ts';
import { brpProblem } from './brp-problem.ts';
import { logRoutes } from './log-routes.ts';
import { JSON_UTF8, PROBLEM_JSON } from './media-types.ts';
import { gatewayMetrics } from './metrics.ts';
import { readRoutes } from './read-routes.ts';

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
  /** Reports whether the log can be written, for /readyz. */
  readonly logWritable?: () => Promise<boolean>;
  /** Signs a head over this instance's log now (before a coverage report is computed on the heads). */
  readonly signHeads?: () => Promise<unknown>;
  /** The Merkle log's size and newest signed head, for /readyz. */
  readonly merkleStatus?: () => Record<string, unknown>;
  readonly now?: () => number;
  readonly maxBodyBytes?: number;
  /** `service.instance.id` in the records' resource. */
  readonly instanceId?: string;
  /**
   * The readers of the log (citizen inzage, Logboek read API, auditor's coverage report) on the
   * gateway's database; the registry's history for the report (default: the snapshot alone).
   */
  readonly reads?: { readonly db: Kysely<GatewayDatabase>; readonly history?: RegistryHistory };
}

const tracer = trace.getTracer('@poortwachter/gateway');

/** A pipeline middleware, built once, run inside its OpenTelemetry span on every request. */
const traced = (name: string, middleware: MiddlewareHandler<GatewayEnv>) =>
  createMiddleware<GatewayEnv>((c, next) => step(name, () => middleware(c, next)));

/** Runs one pipeline step inside an OpenTelemetry span (no-op unless the server entry wires an SDK). */
async function step<T>(name: string, fn: (span: Span) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(`gateway.${name}`, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * The gateway (inway) for one service: trace context → size and content type → signature and
 * replay → autorisatie → source → minimise → log (durably, group-committed) → sign → release.
 * No byte of a source answer leaves before its access records are committed.
 *
 * @example
 * const app = createGatewayApp({ serviceId: 'brp-personen', directory, source: { url }, log, nonces, signingKey, pseudonymise });
 */
export function createGatewayApp(options: GatewayAppOptions) {
  const now = options.now ?? Date.now;
  const app = new Hono<GatewayEnv>();
  const forwardToSource = createSourceForwarder(options.source);
  const query = brpQuery();
  const refusals = options.refusals ?? createRefusalRecorder(options.log);
  const resource = {
    'service.name': 'poortwachter-gateway',
    'service.instance.id': options.instanceId ?? 'gateway',
    'poortwachter.service_id': options.serviceId,
  };

  /** Signs (when the request was signed), sets the transaction and trace headers, and returns the response. */
  async function respond(
    c: Context<GatewayEnv>,
    status: number,
    body: string,
    contentType: string,
    extra: Record<string, string> = {},
    digest?: string,
  ) {
    const headers: Record<string, string> = {
      'content-type': contentType,
      'content-digest': digest ?? (await contentDigest(body)),
      'fsc-transaction-id': c.get('transactionId'),
      traceparent: formatTraceparent(c.get('trace').traceId, c.get('trace').spanId),
      ...extra,
    };
    // Bound to the request's signature when there was one; a citizen's (token) request gets the plain form.
    const requestHeaders = c.req.raw.headers;
    Object.assign(
      headers,
      await signMessage(
        { status, header: (name) => (Object.hasOwn(headers, name) ? (headers[name] ?? null) : null) },
        c.get('caller')
          ? {
              components: RESPONSE_COMPONENTS,
              privateKey: options.signingKey,
              created: Math.floor(now() / 1000),
              request: { header: (name) => requestHeaders.get(name) },
            }
          : { components: READ_RESPONSE_COMPONENTS, privateKey: options.signingKey, created: Math.floor(now() / 1000) },
      ),
    );
    return c.body(body, status as 200, headers);
  }

  async function recordRefusal(c: Context<GatewayEnv>, refusal: GatewayRefusal | ProblemError, reason: string) {
    gatewayMetrics.refusals.add(1, { reason });
    gatewayMetrics.requests.add(1, { outcome: 'refused', status: refusal.status });
    try {
      await refusals.record({
        id: uuidv7(),
        at: now(),
        transaction_id: c.get('transactionId') ?? 'unknown',
        trace_id: c.get('trace')?.traceId ?? 'unknown',
        caller_oin: c.get('caller')?.organisation.oin ?? null,
        keyid: c.get('caller')?.kid ?? null,
        service_id: options.serviceId,
        processing_activity_id: c.req.header('processing-activity') ?? null,
        reason,
        status: refusal.status,
        fsc_error_code: isGatewayRefusal(refusal) ? refusal.fscErrorCode : REFUSALS.internal.fsc,
        detail: refusal.message.slice(0, 500),
      });
    } catch (error) {
      console.error('gateway: could not record a refusal', error);
    }
  }

  /** The absolute URI that was called, at the gateway's public URL (the problem's `instance`). */
  const instanceOf = (c: Context<GatewayEnv>) => {
    const url = new URL(c.req.url);
    const base = c.get('directory')?.services.get(options.serviceId)?.gatewayUrl.replace(/\/+$/, '') ?? url.origin;
    return `${base}${url.pathname}`;
  };

  app.onError(async (error, c) => {
    let refusal: ProblemError;
    if (isGatewayRefusal(error) || isProblemError(error)) refusal = error;
    else {
      // Never a stack trace to the client: the cause stays in our log.
      console.error('gateway: unexpected error', error);
      refusal = new GatewayRefusal('internal', 'Er is een onverwachte fout opgetreden.');
    }
    const body = JSON.stringify(brpProblem(refusal, instanceOf(c)));
    if (!c.get('trace')) return c.body(body, refusal.status as 500, { 'content-type': PROBLEM_JSON });
    await recordRefusal(c, refusal, isGatewayRefusal(refusal) ? refusal.reason : refusal.code);
    return respond(c, refusal.status, body, PROBLEM_JSON, { ...refusal.headers });
  });
  app.notFound((c) =>
    c.body(
      JSON.stringify(
        brpProblem(new ProblemError('notFound', `Er is geen ${c.req.method} ${c.req.path}.`), instanceOf(c)),
      ),
      404,
      { 'content-type': PROBLEM_JSON },
    ),
  );

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const directory = options.directory.status();
    const logWritable = (await options.logWritable?.()) ?? true;
    const ready = directory.fresh && logWritable;
    return c.json(
      {
        status: ready ? 'ready' : 'not ready',
        directory,
        logWritable,
        log: { pending: options.log.pending, ...options.log.stats },
        nonces: options.nonces.stats,
        ...(options.merkleStatus ? { merkle: options.merkleStatus() } : {}),
      },
      ready ? 200 : 503,
    );
  });

  const withDirectory = createMiddleware<GatewayEnv>(async function withDirectory(c, next) {
    c.set('directory', options.directory.current());
    await next();
  });

  app.post(
    '/personen',
    traceContext({ now }),
    readBody(options.maxBodyBytes === undefined ? {} : { maxBytes: options.maxBodyBytes }),
    withDirectory,
    traced('verify', verifySignature({ serviceId: options.serviceId, nonces: options.nonces, now })),
    traced('authorise', authorise({ serviceId: options.serviceId, query, now })),
    async function release(c) {
      const grant = c.get('grant');
      const caller = c.get('caller');
      if (!grant || !caller) throw new GatewayRefusal('internal', 'De stappen van de gateway liepen niet in volgorde.');
      const answer = await step('source', () =>
        forwardToSource(grant, { trace: c.get('trace'), transactionId: c.get('transactionId') }),
      );
      const people = releasePersonen(grant, answer.personen, c.get('directory').automaticFields.get(grant.service.id));
      const body = JSON.stringify({ type: answer.type, personen: people.map((p) => p.released) });
      const responseDigest = await contentDigest(body);
      const records = buildAccessRecords(people, {
        grant,
        caller,
        trace: c.get('trace'),
        transactionId: c.get('transactionId'),
        endTime: now(),
        responseDigest,
        pseudonymise: options.pseudonymise,
        resource,
      });
      await step('log-commit', async (span) => {
        span.setAttribute('poortwachter.records', records.length);
        try {
          const submitted = performance.now();
          await options.log.submit({ accessRecords: records });
          gatewayMetrics.logCommit.record(performance.now() - submitted);
        } catch (cause) {
          throw new GatewayRefusal(
            'logWriteFailed',
            'Het logboek kon niet worden geschreven. Er is niets vrijgegeven.',
            {
              cause,
            },
          );
        }
      });
      gatewayMetrics.requests.add(1, { outcome: 'released', status: 200 });
      gatewayMetrics.latency.record(now() - c.get('trace').startTime, { outcome: 'released' });
      return respond(c, 200, body, JSON_UTF8, {}, responseDigest);
    },
  );

  if (options.reads) {
    const readBefore = every(traceContext({ now }), withDirectory);
    const verifyRead = traced(
      'verify',
      verifySignature({
        serviceId: options.serviceId,
        nonces: options.nonces,
        now,
        requiredComponents: REQUIRED_READ_COMPONENTS,
      }),
    );
    readRoutes(app, {
      db: options.reads.db,
      serviceId: options.serviceId,
      history: options.reads.history ?? snapshotHistory(() => options.directory.current().snapshot),
      pseudonymise: options.pseudonymise,
      now,
      logbookId: `${options.serviceId}/${options.instanceId ?? 'gateway'}`,
      ...(options.signHeads ? { signHeads: options.signHeads } : {}),
      before: readBefore,
      readBody: readBody(options.maxBodyBytes === undefined ? {} : { maxBytes: options.maxBodyBytes }),
      verifyRead,
      respond: (c, status, body, contentType) => respond(c, status, body, contentType),
    });
    logRoutes(app, {
      db: options.reads.db,
      pseudonymise: options.pseudonymise,
      now,
      before: readBefore,
      verifyRead,
      respond: (c, status, body, contentType) => respond(c, status, body, contentType),
    });
  }
  return app;
}
