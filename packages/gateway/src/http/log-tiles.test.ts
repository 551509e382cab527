import {
  logLeafHash,
  logNoteKeys,
  logOrigin,
  NOTE_ECDSA,
  type Organisation,
  toBase64,
  verifyCheckpoint,
} from '@poortwachter/protocol';
import { DIALECTS, describeDialect } from '@poortwachter/registry/testing';
import { DEMO_OIN } from '@poortwachter/seeds';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MerkleTree } from '../log/merkle/merkle-log.ts';
import { capturedLogLines, GATEWAY_URL, startTestGateway, type TestGateway } from '../testing/index.ts';

const SIZE = 300;
const entries = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => ({ id: `tile-${from + i}`, refusal: { n: from + i } }));

for (const dialect of DIALECTS) {
  describeDialect(dialect, `hash tiles, and checkpoints of a P-256 log (${dialect})`, () => {
    let gw: TestGateway;
    let tree: MerkleTree;
    const get = (path: string) => gw.app.request(`${GATEWAY_URL}/log/v1${path}`);

    beforeAll(async () => {
      gw = await startTestGateway(dialect);
      // A log of 300 leaves stored as the committer stores them, with a signed head of all of them.
      tree = new MerkleTree('tiles');
      const rows = tree.prepare(entries(0, SIZE) as never);
      rows.commit();
      await gw.db
        .insertInto('merkle_leaves')
        .values([...rows.leaves])
        .execute();
      await gw.db
        .insertInto('merkle_nodes')
        .values([...rows.nodes])
        .execute();
      await gw.db
        .insertInto('merkle_heads')
        .values({
          log_id: 'tiles',
          tree_size: SIZE,
          root_hash: toBase64(tree.root()),
          timestamp: 1,
          jws: 'x',
          checkpoint: null,
        })
        .execute();
    });
    afterAll(async () => gw?.close());

    it('serves full level-0 tiles as the leaf hashes, immutable', async () => {
      const res = await get('/tiles/tile/0/000');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/octet-stream');
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect(bytes).toHaveLength(256 * 32);
      const leaves = entries(0, 256).map((e) => logLeafHash(e as never));
      expect(Buffer.from(bytes).equals(Buffer.concat(leaves))).toBe(true);
    });

    it('serves partial tiles up to the newest signed head, and the level-1 hash is the root of the first 256 leaves', async () => {
      const partial = await get('/tiles/tile/0/001.p/44');
      expect(partial.status).toBe(200);
      expect(partial.headers.get('cache-control')).toBe('public, max-age=10');
      const bytes = Buffer.from(await partial.arrayBuffer());
      expect(bytes.equals(Buffer.concat(entries(256, SIZE).map((e) => logLeafHash(e as never))))).toBe(true);

      const level1 = await get('/tiles/tile/1/000.p/1');
      expect(level1.status).toBe(200);
      const first256 = new MerkleTree('check');
      first256.prepare(entries(0, 256) as never).commit();
      expect(Buffer.from(await level1.arrayBuffer()).equals(Buffer.from(first256.root()))).toBe(true);
    });

    it('serves no tile beyond the signed head, no entry bundle and no malformed path', async () => {
      for (const path of ['0/001', '0/001.p/45', '1/000', '2/000.p/1', 'entries/000', '0/1', '0/000.p/0', '64/000']) {
        const res = await get(`/tiles/tile/${path}`);
        expect(res.status, path).toBe(404);
      }
      // The entries are personal data: the refusal says where auditors read them.
      expect(await (await get('/tiles/tile/entries/000')).text()).toContain('/entries');
    });

    it('gives a P-256 log (the seeded RvIG key) checkpoints of note signature type 0x02', async () => {
      const lines = capturedLogLines.length;
      // An unsigned query: refused, and its refusal is a leaf of the log.
      const refused = await gw.app.request(`${GATEWAY_URL}/personen`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(refused.status).toBe(401);
      await gw.signTreeHead();
      const res = await get('/checkpoint');
      expect(res.status).toBe(200);
      const origin = logOrigin(DEMO_OIN.rvig, 'instance-1');
      const organisation = await gw.registry.app.request(`/v1/organisations/${DEMO_OIN.rvig}`);
      const provider = (await organisation.json()) as { keys: Organisation['keys'] };
      const keys = logNoteKeys(provider, origin);
      expect(keys.map((k) => k.type)).toContain(NOTE_ECDSA);
      const verified = await verifyCheckpoint(await res.text(), {
        logKeys: keys,
        policy: { witnesses: [], quorum: 0 },
        origin,
      });
      expect(verified.size).toBe(gw.tree.size);
      const { heads } = (await (await get('/heads')).json()) as { heads: { log_id: string; checkpoint: unknown }[] };
      expect(heads.find((h) => h.log_id === 'instance-1')?.checkpoint).toBe(verified.note);
      expect(capturedLogLines.slice(lines).filter((l) => l.includes('cannot sign a C2SP checkpoint'))).toEqual([]);
    });
  });
}
