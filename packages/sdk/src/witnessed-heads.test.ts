import { generateKeyPairSync } from 'node:crypto';
import {
  COSIGNATURE_ED25519,
  cosignCheckpoint,
  formatVkey,
  logOrigin,
  noteKeyFromJwk,
  type Organisation,
  signCheckpoint,
  TREE_HEAD_TYP,
  type TreeHead,
  toBase64,
  withSignatures,
  witnessPolicy,
} from '@poortwachter/protocol';
import { CompactSign, importJWK, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { type LogReader, witnessedHeads } from './witnessed-heads.ts';

const OIN = '00000001001000001000';
const LOG = 'inway-1';
const origin = logOrigin(OIN, LOG);
const keyPair = (kid?: string) => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const k = kid ? { kid } : {};
  return {
    private: { ...(privateKey.export({ format: 'jwk' }) as JWK), ...k },
    public: { ...(publicKey.export({ format: 'jwk' }) as JWK), ...k },
  };
};
const logKey = keyPair('log-key-1');
const provider = {
  oin: OIN,
  name: 'RvIG',
  keys: [{ kid: 'log-key-1', status: 'active', jwk: logKey.public }],
} as unknown as Organisation;
const witnesses = ['getuige-a', 'getuige-b', 'getuige-c'].map((name) => ({ name, key: keyPair() }));
// Quorum 0: a directory that lists no witnesses (listed ones always need their majority).
const directory = (quorum: number) =>
  witnessPolicy({
    witnesses: (quorum === 0 ? [] : witnesses).map((w) => ({
      name: w.name,
      vkey: formatVkey(noteKeyFromJwk(w.name, COSIGNATURE_ED25519, w.key.public)),
      url: `http://${w.name}.test`,
    })),
    witness_quorum: quorum,
  });

const rootOf = (size: number, fork = false) => new Uint8Array(32).fill(size + (fork ? 100 : 0));
const head = (size: number, fork = false): TreeHead => ({
  log_id: LOG,
  tree_size: size,
  root_hash: toBase64(rootOf(size, fork)),
  timestamp: 1_700_000_000_000 + size,
});
const jwsOf = async (h: TreeHead) =>
  new CompactSign(new TextEncoder().encode(JSON.stringify(h)))
    .setProtectedHeader({ alg: 'EdDSA', typ: TREE_HEAD_TYP, kid: 'log-key-1' })
    .sign(await importJWK(logKey.private, 'EdDSA'));
/** The log's checkpoint of a size, cosigned by the first `cosigners` witnesses. */
const checkpoint = async (size: number, cosigners: number, fork = false) => {
  const note = await signCheckpoint({ origin, size, rootHash: rootOf(size, fork) }, logKey.private);
  const lines = await Promise.all(
    witnesses
      .slice(0, cosigners)
      .map((w) => cosignCheckpoint(note, { name: w.name, privateJwk: w.key.private }, 1_700_000_000)),
  );
  return withSignatures(note, lines);
};
const reader = (served: { checkpoint?: string; heads?: TreeHead[] }): LogReader => ({
  checkpoint: async () => served.checkpoint,
  headJws: async (size) => {
    const h = served.heads?.find((x) => x.tree_size === size);
    if (!h) throw new Error(`no head of size ${size}`);
    return jwsOf(h);
  },
});
const check = async (
  quorum: number,
  newest: TreeHead,
  row: string | undefined,
  served: { checkpoint?: string; heads?: TreeHead[] } = {},
) =>
  witnessedHeads({
    oin: OIN,
    provider,
    policy: directory(quorum),
    newest,
    jws: await jwsOf(newest),
    ...(row === undefined ? {} : { checkpoint: row }),
    reader: reader(served),
  });

describe('the head an auditor checks: only one the quorum of witnesses cosigned', () => {
  it('with no witnesses in the directory, the newest signed head, as before', async () => {
    const result = await check(0, head(57), undefined);
    expect(result.accepted?.head.tree_size).toBe(57);
    expect(result.accepted?.checkpoint).toBeUndefined();
    expect(result.notWitnessed).toBeUndefined();
  });

  it('the newest head whose checkpoint carries the quorum, with the witnesses that cosigned it', async () => {
    const result = await check(2, head(57), await checkpoint(57, 2));
    expect(result.accepted?.head.tree_size).toBe(57);
    expect(result.accepted?.checkpoint?.cosigners.map((c) => c.name)).toEqual(['getuige-a', 'getuige-b']);
    expect(result.notWitnessed).toBeUndefined();
  });

  it('a newest head short of the quorum is not yet witnessed; the older one the quorum cosigned is checked', async () => {
    const result = await check(2, head(57), await checkpoint(57, 1), {
      checkpoint: await checkpoint(50, 2),
      heads: [head(50)],
    });
    expect(result.accepted?.head.tree_size).toBe(50);
    expect(result.notWitnessed?.head.tree_size).toBe(57);
    expect(result.notWitnessed?.reason).toMatch(/head 57 .* not yet witnessed: only 1 of the 2 witnesses/);
    expect(result.finding).toBeUndefined();
  });

  it('no head with the quorum at all: nothing to check, not a finding', async () => {
    const result = await check(2, head(57), await checkpoint(57, 1), { checkpoint: await checkpoint(57, 1) });
    expect(result.accepted).toBeUndefined();
    expect(result.notWitnessed?.reason).toMatch(/not yet witnessed/);
    expect(result.finding).toBeUndefined();
    const none = await check(2, head(57), undefined);
    expect(none.accepted).toBeUndefined();
    expect(none.notWitnessed?.reason).toMatch(/serves no checkpoint/);
  });

  it('a checkpoint cosigned by unknown witnesses only does not count', async () => {
    const stranger = keyPair();
    const note = await signCheckpoint({ origin, size: 57, rootHash: rootOf(57) }, logKey.private);
    const lines = await Promise.all(
      ['getuige-a', 'getuige-b'].map((name) => cosignCheckpoint(note, { name, privateJwk: stranger.private }, 1)),
    );
    const result = await check(2, head(57), withSignatures(note, lines));
    expect(result.accepted).toBeUndefined();
  });

  it('a checkpoint the log signed for the newest size with another root is a fork, cosigned or not', async () => {
    const uncosigned = await check(2, head(57), await checkpoint(57, 1, true));
    expect(uncosigned.finding).toMatch(/FORK of log inway-1/);
    const cosigned = await check(2, head(57), undefined, { checkpoint: await checkpoint(57, 2, true) });
    expect(cosigned.finding).toMatch(/FORK of log inway-1: the witnesses cosigned/);
    expect(cosigned.accepted).toBeUndefined();
  });

  it('an older cosigned checkpoint whose root differs from the signed head of its size is a fork', async () => {
    const result = await check(2, head(57), undefined, {
      checkpoint: await checkpoint(50, 2, true),
      heads: [head(50)],
    });
    expect(result.finding).toMatch(/FORK of log inway-1: the witnesses cosigned a checkpoint of size 50/);
    expect(result.accepted).toBeUndefined();
  });
});
