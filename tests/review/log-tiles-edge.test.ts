/**
 * Review of issue 30, promises 3 and 6, from outside (the gateway's HTTP app): with more leaves stored
 * than the newest signed head holds (records logged since it was signed), no tile reaches past the head;
 * the tiles' hashes rebuild exactly the head's root; and bad input on the log's read routes is a
 * problem+json that names the parameter.
 */
import { MerkleTree } from '@poortwachter/gateway';
import { GATEWAY_URL, startTestGateway, type TestGateway } from '@poortwachter/gateway/testing';
import { logLeafHash, rangeRoot, toBase64 } from '@poortwachter/protocol';
import { describeDialect } from '@poortwachter/registry/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';

const STORED = 300;
const HEAD = 261;
const entries = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => ({ id: `edge-${from + i}`, refusal: { n: from + i } }));

describeDialect('sqlite', 'review: tiles up to the signed head only, and problem+json on the log routes', () => {
  let gw: TestGateway;
  const get = (path: string) => gw.app.request(`${GATEWAY_URL}/log/v1${path}`);
  const leaves = entries(0, STORED).map((e) => logLeafHash(e as never));

  beforeAll(async () => {
    gw = await startTestGateway('sqlite');
    const tree = new MerkleTree('edge');
    const rows = tree.prepare(entries(0, STORED) as never);
    rows.commit();
    await gw.db
      .insertInto('merkle_leaves')
      .values([...rows.leaves])
      .execute();
    await gw.db
      .insertInto('merkle_nodes')
      .values([...rows.nodes])
      .execute();
    // The newest signed head holds 261 of the 300 stored leaves.
    await gw.db
      .insertInto('merkle_heads')
      .values({
        log_id: 'edge',
        tree_size: HEAD,
        root_hash: toBase64(rangeRoot(leaves, 0, HEAD)),
        timestamp: 1,
        jws: 'x',
        checkpoint: null,
      })
      .execute();
  });
  afterAll(async () => gw?.close());

  it('holds: no partial tile beyond the head, though the leaves are stored', async () => {
    for (const path of ['0/001', '0/001.p/6', '0/001.p/44', '0/001.p/255', '0/002.p/1', '1/000.p/2', '1/001.p/1']) {
      expect((await get(`/edge/tile/${path}`)).status, path).toBe(404);
    }
  });

  it('holds: the tiles rebuild the root of the signed head', async () => {
    const full = Buffer.from(await (await get('/edge/tile/0/000')).arrayBuffer());
    const partial = Buffer.from(await (await get('/edge/tile/0/001.p/5')).arrayBuffer());
    const hashes = [...full, ...partial].length / 32;
    expect(hashes).toBe(HEAD);
    const all = Buffer.concat([full, partial]);
    const tileLeaves = Array.from({ length: HEAD }, (_, i) => new Uint8Array(all.subarray(i * 32, i * 32 + 32)));
    expect(toBase64(rangeRoot(tileLeaves))).toBe(toBase64(rangeRoot(leaves, 0, HEAD)));
    const level1 = Buffer.from(await (await get('/edge/tile/1/000.p/1')).arrayBuffer());
    expect(toBase64(level1)).toBe(toBase64(rangeRoot(leaves, 0, 256)));
  });

  it('holds: bad input on the log routes is problem+json naming the parameter', async () => {
    for (const [path, name] of [
      ['/edge/heads/abc', 'size'],
      ['/edge/heads/-1', 'size'],
      ['/edge/consistency?first=x&second=2', 'first'],
      ['/edge/consistency?first=1&second=1e3', 'second'],
      ['/edge/checkpoint?x=1', 'x'],
      ['/edge/tile/0/000?x=1', 'x'],
    ] as const) {
      const res = await get(path);
      expect(res.status, path).toBe(400);
      expect(res.headers.get('content-type'), path).toContain('application/problem+json');
      const problem = (await res.json()) as { invalidParams?: { name: string }[] };
      expect(
        problem.invalidParams?.map((p) => p.name),
        path,
      ).toContain(name);
    }
  });
});
