/**
 * NOT FOR PRODUCTION. A development identity provider, standing in for DigiD: anyone can get a token
 * for any of its test persons (and for no one else). It exists so that the citizen's inzage can be tried
 * and tested end to end; the gateway trusts it only because the demo registry registers it as an
 * identity provider. Each token is one login session: logging out (`POST /revoke`) ends it, and
 * gateways ask `POST /introspect` whether it is still on (sessions.ts).
 */
import { ASSURANCE_LEVELS, type AssuranceLevel, isBsn, ProblemError } from '@poortwachter/protocol';
import { Hono } from 'hono';
import { base64url, type JWK, SignJWT } from 'jose';
import { loginPage, type TestPerson } from './login-page.ts';
import { createSessionStore, sessionEndpoints } from './sessions.ts';

export type { TestPerson };

/** A browser application allowed to log citizens in here (authorization code with PKCE, RFC 7636). */
export interface DevIdpClient {
  readonly clientId: string;
  /** Exact redirect URIs; the code goes nowhere else. Their origins may read `/token` (CORS). */
  readonly redirectUris: readonly string[];
}

export interface DevIdpOptions {
  /** The issuer (`iss`), as registered in the registry: http://localhost:8303. */
  readonly issuer: string;
  /** The P-256 private key the registry seed made (its public half is in the directory). */
  readonly privateKey: JWK;
  /** The audience (`aud`) the gateway expects. */
  readonly audience: string;
  /** Token lifetime in seconds (default 600: short-lived, like a DigiD session); its session lasts as long. */
  readonly lifetimeSeconds?: number;
  readonly now?: () => number;
  /** Browser applications for the login flow (`GET /authorize`); none: only `POST /token` with JSON. */
  readonly clients?: readonly DevIdpClient[];
  /** The test persons (BSN and name): the login page offers them, and only they get a token. */
  readonly persons: readonly TestPerson[];
}

/** An issued authorization code: single use, one minute. */
interface PendingCode {
  readonly person: TestPerson;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly challenge: string;
  readonly expires: number;
}

const oauthError = (status: 400 | 401, error: string, description: string, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify({ error, error_description: description }), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
  });

const AUTHORIZE_PARAMS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'code_challenge',
  'code_challenge_method',
  'state',
  'scope',
];

const problem = (error: ProblemError) =>
  new Response(JSON.stringify(error.toProblem()), {
    status: error.status,
    headers: { 'content-type': 'application/problem+json' },
  });

const WARNING = 'Ontwikkel-inlog: NIET VOOR PRODUCTIE. Iedereen kan hier inloggen als elke testpersoon.';

/**
 * `POST /token` `{ "bsn": "999993653", "assurance": "midden" }` → `{ access_token, token_type, expires_in }`,
 * an ES256 JWT with `sub` = the BSN of a test person, `acr` = the DigiD level, `aud`, `iss`, `iat`, `exp`,
 * `jti` and `sid` (its session). Any other BSN is a 400 naming `bsn`.
 *
 * @example
 * const app = createDevIdpApp({
 *   issuer: 'http://localhost:8303',
 *   privateKey,
 *   audience: 'poortwachter-inzage',
 *   persons: [{ bsn: '999993653', name: 'Suzanne Moulin' }],
 * });
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
  // Nothing to wait for once listening: ready as soon as alive (the image's HEALTHCHECK asks every role /readyz).
  app.get('/readyz', (c) => c.json({ status: 'ok' }));
  app.get('/.well-known/jwks.json', (c) => c.json({ keys: [publicKey] }));
  app.get('/', (c) =>
    c.text(
      `${WARNING}\n\nVraag een token aan:\n  curl -s -X POST ${options.issuer}/token -H 'content-type: application/json' -d '{"bsn":"999993653"}'\n` +
        `\nUitloggen (het token en zijn sessie vervallen meteen):\n  curl -s -X POST ${options.issuer}/revoke --data-urlencode "token=$TOKEN"\n`,
    ),
  );
  const clients = options.clients ?? [];
  const persons = options.persons;
  const byBsn = new Map(persons.map((p) => [p.bsn, p]));
  const sessions = createSessionStore(now);
  const codes = new Map<string, PendingCode>();
  const origins = new Set(clients.flatMap((client) => client.redirectUris.map((uri) => new URL(uri).origin)));
  const corsOf = (origin: string | undefined): Record<string, string> =>
    origin && origins.has(origin) ? { 'access-control-allow-origin': origin, vary: 'Origin' } : { vary: 'Origin' };

  /** The test person with this BSN, or why no token can be given for it (plain Dutch). */
  function personOf(bsn: unknown): { person: TestPerson } | { code: string; reason: string } {
    if (typeof bsn !== 'string' || !isBsn(bsn)) {
      return { code: 'bsn', reason: 'Dit BSN klopt niet. Een BSN heeft 9 cijfers en moet de elfproef doorstaan.' };
    }
    const person = byBsn.get(bsn);
    if (!person) {
      return {
        code: 'testPerson',
        reason: 'Dit BSN is niet van een testpersoon. Met deze ontwikkel-inlog kunt u alleen inloggen als testpersoon.',
      };
    }
    return { person };
  }

  /** A token for a test person, and the login session it belongs to. */
  async function issue(person: TestPerson, assurance: AssuranceLevel) {
    const issuedAt = Math.floor(now() / 1000);
    const sid = sessions.start(lifetime * 1000);
    return new SignJWT({ acr: assurance, sid })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', ...(publicKey.kid ? { kid: publicKey.kid } : {}) })
      .setIssuer(options.issuer)
      .setSubject(person.bsn)
      .setAudience(options.audience)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + lifetime)
      .setJti(crypto.randomUUID())
      .sign(options.privateKey);
  }

  /** The authorization request as sent; a problem in words when it cannot be honoured. */
  function authorizeRequest(get: (name: string) => string | undefined) {
    const params = Object.fromEntries(
      AUTHORIZE_PARAMS.flatMap((k) => (get(k) === undefined ? [] : [[k, get(k) ?? '']])),
    );
    const client = clients.find((x) => x.clientId === params.client_id);
    // Without a known client and its exact redirect URI, nothing may be sent back (RFC 6749 §4.1.2.1).
    if (!client) return { error: `Onbekende toepassing (client_id ${params.client_id ?? 'ontbreekt'}).` };
    if (!params.redirect_uri || !client.redirectUris.includes(params.redirect_uri)) {
      return { error: 'Deze terugkeer-URL (redirect_uri) is niet geregistreerd voor deze toepassing.' };
    }
    if (params.response_type !== 'code') return { error: 'Alleen response_type=code wordt ondersteund.' };
    if (params.code_challenge_method !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(params.code_challenge ?? '')) {
      return { error: 'Een code_challenge met code_challenge_method=S256 (PKCE) is verplicht.' };
    }
    return { params, client, redirectUri: params.redirect_uri, challenge: params.code_challenge as string };
  }

  const page = (html: string, status: 200 | 400 = 200) =>
    new Response(html, {
      status,
      headers: {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${[...origins].join(' ')}; frame-ancestors 'none'; base-uri 'none'`,
        'referrer-policy': 'no-referrer',
      },
    });

  const matching = (q: string) => {
    const words = q.toLowerCase().split(/\s+/).filter(Boolean);
    const found = persons.filter((p) => words.every((w) => `${p.name} ${p.bsn}`.toLowerCase().includes(w)));
    return found.slice(0, 12);
  };

  app.get('/authorize', (c) => {
    const request = authorizeRequest((k) => c.req.query(k));
    const q = c.req.query('q') ?? '';
    if ('error' in request)
      return page(loginPage({ warning: WARNING, params: {}, persons: [], query: '', error: request.error }), 400);
    return page(loginPage({ warning: WARNING, params: request.params, persons: matching(q), query: q }));
  });

  app.post('/authorize', async (c) => {
    const form = await c.req.parseBody();
    const field = (k: string) => (typeof form[k] === 'string' ? (form[k] as string) : undefined);
    const request = authorizeRequest(field);
    if ('error' in request)
      return page(loginPage({ warning: WARNING, params: {}, persons: [], query: '', error: request.error }), 400);
    const chosen = personOf((field('bsn') || field('bsn-typed') || '').trim());
    if (!('person' in chosen)) {
      return page(
        loginPage({ warning: WARNING, params: request.params, persons: matching(''), query: '', error: chosen.reason }),
        400,
      );
    }
    const code = base64url.encode(crypto.getRandomValues(new Uint8Array(32)));
    codes.set(code, {
      person: chosen.person,
      clientId: request.client.clientId,
      redirectUri: request.redirectUri,
      challenge: request.challenge,
      expires: now() + 60_000,
    });
    for (const [k, v] of codes) if (v.expires < now()) codes.delete(k);
    const target = new URL(request.redirectUri);
    target.searchParams.set('code', code);
    if (request.params.state !== undefined) target.searchParams.set('state', request.params.state);
    target.searchParams.set('iss', options.issuer);
    return c.redirect(target.toString(), 303);
  });

  app.options('/:endpoint{token|revoke}', (c) => {
    const cors = corsOf(c.req.header('origin'));
    return c.body(null, 204, {
      ...cors,
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'content-type',
      'access-control-max-age': '600',
    });
  });

  app.post('/token', async (c) => {
    const cors = corsOf(c.req.header('origin'));
    if ((c.req.header('content-type') ?? '').startsWith('application/x-www-form-urlencoded')) {
      // The browser flow: the code from /authorize and the PKCE verifier it was made for (RFC 7636 §4.6).
      const form = new URLSearchParams(await c.req.text());
      if (form.get('grant_type') !== 'authorization_code') {
        return oauthError(400, 'unsupported_grant_type', 'Only grant_type=authorization_code.', cors);
      }
      const code = form.get('code') ?? '';
      const pending = codes.get(code);
      codes.delete(code);
      const verifier = form.get('code_verifier') ?? '';
      if (!pending || pending.expires < now()) {
        return oauthError(400, 'invalid_grant', 'The code is unknown, used or expired.', cors);
      }
      if (pending.clientId !== form.get('client_id') || pending.redirectUri !== form.get('redirect_uri')) {
        return oauthError(
          400,
          'invalid_grant',
          'client_id or redirect_uri differ from the authorization request.',
          cors,
        );
      }
      const hashed = base64url.encode(
        new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
      );
      if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || hashed !== pending.challenge) {
        return oauthError(400, 'invalid_grant', 'The code_verifier does not match the code_challenge.', cors);
      }
      const token = await issue(pending.person, 'midden');
      return c.json({ access_token: token, token_type: 'Bearer', expires_in: lifetime }, 200, {
        ...cors,
        'cache-control': 'no-store',
      });
    }
    // JSON only: a page of another site cannot send it without a preflight, which only the registered
    // origins pass, so it cannot start sessions in a citizen's name from its own page (text/plain could).
    if (!/^application\/json\s*(;|$)/i.test(c.req.header('content-type') ?? '')) {
      throw new ProblemError('unsupportedMediaType', 'Send the token request as application/json.', {
        invalidParams: [
          { name: 'content-type', code: 'mediaType', reason: 'Stuur JSON met content-type application/json.' },
        ],
      });
    }
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new ProblemError('paramsValidation', 'The body is not JSON.', {
        invalidParams: [{ name: 'body', code: 'json', reason: 'Stuur JSON: {"bsn": "999993653"}.' }],
      });
    }
    const { bsn, assurance = 'midden' } = (body ?? {}) as { bsn?: unknown; assurance?: unknown };
    const chosen = personOf(bsn);
    const invalid = [
      ...('person' in chosen ? [] : [{ name: 'bsn', ...chosen }]),
      ...(ASSURANCE_LEVELS.includes(assurance as AssuranceLevel)
        ? []
        : [{ name: 'assurance', code: 'enum', reason: `Kies uit ${ASSURANCE_LEVELS.join(', ')}.` }]),
    ];
    if (invalid.length > 0 || !('person' in chosen)) {
      const reasons = invalid.map((p) => `${p.name}: ${p.reason}`).join(' ');
      throw new ProblemError('paramsValidation', `The token request is not valid. ${reasons}`, {
        invalidParams: invalid,
      });
    }
    const token = await issue(chosen.person, assurance as AssuranceLevel);
    return c.json({ access_token: token, token_type: 'Bearer', expires_in: lifetime, warning: WARNING });
  });

  app.route(
    '/',
    sessionEndpoints({ issuer: options.issuer, audience: options.audience, publicKey, sessions, now, corsOf }),
  );
  return app;
}
