/**
 * NOT FOR PRODUCTION. A development identity provider, standing in for DigiD: anyone can get a token
 * for any test BSN. It exists so that the citizen's inzage can be tried and tested end to end; the
 * gateway trusts it only because the demo registry registers it as an identity provider.
 */
import { ASSURANCE_LEVELS, type AssuranceLevel, isBsn, ProblemError } from '@poortwachter/protocol';
import { Hono } from 'hono';
import { type JWK, SignJWT } from 'jose';

export interface DevIdpOptions {
  /** The issuer (`iss`), as registered in the registry: http://localhost:8303. */
  readonly issuer: string;
  /** The P-256 private key the registry seed made (its public half is in the directory). */
  readonly privateKey: JWK;
  /** The audience (`aud`) the gateway expects. */
  readonly audience: string;
  /** Token lifetime in seconds (default 600: short-lived, like a DigiD session). */
  readonly lifetimeSeconds?: number;
  readonly now?: () => number;
}

const problem = (error: ProblemError) =>
  new Response(JSON.stringify(error.toProblem()), {
    status: error.status,
    headers: { 'content-type': 'application/problem+json' },
  });

const WARNING = 'Ontwikkel-inlog: NIET VOOR PRODUCTIE. Iedereen kan hier inloggen als elke test-BSN.';

/**
 * `POST /token` `{ "bsn": "999993653", "assurance": "midden" }` → `{ access_token, token_type, expires_in }`,
 * an ES256 JWT with `sub` = the BSN, `acr` = the DigiD level, `aud`, `iss`, `iat`, `exp` and `jti`.
 *
 * @example
 * const app = createDevIdpApp({ issuer: 'http://localhost:8303', privateKey, audience: 'poortwachter-inzage' });
 */
export function createDevIdpApp(options: DevIdpOptions) {
  const now = options.now ?? Date.now;
  const lifetime = options.lifetimeSeconds ?? 600;
  const { d: _d, ...publicKey } = options.privateKey;
  const app = new Hono();
  app.onError((error) =>
    problem(error instanceof ProblemError ? error : new ProblemError('serverError', 'An unexpected error occurred.')),
  );

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/.well-known/jwks.json', (c) => c.json({ keys: [publicKey] }));
  app.get('/', (c) =>
    c.text(
      `${WARNING}\n\nVraag een token aan:\n  curl -s -X POST ${options.issuer}/token -H 'content-type: application/json' -d '{"bsn":"999993653"}'\n`,
    ),
  );
  app.post('/token', async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new ProblemError('paramsValidation', 'The body is not JSON.', {
        invalidParams: [{ name: 'body', code: 'json', reason: 'Stuur JSON: {"bsn": "999993653"}.' }],
      });
    }
    const { bsn, assurance = 'midden' } = (body ?? {}) as { bsn?: unknown; assurance?: unknown };
    const invalid = [
      ...(typeof bsn === 'string' && isBsn(bsn)
        ? []
        : [{ name: 'bsn', code: 'bsn', reason: 'Geef een BSN van 9 cijfers die de elfproef doorstaat.' }]),
      ...(ASSURANCE_LEVELS.includes(assurance as AssuranceLevel)
        ? []
        : [{ name: 'assurance', code: 'enum', reason: `Kies uit ${ASSURANCE_LEVELS.join(', ')}.` }]),
    ];
    if (invalid.length > 0) {
      throw new ProblemError('paramsValidation', 'The token request is not valid.', { invalidParams: invalid });
    }
    const issuedAt = Math.floor(now() / 1000);
    const token = await new SignJWT({ acr: assurance as string })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', ...(publicKey.kid ? { kid: publicKey.kid } : {}) })
      .setIssuer(options.issuer)
      .setSubject(bsn as string)
      .setAudience(options.audience)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + lifetime)
      .setJti(crypto.randomUUID())
      .sign(options.privateKey);
    return c.json({ access_token: token, token_type: 'Bearer', expires_in: lifetime, warning: WARNING });
  });
  return app;
}
