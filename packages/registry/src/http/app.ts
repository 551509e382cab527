import { metricsHandler, nameServerSpan, type WitnessCollector } from '@poortwachter/operations';
import { JOSE_JSON, ProblemError } from '@poortwachter/protocol';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Kysely } from 'kysely';
import type { DirectoryPublisher } from '../directory/publisher.ts';
import { DEFAULT_GROUP_ID } from '../domain/contract-terms.ts';
import type { ContractTrust } from '../repositories/contracts.ts';
import type { RegistryDatabase } from '../storage/database.ts';
import { authenticateChange, type ChangeEnv } from './admin-auth.ts';
import { onRegistryError, problemResponse } from './problem-response.ts';
import { changeLogRoutes } from './routes/change-log.ts';
import { contractRoutes } from './routes/contracts.ts';
import { recordRoutes } from './routes/records.ts';
import { witnessRoutes } from './routes/witnesses.ts';
import { REQUEST_SCHEMAS, type RequestSchemaName } from './schemas.ts';
import { publishedSchema } from './validate-body.ts';

export interface RegistryAppOptions {
  readonly db: Kysely<RegistryDatabase>;
  readonly publisher: DirectoryPublisher;
  /** Largest accepted request body in bytes (default 1 MiB: a field catalogue is the largest thing). */
  readonly maxBodyBytes?: number;
  /** `GET /metrics` in the Prometheus text format (the server entry's telemetry). */
  readonly metrics?: () => Promise<string>;
  /**
   * The registry's public base URL, as organisations sign their requests for it (setting
   * REGISTRY_PUBLIC_URL); without it, the URL as the request arrived.
   */
  readonly publicUrl?: string;
  /**
   * The trust anchors contract signers' keys must chain to, and the registry's FSC group. Without it
   * (a registry that only serves reads) no key is anchored: every contract signature is refused.
   */
  readonly trust?: ContractTrust;
  /**
   * The change log's witnessing (`startChangeLogWitnessing`): each witness's state (cosigned size, last
   * error, what waits, a finding) in the readiness body; it never makes the registry not ready.
   */
  readonly witnessing?: Pick<WitnessCollector, 'status'>;
}

/** `If-None-Match` may hold one or more ETags, quoted or weak; the directory's ETag is its serial. */
function matchesSerial(ifNoneMatch: string | undefined, serial: number): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, '').replace(/^"|"$/g, ''))
    .some((tag) => tag === '*' || tag === String(serial));
}

/**
 * The registry's HTTP API: the signed directory and JWKS, the JSON Schemas, public reads of every
 * record, the verifiable change log, and changes by the operator (admin token: onboarding and
 * registry-wide records) or by an organisation (signed requests: its own records).
 *
 * @example
 * const app = createRegistryApp({ db, publisher, trust: { anchors, groupId: 'poortwachter' } });
 * const res = await app.request('/v1/directory'); // application/jose
 */
export function createRegistryApp(options: RegistryAppOptions) {
  const { db, publisher } = options;
  const app = new Hono<ChangeEnv>();
  app.onError(onRegistryError);
  app.notFound((c) =>
    problemResponse(c, new ProblemError('notFound', `No route ${c.req.method} ${new URL(c.req.url).pathname}.`)),
  );
  app.use(nameServerSpan);

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  if (options.metrics) app.get('/metrics', metricsHandler(options.metrics));
  app.get('/readyz', async (c) =>
    c.json({
      status: 'ok',
      serial: await publisher.serial(),
      ...(options.witnessing ? { witnesses: options.witnessing.status() } : {}),
    }),
  );

  // The signed directory and the registry's keys are public: any web page may read them (a citizen's
  // browser verifies the directory itself, against the key its page pinned).
  const PUBLIC = { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'etag' };
  app.get('/.well-known/jwks.json', (c) =>
    c.json(publisher.jwks, 200, { 'cache-control': 'public, max-age=300', ...PUBLIC }),
  );

  app.get('/v1/directory', async (c) => {
    const serial = await publisher.serial();
    const etag = `"${serial}"`;
    if (matchesSerial(c.req.header('if-none-match'), serial)) return c.body(null, 304, { etag, ...PUBLIC });
    const signed = await publisher.current();
    // A verifier that reads the JSON serialization asks for it; the compact form stays the default.
    const json = (c.req.header('accept') ?? '').includes(JOSE_JSON);
    return c.body(json ? signed.jwsJson : signed.jws, 200, {
      'content-type': json ? JOSE_JSON : 'application/jose',
      vary: 'accept',
      etag: `"${signed.serial}"`,
      'cache-control': 'no-cache',
      ...PUBLIC,
    });
  });

  app.get('/v1/schemas', (c) =>
    c.json(Object.keys(REQUEST_SCHEMAS).map((name) => ({ name, href: `/v1/schemas/${name}.json` }))),
  );
  app.get('/v1/schemas/:file', (c) => {
    const name = c.req.param('file').replace(/\.json$/, '');
    // Own properties only: `__proto__` or `constructor` are names like any other, and unknown.
    if (!Object.hasOwn(REQUEST_SCHEMAS, name)) throw new ProblemError('notFound', `No schema ${name}.`);
    return c.json(publishedSchema(name as RequestSchemaName), 200, { 'content-type': 'application/schema+json' });
  });

  const trust = options.trust ?? { anchors: [], groupId: DEFAULT_GROUP_ID };
  const authenticate = authenticateChange(db, {
    anchors: trust.anchors,
    ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
  });
  app.use('/v1/*', bodyLimit({ maxSize: options.maxBodyBytes ?? 1024 * 1024 }));
  // Before the admin token's guard: a party's signature authenticates a change to a contract.
  app.route('/v1', contractRoutes(db, trust));
  app.use('/v1/*', async (c, next) =>
    c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : authenticate(c, next),
  );
  app.route('/v1', recordRoutes(db, publisher, trust.anchors));
  app.route('/v1', witnessRoutes(db));
  app.route('/v1/changes/log', changeLogRoutes(db, publisher));
  return app;
}
