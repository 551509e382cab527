/**
 * The operator's revoke of one key may only withhold, from outside: a registry server (a child process on
 * 127.0.0.1), raw HTTP and contract signatures made with node:crypto (contract-forgery.ts). RvIG revokes
 * the demo contract of Utrecht; an operator who revokes RvIG's key from a moment before that revoke would
 * make the revoke stop counting, and the contract would be in force again: access RvIG withdrew, granted
 * back by the operator. The registry refuses it (409 naming the contract); from a moment after, or now, it
 * revokes the key and the contract stays revoked.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_OIN } from '@poortwachter/seeds';
import { describe, expect, it } from 'vitest';
import { useRegistryEntry } from '../operations/server-entry.ts';
import { signAs, thumbprint } from './contract-forgery.ts';
import type { RawJwk } from './raw-client.ts';

interface ContractView {
  readonly hash: string;
  readonly state: string;
  readonly parties: { readonly afnemer: string; readonly bronhouder: string };
}

describe("registry: the operator's revoke of a key cannot bring back a contract that key revoked", () => {
  let url: string;
  let token: string;
  const { keys } = useRegistryEntry('operator-withholds', (entry) => ({ url, token } = entry));

  const send = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  };
  const contracts = async () =>
    ((await (await fetch(`${url}/v1/contracts`)).json()) as { contracts: ContractView[] }).contracts;
  const stateOf = async (hash: string) => (await contracts()).find((c) => c.hash === hash)?.state;

  it("refuses a revokedAt before RvIG's revoke of a contract (409), and revokes from after it", async () => {
    const rvig = JSON.parse(readFileSync(join(keys, `${DEMO_OIN.rvig}.jwk.json`), 'utf8')) as RawJwk;
    const kid = thumbprint(rvig);
    const utrecht = (await contracts()).find(
      (c) => c.state === 'inForce' && c.parties.afnemer === DEMO_OIN.utrecht && c.parties.bronhouder === DEMO_OIN.rvig,
    );
    expect(utrecht, 'a demo contract of Utrecht in force').toBeDefined();
    const hash = utrecht?.hash as string;
    const beforeRevoke = new Date(Date.now() - 5_000).toISOString();

    const revoked = await send(`/v1/contracts/${encodeURIComponent(hash)}/signatures`, {
      signature: signAs(hash, 'revoke', rvig, Date.now(), 'De grondslag is vervallen.'),
    });
    expect(revoked.status, revoked.text).toBe(200);
    expect(await stateOf(hash)).toBe('revoked');

    const asOperator = { authorization: `Bearer ${token}` };
    const path = `/v1/organisations/${DEMO_OIN.rvig}/keys/${encodeURIComponent(kid)}/revoke`;
    const backdated = await send(path, { revokedAt: beforeRevoke }, asOperator);
    expect(backdated.status, backdated.text).toBe(409);
    expect(backdated.type).toContain('application/problem+json');
    expect(backdated.text).toContain(hash);
    // Nothing changed: the key signs, and the contract stays revoked.
    const organisation = (await (await fetch(`${url}/v1/organisations/${DEMO_OIN.rvig}`)).json()) as {
      keys: { kid: string; status: string }[];
    };
    expect(organisation.keys.find((k) => k.kid === kid)?.status).toBe('active');
    expect(await stateOf(hash)).toBe('revoked');

    const now = await send(path, {}, asOperator);
    expect(now.status, now.text).toBe(200);
    expect(await stateOf(hash)).toBe('revoked');
    // As the gateways derive it: the autorisatie stays ended.
    const autorisaties = (await (await fetch(`${url}/v1/autorisaties`)).json()) as {
      id: string;
      revokedAt: string | null;
    }[];
    expect(autorisaties.find((a) => a.id === hash)?.revokedAt).toBeTruthy();
  }, 60_000);
});
