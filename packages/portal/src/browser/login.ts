/**
 * Logging in with the identity provider the registry trusts: OAuth 2.0 authorization code with PKCE
 * (RFC 7636), as a DigiD broker offers it. The PKCE verifier and state wait in sessionStorage during
 * the redirect only and are removed on return; the token itself lives in memory, never stored.
 */
import { toBase64Url } from '@poortwachter/protocol';

export interface IdentityProviderConfig {
  readonly name: string;
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly development: boolean;
}

const PENDING = 'poortwachter.login';
const random = (bytes: number) => toBase64Url(crypto.getRandomValues(new Uint8Array(bytes)));
const redirectUri = () => `${location.origin}/`;

/** Sends the browser to the identity provider. */
export async function startLogin(idp: IdentityProviderConfig): Promise<void> {
  const verifier = random(32);
  const state = random(16);
  const challenge = toBase64Url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state }));
  const url = new URL(idp.authorizeUrl);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: idp.clientId,
    redirect_uri: redirectUri(),
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
    scope: 'openid',
  }).toString();
  location.assign(url.toString());
}

/**
 * On return from the identity provider: exchanges the code for a token and removes the code from the
 * address bar. Undefined when this is not a return; throws when the login failed.
 */
export async function finishLogin(idp: IdentityProviderConfig): Promise<string | undefined> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const error = params.get('error');
  if (!code && !error) return undefined;
  history.replaceState(null, '', '/');
  const pending = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  if (error) throw new Error(`the identity provider answered ${error}`);
  const { verifier, state } = (pending ? JSON.parse(pending) : {}) as { verifier?: string; state?: string };
  if (!verifier || state !== params.get('state')) throw new Error('the login was not started on this page');
  const res = await fetch(idp.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: code as string,
      code_verifier: verifier,
      redirect_uri: redirectUri(),
      client_id: idp.clientId,
    }),
  });
  const body = (await res.json().catch(() => ({}))) as { access_token?: string; error_description?: string };
  if (!res.ok || !body.access_token) throw new Error(body.error_description ?? `token endpoint answered ${res.status}`);
  return body.access_token;
}
