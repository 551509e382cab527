import {
  changeLeafHash,
  fromBase64,
  verifyChangeLogHead,
  verifyConsistency,
  verifyInclusion,
} from '@poortwachter/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRegistry, type TestRegistry } from '../testing/index.ts';

interface Head {
  tree_size: number;
  root_hash: string;
  jws: string;
}

describe("the registry's verifiable change log (/v1/changes/log)", () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startTestRegistry('sqlite');
  });
  afterAll(async () => registry.close());

  const get = async <T>(path: string) => {
    const res = await registry.app.request(path);
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as T;
  };

  it('signs a head over every change with the registry key; each change is its leaf, proven included', async () => {
    const head = await get<Head>('/v1/changes/log/head');
    const verified = await verifyChangeLogHead(head.jws, registry.registryPublicKey);
    const changes = await get<Parameters<typeof changeLeafHash>[0][]>('/v1/changes');
    expect(verified.tree_size).toBe(changes.length);
    for (const index of [0, Math.floor(changes.length / 2), changes.length - 1]) {
      const change = changes[index];
      if (!change) throw new Error('no change');
      const proof = await get<{ proof: string[]; leaf_hash: string }>(
        `/v1/changes/log/inclusion?index=${index}&size=${verified.tree_size}`,
      );
      expect(proof.leaf_hash).toBe(Buffer.from(changeLeafHash(change)).toString('base64'));
      verifyInclusion(
        index,
        verified.tree_size,
        changeLeafHash(change),
        proof.proof.map(fromBase64),
        fromBase64(verified.root_hash),
      );
    }
  });

  it('proves a later head consistent with an earlier one, and names a size it does not have', async () => {
    const before = await verifyChangeLogHead((await get<Head>('/v1/changes/log/head')).jws, registry.registryPublicKey);
    const res = await registry.admin('POST', '/v1/grondslagen', {
      id: 'change-log-test',
      title: 'Een grondslag voor de test',
      lawName: 'Wet om te testen',
      article: 'art. 1',
      bwbId: 'BWBR0033715',
      url: 'https://wetten.overheid.nl/jci1.3:c:BWBR0033715&artikel=1',
      avgBasis: 'e',
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const after = await verifyChangeLogHead((await get<Head>('/v1/changes/log/head')).jws, registry.registryPublicKey);
    expect(after.tree_size).toBe(before.tree_size + 1);
    const { proof } = await get<{ proof: string[] }>(
      `/v1/changes/log/consistency?first=${before.tree_size}&second=${after.tree_size}`,
    );
    verifyConsistency(
      before.tree_size,
      after.tree_size,
      proof.map(fromBase64),
      fromBase64(before.root_hash),
      fromBase64(after.root_hash),
    );
    const tooBig = await registry.app.request(`/v1/changes/log/consistency?first=1&second=${after.tree_size + 1}`);
    expect(tooBig.status).toBe(400);
    expect(((await tooBig.json()) as { invalidParams: { name: string }[] }).invalidParams[0]?.name).toBe('second');
  });
});
