import { GatewayRefusal, type IdentityProvider } from '@poortwachter/protocol';

/** How long the identity provider may take to say whether a token is active. */
const INTROSPECTION_TIMEOUT_MS = 3000;

type Provider = IdentityProvider & { readonly introspectionEndpoint: string };

/** Per token: the question sent now, and the one that waits for it to end (asked for reads that came later). */
const sent = new Map<string, Promise<boolean>>();
const waiting = new Map<string, Promise<boolean>>();

/**
 * Asks the identity provider's introspection endpoint (RFC 7662) whether a token it issued is still
 * active, i.e. its session was not ended by logging out. Concurrent checks of one token share one
 * request (single flight), but a read never takes an answer to a question sent before it arrived: it
 * joins the next one, which goes out when the current one ends. So a read that starts after the logout
 * was answered is refused, and one token costs at most one request at a time. Nothing is remembered
 * after an answer. The endpoint unreachable, slow or answering nonsense is a 503 that names the provider.
 *
 * @example
 * if (!(await isTokenActive(provider, token))) throw new GatewayRefusal('citizenTokenInvalid', '…');
 */
export function isTokenActive(provider: Provider, token: string): Promise<boolean> {
  const key = `${provider.introspectionEndpoint}\n${token}`;
  const next = waiting.get(key);
  if (next) return next;
  const current = sent.get(key);
  if (!current) return send(key, provider, token);
  const after = current
    .catch(() => undefined)
    .then(() => {
      waiting.delete(key);
      return send(key, provider, token);
    });
  waiting.set(key, after);
  return after;
}

function send(key: string, provider: Provider, token: string): Promise<boolean> {
  const question: Promise<boolean> = introspect(provider, token).finally(() => {
    if (sent.get(key) === question) sent.delete(key);
  });
  sent.set(key, question);
  return question;
}

async function introspect(provider: Provider, token: string): Promise<boolean> {
  const unavailable = (cause: unknown) =>
    new GatewayRefusal(
      'identityProviderUnavailable',
      `De inlogdienst ${provider.name} is niet bereikbaar. Daardoor kunnen wij niet nagaan of u nog bent ingelogd. ` +
        'Probeer het over een paar minuten opnieuw.',
      { cause },
    );
  let answer: unknown;
  try {
    const res = await fetch(provider.introspectionEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
      // The token goes to this address only, never where a redirect points.
      redirect: 'error',
      signal: AbortSignal.timeout(INTROSPECTION_TIMEOUT_MS),
    });
    if (!res.ok) {
      await res.body?.cancel();
      throw new Error(`introspection answered ${res.status}`);
    }
    answer = await res.json();
  } catch (cause) {
    throw unavailable(cause);
  }
  const active = (answer as { active?: unknown } | null)?.active;
  if (typeof active !== 'boolean') throw unavailable(new Error('introspection answer without a boolean "active"'));
  return active;
}
