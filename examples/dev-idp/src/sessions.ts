/**
 * The dev identity provider's login sessions: one per token it issues (a token names its session in
 * `sid`), ended by logging out (RFC 7009 revocation) and asked after by gateways (RFC 7662
 * introspection). Kept in this process's memory only: a restart forgets every session, so every token
 * it issued before is inactive from then on (the safe side: the citizen logs in again).
 */
import { Hono } from 'hono';
import { errors, importJWK, type JWK, type JWTPayload, jwtVerify } from 'jose';

/** Sessions kept at most; past that the oldest is ended (it would expire first anyway). */
const MAX_SESSIONS = 100_000;

/** The sessions in memory: session id → when it ends (ms since the epoch). */
export function createSessionStore(now: () => number, maxSessions = MAX_SESSIONS) {
  const sessions = new Map<string, number>();
  return {
    /** Starts a session that lasts `lifetimeMs`; returns its id. */
    start(lifetimeMs: number): string {
      for (const [sid, ends] of sessions) {
        if (ends > now() && sessions.size < maxSessions) break;
        sessions.delete(sid);
      }
      const sid = crypto.randomUUID();
      sessions.set(sid, now() + lifetimeMs);
      return sid;
    },
    /** Whether the session is still on: started here, not ended, not expired. */
    isActive(sid: unknown): boolean {
      const ends = typeof sid === 'string' ? sessions.get(sid) : undefined;
      return ends !== undefined && ends > now();
    },
    end(sid: unknown): void {
      if (typeof sid === 'string') sessions.delete(sid);
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;

/**
 * `POST /revoke` (RFC 7009: logging out ends the token's session, so every token of it) and
 * `POST /introspect` (RFC 7662: `{ active, … }`), both with a form body `token=…`. Neither asks for
 * client authentication: the token is the only secret, revoking it is what its holder may do, and
 * introspection tells nothing the token does not say itself. A production identity provider
 * authenticates the caller of its introspection endpoint.
 */
export function sessionEndpoints(options: {
  readonly issuer: string;
  readonly audience: string;
  readonly publicKey: JWK;
  readonly sessions: SessionStore;
  readonly now: () => number;
  /** CORS headers for a browser origin (the registered clients' may read the answer of `/revoke`). */
  readonly corsOf: (origin: string | undefined) => Record<string, string>;
}) {
  const app = new Hono();
  let key: ReturnType<typeof importJWK> | undefined;

  /** The token's claims when this provider issued it and it has not expired; undefined otherwise. */
  async function ownToken(token: string): Promise<JWTPayload | undefined> {
    key ??= importJWK(options.publicKey, 'ES256');
    try {
      const { payload } = await jwtVerify(token, await key, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: ['ES256'],
        currentDate: new Date(options.now()),
      });
      return payload;
    } catch (error) {
      if (error instanceof errors.JOSEError) return undefined;
      throw error;
    }
  }

  const tokenOf = async (c: { req: { header(name: string): string | undefined; text(): Promise<string> } }) =>
    (c.req.header('content-type') ?? '').startsWith('application/x-www-form-urlencoded')
      ? new URLSearchParams(await c.req.text()).get('token')
      : null;

  const oauthError = (description: string, headers: Record<string, string>) =>
    new Response(JSON.stringify({ error: 'invalid_request', error_description: description }), {
      status: 400,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
    });

  app.post('/revoke', async (c) => {
    const cors = options.corsOf(c.req.header('origin'));
    const token = await tokenOf(c);
    if (!token) return oauthError('Send the token as a form: token=….', cors);
    // An unknown, expired or foreign token is answered like a revoked one (RFC 7009 §2.2).
    const claims = await ownToken(token);
    if (claims) options.sessions.end(claims.sid);
    return c.body(null, 200, { ...cors, 'cache-control': 'no-store' });
  });

  app.post('/introspect', async (c) => {
    const token = await tokenOf(c);
    if (!token) return oauthError('Send the token as a form: token=….', {});
    const claims = await ownToken(token);
    const active = claims !== undefined && options.sessions.isActive(claims.sid);
    return c.json(active ? { active, token_type: 'Bearer', ...claims } : { active }, 200, {
      'cache-control': 'no-store',
    });
  });
  return app;
}
