import { generateKeyPairSync } from 'node:crypto';
import {
  COSIGNATURE_ED25519,
  formatVkey,
  NOTE_ED25519,
  noteKeyFromJwk,
  parseVkey,
  verifyDirectorySnapshot,
} from '@poortwachter/protocol';
import { DEMO_OIN } from '@poortwachter/seeds';
import type { JWK } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DIALECTS, describeDialect, startTestRegistry, type TestRegistry } from '../testing/index.ts';

interface Problem {
  status: number;
  invalidParams?: { name: string; code: string; reason: string }[];
}
interface Policy {
  witnesses: { name: string; vkey: string; url: string; operator?: string }[];
  quorum: number;
}

/** A fresh witness key's vkey under `name` (type 0x04 unless told). */
function vkeyOf(name: string, type = COSIGNATURE_ED25519): string {
  const jwk = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }) as JWK;
  return formatVkey(noteKeyFromJwk(name, type, jwk));
}

/** The problem's invalid parameters' names, with the status. */
async function refused(res: Response): Promise<{ status: number; names: string[]; reasons: string[] }> {
  const problem = (await res.json()) as Problem;
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  return {
    status: res.status,
    names: (problem.invalidParams ?? []).map((p) => p.name),
    reasons: (problem.invalidParams ?? []).map((p) => p.reason),
  };
}

/**
 * Issue 30: the witnesses the directory lists and the quorum, from outside (the registry's HTTP API):
 * only the operator changes them, the quorum stays a majority, and the signed directory publishes them.
 */
for (const dialect of DIALECTS) {
  describeDialect(dialect, `the registry's witnesses (${dialect})`, () => {
    let registry: TestRegistry;
    beforeAll(async () => {
      registry = await startTestRegistry(dialect);
    });
    afterAll(async () => registry.close());

    const published = async () =>
      verifyDirectorySnapshot(await (await registry.app.request('/v1/directory')).text(), registry.registryPublicKey);
    const policy = async () => (await (await registry.app.request('/v1/witnesses')).json()) as Policy;
    const [a, b, c] = ['getuige.example/a', 'getuige.example/b', 'getuige.example/c'].map((name) => ({
      name,
      vkey: vkeyOf(name),
    })) as [{ name: string; vkey: string }, { name: string; vkey: string }, { name: string; vkey: string }];
    const path = (name: string) => `/v1/witnesses/${encodeURIComponent(name)}`;

    it('lists none at first and publishes that: quorum 0', async () => {
      expect(await policy()).toEqual({ witnesses: [], quorum: 0 });
      const snapshot = await published();
      expect(snapshot.witnesses).toEqual([]);
      expect(snapshot.witness_quorum).toBe(0);
    });

    it('takes changes only from the operator', async () => {
      const body = { vkey: a.vkey, url: 'https://a.getuige.example', quorum: 1 };
      const anonymous = await registry.app.request('/v1/witnesses', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(anonymous.status).toBe(401);
      const organisation = await registry.asOrganisation(DEMO_OIN.rvig, 'POST', '/v1/witnesses', body);
      expect(organisation.status).toBe(403);
      const quorum = await registry.asOrganisation(DEMO_OIN.rvig, 'PUT', '/v1/witness-quorum', { quorum: 0 });
      expect(quorum.status).toBe(403);
      expect(await policy()).toEqual({ witnesses: [], quorum: 0 });
    });

    it('refuses a vkey that is none or not a cosignature key, and an address in the clear, naming the member', async () => {
      for (const [vkey, url, member] of [
        ['geen vkey', 'https://a.getuige.example', 'vkey'],
        [vkeyOf(a.name, NOTE_ED25519), 'https://a.getuige.example', 'vkey'],
        [a.vkey, 'http://a.getuige.example', 'url'],
        [a.vkey, 'https://u:p@a.getuige.example', 'url'],
      ] as const) {
        const res = await registry.admin('POST', '/v1/witnesses', { vkey, url, quorum: 1 });
        expect(await refused(res), `${vkey} ${url}`).toMatchObject({ status: 400, names: [member] });
      }
      expect((await policy()).witnesses).toEqual([]);
    });

    it('keeps the quorum a majority: a change that would leave none is refused, naming quorum', async () => {
      // One witness and quorum 0 (the current one) would let unwitnessed heads through: refused.
      const none = await registry.admin('POST', '/v1/witnesses', { vkey: a.vkey, url: 'https://a.getuige.example' });
      expect(await refused(none)).toMatchObject({ status: 400, names: ['quorum'] });
      const first = await registry.admin('POST', '/v1/witnesses', {
        vkey: a.vkey,
        url: 'https://a.getuige.example/',
        operator: 'Stichting A',
        quorum: 1,
      });
      expect(first.status, await first.clone().text()).toBe(201);
      expect(first.headers.get('location')).toBe(path(a.name));
      expect(await first.json()).toEqual({
        witnesses: [{ name: a.name, vkey: a.vkey, url: 'https://a.getuige.example', operator: 'Stichting A' }],
        quorum: 1,
      });
      // Two witnesses with quorum 1: two quorums ({a}, {b}) that share no witness. Refused.
      const split = await registry.admin('POST', '/v1/witnesses', { vkey: b.vkey, url: 'https://b.getuige.example' });
      const why = await refused(split);
      expect(why).toMatchObject({ status: 400, names: ['quorum'] });
      expect(why.reasons[0]).toContain('Met 2 getuigen is het quorum 2');
      expect(
        (await registry.admin('POST', '/v1/witnesses', { vkey: b.vkey, url: 'https://b.getuige.example', quorum: 2 }))
          .status,
      ).toBe(201);
      for (const quorum of [0, 1, 3]) {
        const res = await registry.admin('PUT', '/v1/witness-quorum', { quorum });
        expect(await refused(res), String(quorum)).toMatchObject({ status: 400, names: ['quorum'] });
      }
      // Three witnesses: 2 is a majority (any two quorums of 2 out of 3 share one).
      const third = await registry.admin('POST', '/v1/witnesses', { vkey: c.vkey, url: 'https://c.getuige.example' });
      expect(third.status).toBe(201);
      expect((await policy()).quorum).toBe(2);
      expect((await registry.admin('PUT', '/v1/witness-quorum', { quorum: 3 })).status).toBe(200);
      // Down to two: quorum 3 cannot stay; with the new quorum named it goes.
      const tooFew = await registry.admin('POST', `${path(c.name)}/remove`, {});
      expect(await refused(tooFew)).toMatchObject({ status: 400, names: ['quorum'] });
      const removed = await registry.admin('POST', `${path(c.name)}/remove`, { quorum: 2 });
      expect(removed.status).toBe(200);
      expect(await removed.json()).toMatchObject({ quorum: 2, witnesses: [{ name: a.name }, { name: b.name }] });
      expect((await registry.app.request(path(c.name))).status).toBe(404);
      expect(await (await registry.app.request(path(a.name))).json()).toMatchObject({
        name: a.name,
        url: 'https://a.getuige.example',
      });
    });

    it('refuses a name or a key listed already: one key would count twice towards the quorum', async () => {
      const again = await registry.admin('POST', '/v1/witnesses', {
        vkey: a.vkey,
        url: 'https://x.example',
        quorum: 2,
      });
      expect(await refused(again)).toMatchObject({ status: 409, names: ['vkey'] });
      // The same public key under another name.
      const key = parseVkey(b.vkey);
      const renamed = formatVkey(noteKeyFromJwk('getuige.example/b-again', COSIGNATURE_ED25519, key.jwk));
      const twice = await registry.admin('POST', '/v1/witnesses', {
        vkey: renamed,
        url: 'https://x.example',
        quorum: 2,
      });
      expect(await refused(twice)).toMatchObject({ status: 409, names: ['vkey'] });
      expect((await policy()).witnesses.map((w) => w.name)).toEqual([a.name, b.name]);
    });

    it('publishes them in the signed directory and records every change in the change log', async () => {
      const snapshot = await published();
      expect(snapshot.witness_quorum).toBe(2);
      expect(snapshot.witnesses).toEqual([
        { name: a.name, vkey: a.vkey, url: 'https://a.getuige.example', operator: 'Stichting A' },
        { name: b.name, vkey: b.vkey, url: 'https://b.getuige.example' },
      ]);
      const changes = (await (await registry.app.request('/v1/changes?entity=witness')).json()) as {
        entityId: string;
        action: string;
        actor: string;
      }[];
      expect(changes.map((change) => [change.entityId, change.action, change.actor])).toEqual([
        [a.name, 'create', 'operator'],
        [b.name, 'create', 'operator'],
        [c.name, 'create', 'operator'],
        [c.name, 'remove', 'operator'],
      ]);
      const quorums = (await (await registry.app.request('/v1/changes?entity=witness-quorum')).json()) as {
        record: { quorum: number };
      }[];
      expect(quorums.map((change) => change.record.quorum)).toEqual([1, 2, 3, 2]);
    });

    it('decides concurrent changes one after the other: together they never break the majority', async () => {
      // Two witnesses, quorum 2. Removing a (quorum 1 from then on) and adding c (keeping quorum 2) are
      // each fine alone; after either, the other would leave quorum 1 of 2 witnesses: one must be refused.
      const [removal, addition] = await Promise.all([
        registry.admin('POST', `${path(a.name)}/remove`, { quorum: 1 }),
        registry.admin('POST', '/v1/witnesses', { vkey: c.vkey, url: 'https://c.getuige.example' }),
      ]);
      expect(removal.ok !== addition.ok, `${removal.status} ${addition.status}`).toBe(true);
      expect((removal.ok ? addition : removal).status).toBe(400);
      const after = await policy();
      const n = after.witnesses.length;
      expect(after.quorum > n / 2 && after.quorum <= n).toBe(true);
    });
  });
}
