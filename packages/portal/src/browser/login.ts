/**
 * Logging in with the identity provider the registry trusts: OAuth 2.0 authorization code with PKCE
 * (RFC 7636), as a DigiD broker offers it. The PKCE verifier and state wait in sessionStorage during
 * the redirect only and are removed on return; the token itself lives in memory, never stored.
 * Logging out ends the session at the identity provider (RFC 7009), so every gateway refuses the token.
 */
import { toBase64Url } from '@poortwachter/protocol';

export interface IdentityProviderConfig {
  readonly name: string;
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  /** Its token revocation endpoint (RFC 7009): logging out ends the session there. */
  readonly revocationUrl?: string;
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

const revocation = (idp: IdentityProviderConfig, token: string) =>
  new URLSearchParams({ token, token_type_hint: 'access_token', client_id: idp.clientId });

/**
 * Logging out: asks the identity provider to end the token's session (RFC 7009), after which every
 * gateway refuses the token. False when the identity provider could not be reached (or has no
 * revocation endpoint): then the token stays good until it expires.
 */
export async function endSession(idp: IdentityProviderConfig, token: string): Promise<boolean> {
  if (!idp.revocationUrl) return false;
  try {
    const res = await fetch(idp.revocationUrl, { method: 'POST', body: revocation(idp, token) });
    return res.ok;
  } catch {
    return false;
  }
}

/** Leaving the page (closed, reloaded, another address): the session ends too, without waiting for an answer. */
export function endSessionOnLeave(idp: IdentityProviderConfig, token: string): void {
  if (idp.revocationUrl) navigator.sendBeacon(idp.revocationUrl, revocation(idp, token));
}

/** Minutes until the token expires by itself (its `exp`), at least 1. */
export function minutesLeft(token: string): number {
  try {
    const payload = JSON.parse(atob((token.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/'))) as {
      exp?: unknown;
    };
    if (typeof payload.exp === 'number') return Math.max(1, Math.ceil((payload.exp * 1000 - Date.now()) / 60_000));
  } catch {}
  return 60;
}
