import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { certificatePem, issueCertificate, makeCertificateAuthority } from '@poortwachter/protocol/contracts';
import { publicJwkOf } from '@poortwachter/registry';
import { certifiedKey, demoCertificate, grantByContract, signAsOrganisation } from '@poortwachter/registry/testing';
import { DEMO_OIN } from '@poortwachter/seeds';
import type { JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { useRegistryEntry } from '../operations/server-entry.ts';
import { runCli } from '../run-process.ts';

const OUDSTAD = { oin: '00000001000000000031', name: 'Gemeente Oudstad' };
const ACTIVITY = 'https://www.oudstad.example/verwerkingsactiviteiten/bijstandsverlening';

/**
 * Issue 28 follow-up, part C, from outside: an organisation of a registry from before contracts has a
 * key without a certificate, which signs nothing (401). The operator's recorded act (`PUT
 * /v1/organisations/{oin}/keys/{kid}/certificate`, CLI `poortwachter registry key certify`) anchors it,
 * but only with a chain to the registry's trust anchors that names that OIN and holds that very key;
 * each other chain is a 400 naming the member. And the operator adds a new key only for an organisation
 * left without an anchored key. A registry server as a child process; raw HTTP and the CLI as a process.
 */
describe('registry: the operator certifies the keys of a registry from before contracts', () => {
  let url: string;
  let token: string;
  const { data, keys } = useRegistryEntry('onboard', (entry) => ({ url, token } = entry));
  const tokenFile = join(data, 'registry-admin-token');
  let oudstad: { privateKey: JWK; key: { jwk: Record<string, unknown>; x5c: string[] } };

  beforeAll(async () => {
    oudstad = await certifiedKey(keys, OUDSTAD);
  });

  const asOperator = (method: string, path: string, body?: unknown) =>
    fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const signed = async (method: string, path: string, body: unknown, privateKey: JWK) => {
    const request = await signAsOrganisation({ registryUrl: url, method, path, body, privateKey });
    return fetch(request.url, request.init);
  };
  /** Oudstad changes its own record, signed with `privateKey`: the answer's status. */
  const ownChange = async (privateKey: JWK, email: string) =>
    signed(
      'PUT',
      `/v1/organisations/${OUDSTAD.oin}`,
      {
        name: OUDSTAD.name,
        kind: 'gemeente',
        roles: ['afnemer'],
        privacyContact: { name: 'Functionaris gegevensbescherming', email },
      },
      privateKey,
    );
  const lastChange = async () =>
    (
      (await (await fetch(`${url}/v1/changes?entity=organisation&entityId=${OUDSTAD.oin}`)).json()) as {
        actor: string;
        action: string;
        record: { kid?: string };
      }[]
    ).at(-1);
  const kidOf = async (jwk: Record<string, unknown>) =>
    (
      (await (await fetch(`${url}/v1/organisations/${OUDSTAD.oin}`)).json()) as {
        keys: { kid: string; jwk: { x: string } }[];
      }
    ).keys.find((k) => k.jwk.x === jwk.x)?.kid as string;
  const refusal = async (res: Response) => {
    expect(res.status, await res.clone().text()).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    return ((await res.json()) as { invalidParams: { name: string; code: string; reason: string }[] }).invalidParams;
  };
  const cli = (cert: string) =>
    runCli([
      'registry',
      'key',
      'certify',
      '--oin',
      OUDSTAD.oin,
      '--cert',
      cert,
      '--registry',
      url,
      '--admin-token',
      tokenFile,
    ]);
  const pemFile = (name: string, x5c: readonly string[]) => {
    const file = join(data, name);
    writeFileSync(file, x5c.map(certificatePem).join(''));
    return file;
  };

  it('onboards an organisation with a key without certificate, as before contracts: it signs nothing', async () => {
    const onboarded = await asOperator('POST', '/v1/organisations', {
      ...OUDSTAD,
      kind: 'gemeente',
      roles: ['afnemer'],
      keys: [{ jwk: oudstad.key.jwk }],
    });
    expect(onboarded.status, await onboarded.clone().text()).toBe(201);
    const refused = await ownChange(oudstad.privateKey, 'fg@oudstad.example');
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain('not anchored');
    // Onboarding it again is no way out.
    expect(
      (await asOperator('POST', '/v1/organisations', { ...OUDSTAD, kind: 'gemeente', roles: ['afnemer'] })).status,
    ).toBe(409);
  });

  it('refuses a chain for another OIN, to no trust anchor, or for another key: 400 naming the member', async () => {
    const kid = await kidOf(oudstad.key.jwk);
    const certify = (x5c: string[]) =>
      asOperator('PUT', `/v1/organisations/${OUDSTAD.oin}/keys/${kid}/certificate`, { x5c });

    const forHaarlem = await demoCertificate(
      keys,
      { oin: DEMO_OIN.haarlem, name: 'Gemeente Haarlem' },
      oudstad.privateKey,
    );
    expect(await refusal(await certify([forHaarlem]))).toContainEqual(
      expect.objectContaining({ name: 'x5c[0]', code: 'certificateOin' }),
    );

    const rogue = makeCertificateAuthority('rogue CA');
    const byRogue = issueCertificate({
      issuer: rogue,
      subject: { commonName: OUDSTAD.name, organisation: OUDSTAD.name, serialNumber: OUDSTAD.oin, country: 'NL' },
      publicJwk: publicJwkOf(oudstad.privateKey),
    });
    for (const x5c of [[byRogue], [byRogue, rogue.certificate]])
      expect(await refusal(await certify(x5c))).toContainEqual(
        expect.objectContaining({ name: 'x5c', code: 'noTrustAnchor' }),
      );

    const other = await certifiedKey(keys, OUDSTAD);
    expect(await refusal(await certify(other.key.x5c))).toContainEqual(
      expect.objectContaining({ name: 'x5c[0]', code: 'certificateKey' }),
    );
    expect(await refusal(await certify(['AAAA']))).toContainEqual(expect.objectContaining({ name: 'x5c[0]' }));

    // None of it was stored: the key still signs nothing, and the log holds no certify-key.
    expect((await ownChange(oudstad.privateKey, 'fg@oudstad.example')).status).toBe(401);
    expect(await lastChange()).toMatchObject({ action: 'create' });
    // Nor can an organisation certify a key of another.
    const haarlem = JSON.parse(readFileSync(join(keys, `${DEMO_OIN.haarlem}.jwk.json`), 'utf8')) as JWK;
    const byHaarlem = await signed(
      'PUT',
      `/v1/organisations/${OUDSTAD.oin}/keys/${kid}/certificate`,
      { x5c: oudstad.key.x5c },
      haarlem,
    );
    expect(byHaarlem.status).toBe(403);
  });

  it('certifies the key with the CLI, recorded as the operator; the organisation then signs requests and contracts', async () => {
    const ca = readFileSync(join(keys, 'demo-ca.pem'), 'utf8');
    const chain = join(data, 'oudstad-chain.pem');
    writeFileSync(chain, `${certificatePem(oudstad.key.x5c[0] as string)}${ca}`);
    const run = await cli(chain);
    expect(run.code, run.output).toBe(0);
    expect(run.out).toContain('now carries its certificate chain');
    const kid = await kidOf(oudstad.key.jwk);
    expect(await lastChange()).toMatchObject({ actor: 'operator', action: 'certify-key', record: { kid } });

    expect((await ownChange(oudstad.privateKey, 'fg@oudstad.example')).status).toBe(200);
    const activity = await signed(
      'POST',
      '/v1/processing-activities',
      {
        id: ACTIVITY,
        name: 'Bijstandsverlening',
        doel: 'Vaststellen van het recht op bijstand.',
        grondslagIds: ['participatiewet-art-7'],
        responsibleOin: OUDSTAD.oin,
        bewaartermijn: 'P10Y',
        vertrouwelijkheid: 'vertrouwelijk',
      },
      oudstad.privateKey,
    );
    expect(activity.status, await activity.clone().text()).toBe(201);
    // Its key signs a contract that RvIG accepts: in force.
    writeFileSync(join(keys, `${OUDSTAD.oin}.jwk.json`), JSON.stringify(oudstad.privateKey));
    const contract = await grantByContract(url, keys, {
      afnemerOin: OUDSTAD.oin,
      serviceId: 'brp-personen',
      processingActivityId: ACTIVITY,
      fields: ['burgerservicenummer', 'naam.voornamen'],
      searchTypes: ['RaadpleegMetBurgerservicenummer'],
    });
    expect(contract.state).toBe('inForce');

    // A chain once published is not swapped.
    const again = await cli(chain);
    expect(again.code, again.output).toBe(1);
    expect(again.err).toContain('has a certificate already');
  });

  it('adds a new key for the operator only when the organisation is left without an anchored key', async () => {
    const next = await certifiedKey(keys, OUDSTAD);
    const refused = await asOperator('POST', `/v1/organisations/${OUDSTAD.oin}/keys`, next.key);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('holds an anchored key');

    const kid = await kidOf(oudstad.key.jwk);
    const revoked = await signed('POST', `/v1/organisations/${OUDSTAD.oin}/keys/${kid}/revoke`, {}, oudstad.privateKey);
    expect(revoked.status, await revoked.clone().text()).toBe(200);

    const forHaarlem = await demoCertificate(
      keys,
      { oin: DEMO_OIN.haarlem, name: 'Gemeente Haarlem' },
      next.privateKey,
    );
    expect(
      await refusal(
        await asOperator('POST', `/v1/organisations/${OUDSTAD.oin}/keys`, { ...next.key, x5c: [forHaarlem] }),
      ),
    ).toContainEqual(expect.objectContaining({ name: 'x5c[0]', code: 'certificateOin' }));
    expect(
      await refusal(await asOperator('POST', `/v1/organisations/${OUDSTAD.oin}/keys`, { jwk: next.key.jwk })),
    ).toContainEqual(expect.objectContaining({ name: 'x5c', code: 'required' }));

    const run = await cli(pemFile('oudstad-next.pem', next.key.x5c));
    expect(run.code, run.output).toBe(0);
    expect(run.out).toContain('added, with its certificate chain');
    expect(await lastChange()).toMatchObject({ actor: 'operator', action: 'add-key' });
    expect((await ownChange(next.privateKey, 'privacy@oudstad.example')).status).toBe(200);
    expect((await ownChange(oudstad.privateKey, 'oud@oudstad.example')).status).toBe(401);
  });
});
