/**
 * Review of issue 30, promise 2: a witness never cosigns two inconsistent heads for one origin. Raw
 * HTTP against `startWitnessServer` (the server under attack), requests built by hand where the grammar
 * is attacked. Races, old-size tricks, size 0, 64 proof lines, a huge body, odd origins and the
 * monitoring path, a log key rotated and revoked.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  addCheckpointBody,
  consistencyProofOf,
  leafHash,
  logOrigin,
  NOTE_ED25519,
  type NoteKey,
  noteKeyFromJwk,
  rangeRoot,
  signCheckpoint,
  toBase64,
} from '@poortwachter/protocol';
import { generateSigningKey, openWitness, startWitnessServer, staticLogKeys } from '@poortwachter/sdk';
import type { JWK } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const ORIGIN = logOrigin('00000001234567890000', 'brp-inway');
const publicOf = ({ d: _d, ...jwk }: JWK): JWK => jwk;

function branch(name: string, key: JWK, shared = 8) {
  const leaves = Array.from({ length: 64 }, (_, i) => leafHash(i < shared ? `common-${i}` : `${name}-${i}`));
  return {
    root: (size: number) => rangeRoot(leaves, 0, size),
    checkpoint: (size: number, k = key) =>
      signCheckpoint({ origin: ORIGIN, size, rootHash: rangeRoot(leaves, 0, size) }, k),
    proof: (from: number, to: number) => (from === 0 ? [] : consistencyProofOf(leaves, from, to)),
  };
}

describe('review: attacks on the witness over HTTP (promise 2)', () => {
  let dir: string;
  let key: JWK;
  let logs: Map<string, NoteKey[]>;
  let url: string;
  let stop: () => Promise<void>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'review-witness-'));
    key = (await generateSigningKey('ed25519')).privateKey;
    logs = new Map([[ORIGIN, [noteKeyFromJwk(ORIGIN, NOTE_ED25519, publicOf(key))]]]);
    const witness = await openWitness({ name: 'review.test/getuige', dataDir: dir, logKeys: staticLogKeys(logs) });
    const server = await startWitnessServer(witness, { port: 0 });
    url = server.url;
    stop = async () => {
      await server.close();
      witness.release();
    };
  });
  afterEach(async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (body: string | Uint8Array) => fetch(`${url}/add-checkpoint`, { method: 'POST', body });
  const cosignedSize = async () => {
    const res = await fetch(
      `${url}/${(await import('node:crypto')).createHash('sha256').update(ORIGIN).digest('hex')}/checkpoint`,
    );
    return res.status === 200 ? (await res.text()).split('\n').slice(1, 3) : undefined;
  };

  it('holds: of concurrent requests for two branches from the same old size, only one branch is cosigned', async () => {
    const a = branch('a', key);
    const b = branch('b', key);
    expect((await post(addCheckpointBody(0, [], await a.checkpoint(8)))).status).toBe(200);
    const bodies = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const l = i % 2 === 0 ? a : b;
        const size = 16 + (i % 4);
        return { l, size, body: addCheckpointBody(8, l.proof(8, size), await l.checkpoint(size)) };
      }),
    );
    const answers = await Promise.all(bodies.map(async (r) => ({ ...r, status: (await post(r.body)).status })));
    const won = answers.filter((r) => r.status === 200);
    expect(won).toHaveLength(1);
    expect(answers.every((r) => [200, 409].includes(r.status))).toBe(true);
    const winner = won[0] as (typeof answers)[number];
    const loser = winner.l === a ? b : a;
    // The loser's branch, from the size now cosigned, at any size: never cosigned.
    for (const size of [winner.size, 20, 40, 64]) {
      const proof = loser.proof(winner.size, size);
      expect((await post(addCheckpointBody(winner.size, proof, await loser.checkpoint(size)))).status, `${size}`).toBe(
        422,
      );
    }
    expect(await cosignedSize()).toEqual([String(winner.size), toBase64(winner.l.root(winner.size))]);
  });

  it('holds: old-size tricks (0, smaller, larger, same size other root, proof for equal sizes) are refused', async () => {
    const a = branch('a', key);
    const b = branch('b', key);
    expect((await post(addCheckpointBody(0, [], await a.checkpoint(10)))).status).toBe(200);
    const from0 = await post(addCheckpointBody(0, [], await b.checkpoint(20)));
    expect([from0.status, await from0.text()]).toEqual([409, '10\n']);
    expect((await post(addCheckpointBody(5, b.proof(5, 20), await b.checkpoint(20)))).status).toBe(409);
    expect((await post(addCheckpointBody(12, b.proof(12, 20), await b.checkpoint(20)))).status).toBe(409);
    // Old size above the new size (a rollback to 9): 400.
    expect((await post(addCheckpointBody(10, [], await a.checkpoint(9)))).status).toBe(400);
    // The same size with another root: a fork.
    expect((await post(addCheckpointBody(10, [], await b.checkpoint(10)))).status).toBe(422);
    // The same size and root with a non-empty proof.
    expect((await post(addCheckpointBody(10, [new Uint8Array(32)], await a.checkpoint(10)))).status).toBe(422);
    expect(await cosignedSize()).toEqual(['10', toBase64(a.root(10))]);
  });

  it('holds: size 0 must be the empty tree; after it, any tree extends it', async () => {
    const a = branch('a', key);
    const wrong = await signCheckpoint({ origin: ORIGIN, size: 0, rootHash: new Uint8Array(32).fill(1) }, key);
    expect((await post(addCheckpointBody(0, [], wrong))).status).toBe(422);
    expect((await post(addCheckpointBody(0, [], await a.checkpoint(0)))).status).toBe(200);
    expect((await post(addCheckpointBody(0, [], await a.checkpoint(3)))).status).toBe(200);
  });

  it('holds: 64 proof lines, a huge body and a non-canonical body are refused without a cosignature', async () => {
    const a = branch('a', key);
    expect((await post(addCheckpointBody(0, [], await a.checkpoint(4)))).status).toBe(200);
    const note = await a.checkpoint(40);
    const line = `${toBase64(new Uint8Array(32))}\n`;
    expect((await post(`old 4\n${line.repeat(64)}\n${note}`)).status).toBe(400);
    expect((await post(`old 4\n${line.repeat(63)}\n${note}`)).status).toBe(422);
    expect((await post(`old 04\n\n${note}`)).status).toBe(400);
    expect((await post(`old 4\r\n\n${note}`)).status).toBe(400);
    const huge = await post(new Uint8Array(2 * 1024 * 1024).fill(0x41));
    expect(huge.status).toBe(413);
    expect(await cosignedSize()).toEqual(['4', toBase64(a.root(4))]);
  });

  it('holds: odd origins are unknown logs, the monitoring path reads no other file, state files are hashes', async () => {
    for (const origin of [`${ORIGIN}/../x`, `../../${ORIGIN}`, `${ORIGIN} `, `${ORIGIN}\u00a0`]) {
      const note = await signCheckpoint({ origin, size: 1, rootHash: leafHash('x') }, key).catch(() => undefined);
      if (!note) continue; // the note format refuses it already
      const res = await post(addCheckpointBody(0, [], note));
      expect([400, 404], origin).toContain(res.status);
    }
    expect((await post(addCheckpointBody(0, [], await branch('a', key).checkpoint(2)))).status).toBe(200);
    for (const path of [
      '/../witness-key.jwk.json',
      '/%2e%2e/witness-key.jwk.json',
      '/..%2fwitness-key.jwk.json/checkpoint',
    ]) {
      const res = await fetch(`${url}${path}`);
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toContain('"d"');
    }
    expect(readdirSync(join(dir, 'witness')).filter((f) => f.endsWith('.json'))).toEqual(
      readdirSync(join(dir, 'witness')).filter((f) => /^[0-9a-f]{64}\.json$/.test(f)),
    );
  });

  it('holds: a rotated log key goes on from the cosigned state; a revoked one is refused (403)', async () => {
    const a = branch('a', key);
    const b = branch('b', key, 4);
    expect((await post(addCheckpointBody(0, [], await a.checkpoint(8)))).status).toBe(200);
    const next = (await generateSigningKey('ed25519')).privateKey;
    logs.set(ORIGIN, [noteKeyFromJwk(ORIGIN, NOTE_ED25519, publicOf(next))]);
    // The old key, revoked: not even an extension is cosigned.
    expect((await post(addCheckpointBody(8, a.proof(8, 16), await a.checkpoint(16)))).status).toBe(403);
    // The new key cannot start a new history either.
    expect((await post(addCheckpointBody(8, b.proof(8, 16), await b.checkpoint(16, next)))).status).toBe(422);
    expect((await post(addCheckpointBody(0, [], await b.checkpoint(16, next)))).status).toBe(409);
    expect((await post(addCheckpointBody(8, a.proof(8, 16), await a.checkpoint(16, next)))).status).toBe(200);
  });
});
