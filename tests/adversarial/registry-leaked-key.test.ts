/**
 * A leaked key that revoked the organisation's other keys, from outside: a registry server (a child
 * process on 127.0.0.1), change requests signed with node:crypto alone (raw-client.ts), contract
 * signatures made the same way (contract-forgery.ts), and the CLI as a process. Gemeente Lekstad holds two
 * anchored keys; whoever stole one ("the thief") revokes the other, so the organisation can no longer
 * act and the operator could not add a key (it still holds an anchored one), and proposes a contract in
 * its name. The operator revokes the thief's key (`poortwachter registry key revoke`, recorded with actor
 * `operator`), from the moment it leaked; the thief's key then signs no registry change and no contract; the operator adds a new certified
 * key, Lekstad acts with it, and `poortwachter registry verify` finds the history in order: the thief's
 * accept, recorded before the revoke that was dated back to before it, no longer counts (INFO, not FAIL).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { certificatePem } from '@poortwachter/protocol/contracts';
import { certifiedKey } from '@poortwachter/registry/testing';
import { DEMO_OIN } from '@poortwachter/seeds';
import { describe, expect, it } from 'vitest';
import { useRegistryEntry, verifyRegistryEntry } from '../operations/server-entry.ts';
import { runCli } from '../run-process.ts';
import { BRP } from './contract-attack.ts';
import { contentOf, hashOf, signAs, thumbprint } from './contract-forgery.ts';
import { type RawJwk, signRaw } from './raw-client.ts';

const LEKSTAD = { oin: '00000001000000000047', name: 'Gemeente Lekstad' };
const ACTIVITY = 'https://www.lekstad.example/verwerkingsactiviteiten/schuldhulpverlening';

interface Problem {
  status: number;
  invalidParams?: { name: string; code: string }[];
}

describe('registry: the operator revokes one leaked key, and the organisation gets going again', () => {
  let url: string;
  let token: string;
  const { data, keys } = useRegistryEntry('leaked', (entry) => ({ url, token } = entry));
  const tokenFile = join(data, 'registry-admin-token');

  /** A new key of Lekstad with a certificate from the registry's trust anchor: its raw private JWK and the key to register. */
  const lekstadKey = async () => {
    const { privateKey, key } = await certifiedKey(keys, LEKSTAD);
    return { raw: { ...(privateKey as RawJwk), kid: thumbprint(privateKey as RawJwk) }, key };
  };
  /** A change request signed by `key` (RFC 9421 made with node:crypto): the answer's status and body. */
  const signed = async (path: string, body: unknown, key: RawJwk) => {
    const text = JSON.stringify(body);
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: signRaw({ method: 'POST', targetUri: `${url}${path}`, body: text, key }),
      body: text,
    });
    return { status: res.status, text: await res.text() };
  };
  const asOperator = (path: string, body: unknown, bearer = token) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, text: await res.text() };
  };
  const lastChange = async () =>
    ((await (await fetch(`${url}/v1/changes?entity=organisation&entityId=${LEKSTAD.oin}`)).json()) as unknown[]).at(-1);
  const contractState = async (hash: string) =>
    ((await (await fetch(`${url}/v1/contracts/${encodeURIComponent(hash)}`)).json()) as { state: string }).state;
  const activity = (id: string) => ({
    id,
    name: 'Schuldhulpverlening',
    doel: 'Inwoners met schulden helpen.',
    grondslagIds: ['participatiewet-art-7'],
    responsibleOin: LEKSTAD.oin,
    bewaartermijn: 'P7Y',
    vertrouwelijkheid: 'normaal',
  });
  const revokeCli = (args: string[]) =>
    runCli(['registry', 'key', 'revoke', '--registry', url, '--admin-token', tokenFile, ...args]);

  let thief: Awaited<ReturnType<typeof lekstadKey>>;
  let replacement: Awaited<ReturnType<typeof lekstadKey>>;

  it("revokes the thief's key as the operator; the thief then signs nothing, the new key acts, and the history verifies", async () => {
    thief = await lekstadKey();
    const other = await lekstadKey();
    const onboarded = await asOperator('/v1/organisations', {
      ...LEKSTAD,
      kind: 'gemeente',
      roles: ['afnemer'],
      keys: [thief.key, other.key],
    });
    expect(onboarded.status, await onboarded.clone().text()).toBe(201);
    const registered = await signed('/v1/processing-activities', activity(ACTIVITY), other.raw);
    expect(registered.status, registered.text).toBe(201);

    const rvig = JSON.parse(readFileSync(join(keys, `${DEMO_OIN.rvig}.jwk.json`), 'utf8')) as RawJwk;
    /** The terms of a contract of Lekstad's activity with RvIG for `fields`: its content and hash. */
    const terms = async (fields: string[]) => {
      const version = (
        (await (await fetch(`${url}/v1/processing-activities/${encodeURIComponent(ACTIVITY)}`)).json()) as {
          versions: { version: number; grondslagIds: string[] }[];
        }
      ).versions.at(-1);
      const content = contentOf({
        afnemer: LEKSTAD.oin,
        bronhouder: DEMO_OIN.rvig,
        service: BRP,
        activity: ACTIVITY,
        activityVersion: version?.version ?? 1,
        grondslag: version?.grondslagIds[0] ?? '',
        fields,
        searchTypes: ['RaadpleegMetBurgerservicenummer'],
        groupId: 'poortwachter-demo',
      });
      return { content, hash: hashOf(content) };
    };

    // The key leaks (at the next whole second, as signed_at is whole seconds). Its thief revokes the
    // other key, signed like any change of Lekstad's own, and proposes a contract in Lekstad's name.
    const leaked = Math.ceil(Date.now() / 1000) * 1000;
    await new Promise((resolve) => setTimeout(resolve, leaked - Date.now() + 1));
    const leakedAt = new Date(leaked).toISOString();
    const theft = await signed(`/v1/organisations/${LEKSTAD.oin}/keys/${other.raw.kid}/revoke`, {}, thief.raw);
    expect(theft.status, theft.text).toBe(200);
    expect((await signed('/v1/processing-activities', activity(`${ACTIVITY}-2`), other.raw)).status).toBe(401);
    const stolen = await terms(['burgerservicenummer']);
    const thiefProposed = await post('/v1/contracts', {
      content: stolen.content,
      signature: signAs(stolen.hash, 'accept', thief.raw),
    });
    expect(thiefProposed.status, thiefProposed.text).toBe(201);
    // Lekstad still holds an anchored key (the thief's): the operator adds none.
    expect((await asOperator(`/v1/organisations/${LEKSTAD.oin}/keys`, (await lekstadKey()).key)).status).toBe(403);

    // The operator revokes the thief's key from the moment it leaked, by name with the CLI.
    const run = await revokeCli(['--oin', 'lekstad', '--kid', String(thief.raw.kid), '--at', leakedAt]);
    expect(run.code, run.output).toBe(0);
    expect(run.out.trim().split('\n')).toHaveLength(1);
    expect(run.out).toMatch(/^OK {4}key .* of Gemeente Lekstad \(00000001000000000047\) revoked from /);
    expect(await lastChange()).toMatchObject({
      actor: 'operator',
      action: 'revoke-key',
      record: { kid: thief.raw.kid, revokedAt: leakedAt },
    });

    // The thief's key signs no registry change any more...
    const refused = await signed('/v1/processing-activities', activity(`${ACTIVITY}-3`), thief.raw);
    expect([401, 403], refused.text).toContain(refused.status);
    // ...the accept it signed after the leak no longer counts, though the change log recorded it before the revoke...
    const rvigAccept = await post(`/v1/contracts/${encodeURIComponent(stolen.hash)}/signatures`, {
      signature: signAs(stolen.hash, 'accept', rvig),
    });
    expect(rvigAccept.status, rvigAccept.text).toBe(200);
    expect(await contractState(stolen.hash)).toBe('proposed');
    // ...and its accept of a contract counts nothing: the registry refuses it, the contract stays proposed.
    const { content, hash } = await terms(['burgerservicenummer', 'naam.voornamen']);
    const proposed = await post('/v1/contracts', { content, signature: signAs(hash, 'accept', rvig) });
    expect(proposed.status, proposed.text).toBe(201);
    const byThief = await post(`/v1/contracts/${encodeURIComponent(hash)}/signatures`, {
      signature: signAs(hash, 'accept', thief.raw),
    });
    expect(byThief.status, byThief.text).toBe(400);
    expect(await contractState(hash)).toBe('proposed');

    // Lekstad has no anchored key left: the operator adds its new certified key, and Lekstad acts with it.
    replacement = await lekstadKey();
    const chain = join(data, 'lekstad-chain.pem');
    writeFileSync(chain, replacement.key.x5c.map(certificatePem).join(''));
    const certified = await runCli([
      'registry',
      'key',
      'certify',
      '--oin',
      'Gemeente Lekstad',
      '--cert',
      chain,
      '--registry',
      url,
      '--admin-token',
      tokenFile,
    ]);
    expect(certified.code, certified.output).toBe(0);
    expect(certified.out).toContain('added, with its certificate chain');
    expect(await lastChange()).toMatchObject({ actor: 'operator', action: 'add-key' });
    const accepted = await post(`/v1/contracts/${encodeURIComponent(hash)}/signatures`, {
      signature: signAs(hash, 'accept', replacement.raw),
    });
    expect(accepted.status, accepted.text).toBe(200);
    expect(await contractState(hash)).toBe('inForce');
    expect((await signed('/v1/processing-activities', activity(`${ACTIVITY}-4`), replacement.raw)).status).toBe(201);
    // The thief cannot take the new key away.
    const again = await signed(`/v1/organisations/${LEKSTAD.oin}/keys/${replacement.raw.kid}/revoke`, {}, thief.raw);
    expect(again.status).toBe(401);

    // The history is in order: the thief's accept, recorded before the revoke, is discounted, not a finding.
    const verified = await verifyRegistryEntry(url, data);
    expect(verified.code, verified.output).toBe(0);
    expect(verified.out).toMatch(/^OK /m);
    expect(verified.out).toContain(
      `INFO  contract ${stolen.hash}: the accept signature by key ${thief.raw.kid} (signed at ${leakedAt}) no longer counts: the key was revoked from ${leakedAt} (a revoke after it, in the change log).`,
    );
  }, 120_000);

  it("refuses the operator's revoke of an unknown key (404), with a wrong token (401), or a revokedAt that is no date-time or in the future (400)", async () => {
    // A second key Lekstad adds itself, with its new key, for the operator to revoke.
    const spare = await lekstadKey();
    const added = await signed(`/v1/organisations/${LEKSTAD.oin}/keys`, spare.key, replacement.raw);
    expect(added.status, added.text).toBe(201);
    const path = `/v1/organisations/${LEKSTAD.oin}/keys/${spare.raw.kid}/revoke`;
    const problem = async (res: Response) => {
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      return (await res.json()) as Problem;
    };

    const unknown = await asOperator(`/v1/organisations/${LEKSTAD.oin}/keys/no-such-key/revoke`, {});
    expect(unknown.status).toBe(404);
    expect(await problem(unknown)).toMatchObject({ status: 404 });
    const wrongToken = await asOperator(path, {}, 'not-the-admin-token');
    expect(wrongToken.status).toBe(401);
    expect(await problem(wrongToken)).toMatchObject({ status: 401 });
    for (const revokedAt of ['gisteren', '2026-02-30T10:00:00Z', new Date(Date.now() + 3_600_000).toISOString()]) {
      const bad = await asOperator(path, { revokedAt });
      expect(bad.status, revokedAt).toBe(400);
      expect((await problem(bad)).invalidParams?.map((p) => p.name)).toEqual(['revokedAt']);
    }
    // None of it revoked the key; the operator's revoke as it should be does.
    expect((await asOperator(path, { revokedAt: new Date().toISOString() })).status).toBe(200);
    expect(await lastChange()).toMatchObject({
      actor: 'operator',
      action: 'revoke-key',
      record: { kid: spare.raw.kid },
    });
    // The organisation itself revokes its keys with a signed request, as before.
    const own = await lekstadKey();
    expect((await signed(`/v1/organisations/${LEKSTAD.oin}/keys`, own.key, replacement.raw)).status).toBe(201);
    const ownRevoke = await signed(`/v1/organisations/${LEKSTAD.oin}/keys/${own.raw.kid}/revoke`, {}, replacement.raw);
    expect(ownRevoke.status, ownRevoke.text).toBe(200);
    expect(await lastChange()).toMatchObject({ actor: LEKSTAD.oin, action: 'revoke-key' });
  }, 60_000);

  it('refuses the CLI a time that is no date-time, or no admin token: one line, exit 2', async () => {
    const badTime = await revokeCli(['--oin', LEKSTAD.oin, '--kid', 'x', '--at', '2026-02-30T10:00:00Z']);
    expect(badTime.code, badTime.output).toBe(2);
    expect(badTime.err.trim().split('\n')).toHaveLength(1);
    expect(badTime.err).toContain('--at 2026-02-30T10:00:00Z');
    const noToken = await runCli([
      'registry',
      'key',
      'revoke',
      '--oin',
      LEKSTAD.oin,
      '--kid',
      'x',
      '--registry',
      url,
      '--admin-token',
      join(data, 'missing-token'),
    ]);
    expect(noToken.code, noToken.output).toBe(2);
    expect(noToken.err.trim().split('\n')).toHaveLength(1);
    expect(noToken.err).toContain('No admin token at');
    const unknown = await revokeCli(['--oin', LEKSTAD.oin, '--kid', 'no-such-key']);
    expect(unknown.code, unknown.output).toBe(1);
    expect(unknown.err).toContain('(404)');
  }, 60_000);
});
