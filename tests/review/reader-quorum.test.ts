/**
 * Review of issue 30, promise 1: no reader accepts a head without the directory's quorum of distinct
 * witnesses over exactly that size and root, signed by the log's key. Attacks on the one rule every
 * reader (citizen sdk and portal, `inzage --verify`, `log verify`) applies: `witnessPolicy` +
 * `verifyCheckpoint` (through `witnessedHead`). Four cases were review findings (defence in depth) on main at 69a65dd, fixed since.
 */
import { generateKeyPairSync } from 'node:crypto';
import {
  COSIGNATURE_ED25519,
  cosignCheckpoint,
  type DirectorySnapshot,
  formatVkey,
  logOrigin,
  noteKeyFromJwk,
  type Organisation,
  signatureLine,
  signCheckpoint,
  type TreeHead,
  withSignatures,
  witnessPolicy,
} from '@poortwachter/protocol';
import { UnwitnessedHeadError, witnessedHead } from '@poortwachter/sdk';
import type { JWK } from 'jose';
import { describe, expect, it } from 'vitest';

const OIN = '00000001003214345000';
const OTHER_OIN = '00000001234567890000';
const LOG = 'brp';

function ed25519() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicJwk: publicKey.export({ format: 'jwk' }) as JWK,
    privateJwk: privateKey.export({ format: 'jwk' }) as JWK,
  };
}

const log = ed25519();
const otherLog = ed25519();
const w1 = { name: 'review.example/getuige-1', ...ed25519() };
const w2 = { name: 'review.example/getuige-2', ...ed25519() };
const w3 = { name: 'review.example/getuige-3', ...ed25519() };

const org = (oin: string, jwk: JWK, status = 'active'): Organisation =>
  ({
    oin,
    name: `org ${oin}`,
    kind: 'bronhouder',
    roles: ['provider'],
    keys: [{ kid: `k-${oin}`, jwk, status, revokedAt: null, validFrom: '2026-01-01T00:00:00Z', validTo: null }],
    revokedAt: null,
  }) as unknown as Organisation;

const provider = org(OIN, log.publicJwk);
const other = org(OTHER_OIN, otherLog.publicJwk);

const listed = (w: { name: string; publicJwk: JWK }, name = w.name) => ({
  name,
  vkey: formatVkey(noteKeyFromJwk(name, COSIGNATURE_ED25519, w.publicJwk)),
  url: 'http://127.0.0.1:1',
});

const snapshot = (extra: Record<string, unknown>, organisations = [provider, other]) =>
  ({
    serial: 1,
    issued_at: '2026-12-07T00:00:00Z',
    organisations,
    services: [],
    grondslagen: [],
    processing_activities: [],
    ...extra,
  }) as unknown as DirectorySnapshot;

const root = new Uint8Array(32).fill(7);
const head: TreeHead = { log_id: LOG, tree_size: 57, root_hash: Buffer.from(root).toString('base64'), timestamp: 1 };

async function note(
  by: readonly { name: string; privateJwk: JWK }[],
  o: { size?: number; rootHash?: Uint8Array; origin?: string; key?: JWK } = {},
) {
  const text = await signCheckpoint(
    { origin: o.origin ?? logOrigin(OIN, LOG), size: o.size ?? 57, rootHash: o.rootHash ?? root },
    o.key ?? log.privateJwk,
  );
  return withSignatures(text, await Promise.all(by.map((w) => cosignCheckpoint(text, w, 1_765_000_000))));
}

const refused = async (p: Promise<unknown>) => {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(UnwitnessedHeadError);
  return e as UnwitnessedHeadError;
};

describe('review: readers and the witnesses quorum (promise 1)', () => {
  it('one witness key listed under two names counts as one witness', async () => {
    // The registry refuses this on POST /v1/witnesses, but the reader takes a signed directory's list as
    // it stands: one operator holding one key makes a quorum of 2 alone.
    const directory = snapshot({ witnesses: [listed(w1), listed(w1, 'review.example/alias-of-1')], witness_quorum: 2 });
    expect(witnessPolicy(directory).quorum).toBe(2);
    const alias = { name: 'review.example/alias-of-1', privateJwk: w1.privateJwk };
    await refused(witnessedHead(head, await note([w1, alias]), provider, directory));
  });

  it('witnesses listed with witness_quorum 0 still need their majority: a head without a checkpoint is refused', async () => {
    // Quorum 0 is meant for "no witnesses listed"; with three listed the registry refuses 0 (no
    // majority), and the CLI then prints "de registry noemt geen getuigen", which is not what it says.
    const directory = snapshot({ witnesses: [listed(w1), listed(w2), listed(w3)], witness_quorum: 0 });
    await refused(witnessedHead(head, undefined, provider, directory));
  });

  it('a non-majority quorum (1 of 3) from a directory is raised to the majority', async () => {
    const directory = snapshot({ witnesses: [listed(w1), listed(w2), listed(w3)], witness_quorum: 1 });
    await refused(witnessedHead(head, await note([w1]), provider, directory));
  });

  it('a listed witness whose vkey cannot be read never lowers the quorum', async () => {
    // Quorum 2 of two listed witnesses; one entry's vkey names another key name than the entry: it is
    // dropped, and the quorum silently becomes min(2, 1) = 1.
    const broken = { ...listed(w2), name: 'review.example/not-the-vkey-name' };
    const directory = snapshot({ witnesses: [listed(w1), broken], witness_quorum: 2 });
    await refused(witnessedHead(head, await note([w1]), provider, directory));
  });

  it('holds: witness_quorum missing means every listed witness', async () => {
    const directory = snapshot({ witnesses: [listed(w1), listed(w2), listed(w3)] });
    expect(witnessPolicy(directory).quorum).toBe(3);
    const e = await refused(witnessedHead(head, await note([w1, w2]), provider, directory));
    expect([e.cosigned, e.quorum]).toEqual([2, 3]);
    expect((await witnessedHead(head, await note([w1, w2, w3]), provider, directory)).cosigners).toHaveLength(3);
  });

  it('holds: duplicate cosigner lines of one witness, and a second line under another key ID, count once', async () => {
    const directory = snapshot({ witnesses: [listed(w1), listed(w2)], witness_quorum: 2 });
    const n = await note([w1]);
    const again = await cosignCheckpoint(n, w1, 1_765_000_005);
    // withSignatures would drop a second line of the same key: append it raw.
    const raw = `${n}${again}`;
    const e = await refused(witnessedHead(head, raw, provider, directory));
    expect(e.cosigned).toBe(1);
    // A line with a witness's name but an unknown key ID is ignored, not counted.
    const bogus = signatureLine(w2.name, 0x01020304, new Uint8Array(72).fill(1));
    expect((await refused(witnessedHead(head, `${n}${bogus}`, provider, directory))).cosigned).toBe(1);
  });

  it("holds: a checkpoint of another origin, another organisation's log key, a revoked log key", async () => {
    const directory = snapshot({ witnesses: [listed(w1), listed(w2)], witness_quorum: 2 });
    // Same size and root, origin of another log of the same organisation.
    await refused(witnessedHead(head, await note([w1, w2], { origin: logOrigin(OIN, 'other') }), provider, directory));
    // Another organisation signs a checkpoint with this log's origin.
    await refused(witnessedHead(head, await note([w1, w2], { key: otherLog.privateJwk }), provider, directory));
    // The other organisation's own origin, its key, same size and root: not this provider's log.
    await refused(
      witnessedHead(
        head,
        await note([w1, w2], { origin: logOrigin(OTHER_OIN, LOG), key: otherLog.privateJwk }),
        provider,
        directory,
      ),
    );
    // The log's key revoked in the directory.
    const revoked = org(OIN, log.publicJwk, 'revoked');
    await refused(
      witnessedHead(
        head,
        await note([w1, w2]),
        revoked,
        snapshot({ witnesses: [listed(w1), listed(w2)], witness_quorum: 2 }, [revoked]),
      ),
    );
  });

  it('holds: an unknown signer is ignored; a line added to the signed text breaks every signature', async () => {
    const directory = snapshot({ witnesses: [listed(w1), listed(w2)], witness_quorum: 2 });
    const stranger = { name: 'elders.example/getuige', ...ed25519() };
    const n = await note([w1, w2, stranger]);
    expect((await witnessedHead(head, n, provider, directory)).cosigners).toHaveLength(2);
    // Tamper: add an extension line to the text after signing: every signature fails.
    const tampered = n.replace(
      `${Buffer.from(root).toString('base64')}\n`,
      `${Buffer.from(root).toString('base64')}\nextra\n`,
    );
    await refused(witnessedHead(head, tampered, provider, directory));
  });

  it('holds: a checkpoint of size 0 or of the same size with another root is not the head', async () => {
    const directory = snapshot({ witnesses: [listed(w1), listed(w2)], witness_quorum: 2 });
    await refused(witnessedHead(head, await note([w1, w2], { size: 0 }), provider, directory));
    await refused(
      witnessedHead(head, await note([w1, w2], { rootHash: new Uint8Array(32).fill(9) }), provider, directory),
    );
  });
});
