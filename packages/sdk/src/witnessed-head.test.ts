import { generateKeyPairSync } from 'node:crypto';
import {
  COSIGNATURE_ED25519,
  cosignCheckpoint,
  type DirectorySnapshot,
  formatVkey,
  logOrigin,
  noteKeyFromJwk,
  type Organisation,
  signCheckpoint,
  type TreeHead,
  withSignatures,
} from '@poortwachter/protocol';
import type { JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { UnwitnessedHeadError, witnessedHead } from './witnessed-head.ts';

const OIN = '00000001003214345000';
const LOG = 'brp';

function ed25519() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicJwk: publicKey.export({ format: 'jwk' }) as JWK,
    privateJwk: privateKey.export({ format: 'jwk' }) as JWK,
  };
}

const log = ed25519();
const registryWitness = { name: 'poortwachter.example/getuige-registry', ...ed25519() };
const apWitness = { name: 'poortwachter.example/getuige-ap', ...ed25519() };
const witnesses = [registryWitness, apWitness];
const stranger = { name: 'elders.example/getuige', ...ed25519() };

const provider: Organisation = {
  oin: OIN,
  name: 'Rijksdienst voor Identiteitsgegevens',
  kind: 'bronhouder',
  roles: ['provider'],
  keys: [
    {
      kid: 'rvig-1',
      jwk: log.publicJwk as Organisation['keys'][number]['jwk'],
      status: 'active',
      revokedAt: null,
      validFrom: '2026-01-01T00:00:00Z',
      validTo: null,
    },
  ],
  revokedAt: null,
} as unknown as Organisation;

/** A directory with both witnesses and quorum `quorum` (no witnesses at all when 0). */
const directory = (quorum: number) =>
  ({
    serial: 1,
    issued_at: '2026-12-07T00:00:00Z',
    organisations: [provider],
    services: [],
    grondslagen: [],
    processing_activities: [],
    ...(quorum > 0
      ? {
          witnesses: witnesses.map((w) => ({
            name: w.name,
            vkey: formatVkey(noteKeyFromJwk(w.name, COSIGNATURE_ED25519, w.publicJwk)),
            url: `http://127.0.0.1:1/${w.name}`,
          })),
          witness_quorum: quorum,
        }
      : {}),
  }) as unknown as DirectorySnapshot;

const root = new Uint8Array(32).fill(7);
const head: TreeHead = {
  log_id: LOG,
  tree_size: 57,
  root_hash: Buffer.from(root).toString('base64'),
  timestamp: 1_765_000_000_000,
};

/** The log's checkpoint of `size` and `rootHash`, cosigned by `by`. */
async function checkpoint(by: readonly { name: string; privateJwk: JWK }[], size = 57, rootHash = root) {
  const note = await signCheckpoint({ origin: logOrigin(OIN, LOG), size, rootHash }, log.privateJwk);
  const lines = await Promise.all(by.map((w) => cosignCheckpoint(note, w, 1_765_000_000)));
  return withSignatures(note, lines);
}

const refusal = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UnwitnessedHeadError);
  return error as UnwitnessedHeadError;
};

describe('a reader accepts a head only with the quorum of witnesses over exactly that head', () => {
  it('accepts a head both directory witnesses cosigned, and names them', async () => {
    const witnessed = await witnessedHead(head, await checkpoint(witnesses), provider, directory(2));
    expect(witnessed.quorum).toBe(2);
    expect([...witnessed.cosigners].sort()).toEqual(witnesses.map((w) => w.name).sort());
  });

  it('refuses a head only one of the two required witnesses cosigned, and says so', async () => {
    const error = await refusal(witnessedHead(head, await checkpoint([registryWitness]), provider, directory(2)));
    expect(error.message).toContain(`only 1 of 2 witnesses cosigned head 57 of log ${LOG}`);
    expect([error.cosigned, error.quorum]).toEqual([1, 2]);
  });

  it('counts no cosignature of a witness outside the directory, nor the same witness twice', async () => {
    const note = await checkpoint([registryWitness, stranger]);
    const twice = withSignatures(note, [await cosignCheckpoint(note, registryWitness, 1_765_000_001)]);
    const error = await refusal(witnessedHead(head, twice, provider, directory(2)));
    expect(error.message).toContain('only 1 of 2 witnesses');
  });

  it('refuses a cosigned checkpoint of another size or root than the head', async () => {
    const other = await refusal(witnessedHead(head, await checkpoint(witnesses, 56), provider, directory(2)));
    expect(other.message).toContain('the checkpoint (size 56) is not of head 57');
    const fork = await refusal(
      witnessedHead(head, await checkpoint(witnesses, 57, new Uint8Array(32).fill(8)), provider, directory(2)),
    );
    expect(fork.message).toContain('is not of head 57');
  });

  it('refuses a head without a checkpoint when the directory requires witnesses', async () => {
    const error = await refusal(witnessedHead(head, undefined, provider, directory(2)));
    expect(error.message).toContain('comes without a checkpoint');
  });

  it('refuses a checkpoint the log did not sign', async () => {
    const forged = await signCheckpoint({ origin: logOrigin(OIN, LOG), size: 57, rootHash: root }, stranger.privateJwk);
    const lines = await Promise.all(witnesses.map((w) => cosignCheckpoint(forged, w, 1_765_000_000)));
    const error = await refusal(witnessedHead(head, withSignatures(forged, lines), provider, directory(2)));
    expect(error.message).toContain('the checkpoint of head 57');
  });

  it("accepts the head of a log whose key is P-256 (note signature type 0x02) with both witnesses' cosignatures", async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const p256 = {
      ...provider,
      keys: [{ ...provider.keys[0], kid: 'rvig-p256', jwk: publicKey.export({ format: 'jwk' }) }],
    } as unknown as Organisation;
    const snapshot = { ...directory(2), organisations: [p256] } as unknown as DirectorySnapshot;
    const note = await signCheckpoint(
      { origin: logOrigin(OIN, LOG), size: 57, rootHash: root },
      privateKey.export({ format: 'jwk' }) as JWK,
    );
    const lines = await Promise.all(witnesses.map((w) => cosignCheckpoint(note, w, 1_765_000_000)));
    const witnessed = await witnessedHead(head, withSignatures(note, lines), p256, snapshot);
    expect(witnessed.cosigners).toHaveLength(2);
    // The Ed25519 log key of the other test is not this log's key.
    await refusal(witnessedHead(head, await checkpoint(witnesses), p256, snapshot));
  });

  it('accepts a head as before when the directory lists no witnesses, saying that nobody vouched for it', async () => {
    expect(await witnessedHead(head, undefined, provider, directory(0))).toEqual({ cosigners: [], quorum: 0 });
  });
});
